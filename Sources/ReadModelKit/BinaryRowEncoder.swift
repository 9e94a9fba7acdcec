/// Docket's compact binary row format: any `Codable` row, without JSON's text (see docs/architecture.md, "Rows").
///
/// A value is a tag byte and its payload:
///
/// | tag | value | payload |
/// |---|---|---|
/// | 0 | nil | — |
/// | 1, 2 | false, true | — |
/// | 3 | signed integer | zig-zag LEB128 varint |
/// | 4 | unsigned integer | LEB128 varint |
/// | 5 | string | varint byte count, UTF-8 |
/// | 6 | double | 8 bytes, IEEE 754 little-endian |
/// | 7 | keyed container | varint entry count, varint byte count, entries sorted by key: varint key length, key (UTF-8), value |
/// | 8 | unkeyed container | varint element count, varint byte count, values |
/// | 9 | float | 4 bytes, IEEE 754 little-endian |
///
/// Keyed entries are sorted by key bytes, so a row's bytes depend only on its values (as canonical JSON's sorted
/// keys did), whatever order `encode(to:)` writes them in; an optional that is nil is left out, like in JSON.
/// Containers carry their byte count, so a reader skips what it does not ask for. Rows written by
/// `RowCodec` begin with their format number.
enum BinaryTag: UInt8 {
    case null = 0, no = 1, yes = 2, signed = 3, unsigned = 4, string = 5, double = 6, keyed = 7, unkeyed = 8, float = 9
}

