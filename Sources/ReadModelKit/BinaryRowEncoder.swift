import DocketTime

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
/// | 7 | keyed container | varint entry count, varint byte count, entries sorted by key: the key, then the value |
/// | 8 | unkeyed container | varint element count, varint byte count, values |
/// | 9 | float | 4 bytes, IEEE 754 little-endian |
/// | 10 | string that is an instant in `Timestamp.iso8601` form (`2026-11-03T14:00:00.000Z`) | zig-zag LEB128 varint, milliseconds since the epoch |
/// | 11 | string of lowercase hex digits, even length ≥ 16 (a digest) | varint byte count, the bytes |
///
/// A key is varint n: n > 0 is the n-th name of the row type's declared key names (`RowKeys`), 0 is followed by
/// the name itself (varint length, UTF-8), for a name that is not declared.
///
/// Tags 10 and 11 are strings written shorter: a string takes one of them only when it reads back to exactly the
/// same text (24 bytes of an instant become 7, a 64-digit digest 33), so the bytes still depend only on the values.
/// Keyed entries are sorted by key bytes, so a row's bytes depend only on its values (as canonical JSON's sorted
/// keys did), whatever order `encode(to:)` writes them in; an optional that is nil is left out, like in JSON.
/// Containers carry their byte count, so a reader skips what it does not ask for. Rows written by
/// `RowCodec` begin with their format number.
enum BinaryTag: UInt8 {
    case null = 0, no = 1, yes = 2, signed = 3, unsigned = 4, string = 5, double = 6, keyed = 7, unkeyed = 8, float = 9
    case instant = 10, hex = 11
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
        var value = value
        value.withUTF8 { utf8 in
            if let instant = CompactString.instant(utf8) {
                tag(.instant)
                varint(UInt64(bitPattern: (instant << 1) ^ (instant >> 63)))
            } else if CompactString.isHex(utf8) {
                tag(.hex)
                varint(UInt64(utf8.count / 2))
                var i = 0
                while i < utf8.count {
                    bytes.append(CompactString.nibble(utf8[i]) << 4 | CompactString.nibble(utf8[i + 1]))
                    i += 2
                }
            } else {
                tag(.string)
                varint(UInt64(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }
    }

    mutating func key(_ key: String, _ keys: RowKeys) {
        if let index = keys.index[key] {
            varint(UInt64(index + 1))
            return
        }
        varint(0)
        var key = key
        key.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
}

/// The key names a row type declares, written as their numbers (1, 2, …) instead of their text: the field names are
/// most of a small row's bytes otherwise. The list is part of the row format: rows written with one list are read
/// with the same list, so change it only with the format number (`RowCodec`). A name not in the list is written as
/// text, so a list that misses a field costs bytes, never correctness.
public struct RowKeys: Sendable {
    /// The names, in declared order.
    public let names: [String]
    let utf8: [[UInt8]]
    let index: [String: Int]

    /// Names must be distinct.
    public init(_ names: [String]) {
        var index: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            precondition(index[name] == nil, "RowKeys: \(name) is declared twice")
            index[name] = i
        }
        self.names = names
        self.utf8 = names.map { Array($0.utf8) }
        self.index = index
    }

    /// No declared names: every key is written as text.
    public static let none = RowKeys([])
}

/// The strings the format writes shorter (tags 10 and 11), recognised only when they read back exactly.
enum CompactString {
    /// The milliseconds of a string in `Timestamp.iso8601` form, nil for any other text.
    static func instant(_ utf8: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard utf8.count == 24, utf8[10] == UInt8(ascii: "T"), utf8[19] == UInt8(ascii: "."), utf8[23] == UInt8(ascii: "Z")
        else { return nil }
        let text = String(decoding: utf8, as: UTF8.self)
        guard let timestamp = Timestamp(iso8601: text), timestamp.iso8601 == text else { return nil }
        return timestamp.millisecondsSinceEpoch
    }

    /// Whether the text is lowercase hex digits of even length, at least 16 of them.
    static func isHex(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        utf8.count >= 16 && utf8.count % 2 == 0
            && utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    static func nibble(_ digit: UInt8) -> UInt8 { digit <= 0x39 ? digit - 0x30 : digit - 0x61 + 10 }

    static let digits = Array("0123456789abcdef".utf8)
}

/// A container being written: its finished children's bytes, and the nested containers still open.
class ContainerBox {
    enum Kind { case keyed, unkeyed, single }
    let kind: Kind
    /// The declared key names of the row being written.
    let keys: RowKeys
    /// Keyed: (key, value bytes); unkeyed and single: ("", value bytes), in the order written.
    var entries: [(key: String, value: [UInt8])] = []
    /// Entries whose value is a container still being filled (nested containers, super encoders).
    var open: [(index: Int, box: ContainerBox)] = []

    init(_ kind: Kind, keys: RowKeys) {
        self.kind = kind
        self.keys = keys
    }

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
                body.key(entry.key, keys)
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
    let keys: RowKeys

    /// An encoder writing the names in `keys` as their numbers (the decoder needs the same `keys`).
    public init(keys: RowKeys = .none) { self.keys = keys }

    /// The value's bytes (no format number: see `RowCodec`).
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try BinaryValueEncoder.bytes(of: value, codingPath: [], keys: keys)
    }
}

extension BinaryRowEncoder {
    /// The bytes `encode` gives for a value whose `encode(to:)` puts only strings in one keyed container, each with
    /// `encodeIfPresent` (a nil member is left out) — a flat row such as a status with its optional numbers — written
    /// without an `Encoder`, its boxes and its dynamic casts (some 28,000 instructions a row through `encode`). `members`
    /// are (name, value) pairs, in any order, each name once; a string-backed enumeration is its raw value.
    public func encodeStrings(_ members: [(name: String, value: String?)]) -> [UInt8] {
        // Sorted by name as `ContainerBox.finish` sorts keyed entries, so the bytes are `encode`'s.
        let present = members.compactMap { member in member.value.map { (name: member.name, value: $0) } }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var body = BinaryWriter()
        for member in present {
            body.key(member.name, keys)
            body.string(member.value)
        }
        return BinaryContainer.wrap(.keyed, count: present.count, body: body.bytes)
    }
}

/// The `Encoder` handed to `encode(to:)`: one value, in one container.
final class BinaryValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var box: ContainerBox?
    let keys: RowKeys

    init(codingPath: [any CodingKey], keys: RowKeys) {
        self.codingPath = codingPath
        self.keys = keys
    }

    /// The bytes of `value`: primitives directly, anything else through its `encode(to:)`.
    static func bytes<T: Encodable>(of value: T, codingPath: [any CodingKey], keys: RowKeys) throws -> [UInt8] {
        var writer = BinaryWriter()
        if writer.primitive(value) { return writer.bytes }
        let encoder = BinaryValueEncoder(codingPath: codingPath, keys: keys)
        try value.encode(to: encoder)
        return encoder.box?.finish() ?? BinaryContainer.wrap(.keyed, count: 0, body: [])
    }

    private func claim(_ kind: ContainerBox.Kind) -> ContainerBox {
        if let box { return box }
        let made = ContainerBox(kind, keys: keys)
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
        box.append(key.stringValue, try BinaryValueEncoder.bytes(of: value, codingPath: codingPath + [key], keys: box.keys))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = ContainerBox(.keyed, keys: box.keys)
        box.appendOpen(key.stringValue, nested)
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ContainerBox(.unkeyed, keys: box.keys)
        box.appendOpen(key.stringValue, nested)
        return UnkeyedWriter(box: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> any Encoder {
        let encoder = BinaryValueEncoder(codingPath: codingPath, keys: box.keys)
        box.appendOpen(name, SuperBox(encoder: encoder))
        return encoder
    }
}

/// A box whose value is whatever container a super encoder made.
final class SuperBox: ContainerBox {
    let encoder: BinaryValueEncoder
    init(encoder: BinaryValueEncoder) {
        self.encoder = encoder
        super.init(.single, keys: encoder.keys)
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
        box.append("", try BinaryValueEncoder.bytes(of: value, codingPath: codingPath + [Index(count)], keys: box.keys))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ContainerBox(.keyed, keys: box.keys)
        box.appendOpen("", nested)
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(box: nested, codingPath: codingPath + [Index(count - 1)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ContainerBox(.unkeyed, keys: box.keys)
        box.appendOpen("", nested)
        return UnkeyedWriter(box: nested, codingPath: codingPath + [Index(count - 1)])
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = BinaryValueEncoder(codingPath: codingPath, keys: box.keys)
        box.appendOpen("", SuperBox(encoder: encoder))
        return encoder
    }
}

struct SingleWriter: SingleValueEncodingContainer {
    let box: ContainerBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.entries = [("", [BinaryTag.null.rawValue])] }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.entries = [("", try BinaryValueEncoder.bytes(of: value, codingPath: codingPath, keys: box.keys))]
    }
}