/// Appending the format's primitives.
struct BinaryWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func tag(_ tag: BinaryTag) { bytes.append(tag.rawValue) }

    mutating func signed(_ value: Int64) {
        tag(.signed)
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func unsigned(_ value: UInt64) {
        tag(.unsigned)
        varint(value)
    }

    mutating func string(_ value: String) {
        tag(.string)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func key(_ key: String) {
        var key = key
        key.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
}

/// A container being written: its finished children's bytes, and the nested containers still open.
class ContainerBox {
    enum Kind { case keyed, unkeyed, single }
    let kind: Kind
    /// Keyed: (key, value bytes); unkeyed and single: ("", value bytes), in the order written.
    var entries: [(key: String, value: [UInt8])] = []
    /// Entries whose value is a container still being filled (nested containers, super encoders).
    var open: [(index: Int, box: ContainerBox)] = []

    init(_ kind: Kind) { self.kind = kind }

    func append(_ key: String, _ value: [UInt8]) { entries.append((key, value)) }

    func appendOpen(_ key: String, _ box: ContainerBox) {
        open.append((entries.count, box))
        entries.append((key, []))
    }

    /// The finished value: tag, counts and entries (a single-value container: its one value).
    func finish() -> [UInt8] {
        for (index, box) in open { entries[index].value = box.finish() }
        open.removeAll()
        switch kind {
        case .single:
            return entries.first?.value ?? [BinaryTag.null.rawValue]
        case .unkeyed:
            var body = BinaryWriter()
            for entry in entries { body.bytes.append(contentsOf: entry.value) }
            return BinaryContainer.wrap(.unkeyed, count: entries.count, body: body.bytes)
        case .keyed:
            var sorted = entries
            if !zip(sorted, sorted.dropFirst()).allSatisfy({ $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                sorted.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            }
            var body = BinaryWriter()
            for entry in sorted {
                body.key(entry.key)
                body.bytes.append(contentsOf: entry.value)
            }
            return BinaryContainer.wrap(.keyed, count: sorted.count, body: body.bytes)
        }
    }
}

enum BinaryContainer {
    static func wrap(_ tag: BinaryTag, count: Int, body: [UInt8]) -> [UInt8] {
        var writer = BinaryWriter()
        writer.bytes.reserveCapacity(body.count + 8)
        writer.tag(tag)
        writer.varint(UInt64(count))
        writer.varint(UInt64(body.count))
        writer.bytes.append(contentsOf: body)
        return writer.bytes
    }
}

/// Encodes one `Encodable` value in the binary row format.
public struct BinaryRowEncoder {
    public init() {}

    /// The value's bytes (no format number: see `RowCodec`).
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try BinaryValueEncoder.bytes(of: value, codingPath: [])
    }
}

/// The `Encoder` handed to `encode(to:)`: one value, in one container.
final class BinaryValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var box: ContainerBox?

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    /// The bytes of `value`: primitives directly, anything else through its `encode(to:)`.
    static func bytes<T: Encodable>(of value: T, codingPath: [any CodingKey]) throws -> [UInt8] {
        var writer = BinaryWriter()
        if writer.primitive(value) { return writer.bytes }
        let encoder = BinaryValueEncoder(codingPath: codingPath)
        try value.encode(to: encoder)
        return encoder.box?.finish() ?? BinaryContainer.wrap(.keyed, count: 0, body: [])
    }

    private func claim(_ kind: ContainerBox.Kind) -> ContainerBox {
        if let box { return box }
        let made = ContainerBox(kind)
        box = made
        return made
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedWriter<Key>(box: claim(.keyed), codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { UnkeyedWriter(box: claim(.unkeyed), codingPath: codingPath) }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleWriter(box: claim(.single), codingPath: codingPath) }
}

extension BinaryWriter {
    /// Writes `value` when it is a primitive of the format; false otherwise.
    mutating func primitive<T: Encodable>(_ value: T) -> Bool {
        switch value {
        case let v as String: string(v)
        case let v as Bool: tag(v ? .yes : .no)
        case let v as Int: signed(Int64(v))
        case let v as Int64: signed(v)
        case let v as Int32: signed(Int64(v))
        case let v as Int16: signed(Int64(v))
        case let v as Int8: signed(Int64(v))
        case let v as UInt: unsigned(UInt64(v))
        case let v as UInt64: unsigned(v)
        case let v as UInt32: unsigned(UInt64(v))
        case let v as UInt16: unsigned(UInt64(v))
        case let v as UInt8: unsigned(UInt64(v))
        case let v as Double:
            tag(.double)
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        case let v as Float:
            tag(.float)
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        default: return false
        }
        return true
    }
}

struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: ContainerBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.append(key.stringValue, [BinaryTag.null.rawValue]) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.append(key.stringValue, try BinaryValueEncoder.bytes(of: value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = ContainerBox(.keyed)
        box.appendOpen(key.stringValue, nested)
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ContainerBox(.unkeyed)
        box.appendOpen(key.stringValue, nested)
        return UnkeyedWriter(box: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> any Encoder {
        let encoder = BinaryValueEncoder(codingPath: codingPath)
        box.appendOpen(name, SuperBox(encoder: encoder))
        return encoder
    }
}

/// A box whose value is whatever container a super encoder made.
final class SuperBox: ContainerBox {
    let encoder: BinaryValueEncoder
    init(encoder: BinaryValueEncoder) {
        self.encoder = encoder
        super.init(.single)
    }
    override func finish() -> [UInt8] { encoder.box?.finish() ?? [BinaryTag.null.rawValue] }
}

struct UnkeyedWriter: UnkeyedEncodingContainer {
    let box: ContainerBox
    let codingPath: [any CodingKey]
    var count: Int { box.entries.count }

    private struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    mutating func encodeNil() throws { box.append("", [BinaryTag.null.rawValue]) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.append("", try BinaryValueEncoder.bytes(of: value, codingPath: codingPath + [Index(count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ContainerBox(.keyed)
        box.appendOpen("", nested)
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(box: nested, codingPath: codingPath + [Index(count - 1)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ContainerBox(.unkeyed)
        box.appendOpen("", nested)
        return UnkeyedWriter(box: nested, codingPath: codingPath + [Index(count - 1)])
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = BinaryValueEncoder(codingPath: codingPath)
        box.appendOpen("", SuperBox(encoder: encoder))
        return encoder
    }
}

struct SingleWriter: SingleValueEncodingContainer {
    let box: ContainerBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.entries = [("", [BinaryTag.null.rawValue])] }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.entries = [("", try BinaryValueEncoder.bytes(of: value, codingPath: codingPath))]
    }
}
