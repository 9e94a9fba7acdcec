import DocketTime

/// Decodes values written by `BinaryRowEncoder`. Every length and count is checked against the bytes: a damaged row
/// is a `DecodingError`, never a read past its end.
public struct BinaryRowDecoder {
    let keys: RowKeys

    /// A decoder reading key numbers as the names in `keys` (those the encoder had).
    public init(keys: RowKeys = .none) { self.keys = keys }

    /// The value in `bytes` (no format number: see `RowCodec`).
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let reader = BinaryReader(bytes: bytes, keys: keys)
        var position = 0
        let value = try reader.value(at: &position, path: [])
        guard position == bytes.count else { throw reader.damaged([], "\(bytes.count - position) bytes after the value") }
        return try BinaryValueDecoder(reader: reader, value: value, codingPath: []).decodeValue(type)
    }
}

/// Where one value lies in the row: its tag and the range of its payload.
struct BinaryValue {
    let tag: BinaryTag
    /// Containers: after the counts; others: after the tag.
    let payload: Int
    /// The end of the value.
    let end: Int
    /// Containers: their entry count.
    let count: Int
}

/// Reading the format's primitives, bounds-checked.
struct BinaryReader {
    let bytes: [UInt8]
    /// The declared key names the row was written with.
    let keys: RowKeys

    func damaged(_ path: [any CodingKey], _ what: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: "a damaged binary row: \(what)"))
    }

    func varint(at position: inout Int, path: [any CodingKey]) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count, shift < 64 else { throw damaged(path, "a number runs past the row") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// A length or count that fits in what is left of the row.
    func length(at position: inout Int, path: [any CodingKey]) throws -> Int {
        let value = try varint(at: &position, path: path)
        guard value <= UInt64(bytes.count - position) else { throw damaged(path, "a length runs past the row") }
        return Int(value)
    }

    /// The value starting at `position`, which moves past it.
    func value(at position: inout Int, path: [any CodingKey]) throws -> BinaryValue {
        guard position < bytes.count, let tag = BinaryTag(rawValue: bytes[position]) else {
            throw damaged(path, "an unknown tag")
        }
        position += 1
        let payload = position
        var count = 0
        switch tag {
        case .null, .no, .yes: break
        case .signed, .unsigned, .instant: _ = try varint(at: &position, path: path)
        case .string, .hex: position += try length(at: &position, path: path)
        case .double, .float:
            let size = tag == .double ? 8 : 4
            guard bytes.count - position >= size else { throw damaged(path, "a number runs past the row") }
            position += size
        case .keyed, .unkeyed:
            count = try length(at: &position, path: path)
            let size = try length(at: &position, path: path)
            let body = position
            position += size
            return BinaryValue(tag: tag, payload: body, end: position, count: count)
        }
        return BinaryValue(tag: tag, payload: payload, end: position, count: count)
    }

    func signed(_ value: BinaryValue, path: [any CodingKey]) throws -> Int64 {
        guard value.tag == .signed || value.tag == .unsigned else { throw mismatch(Int64.self, value, path) }
        var position = value.payload
        let raw = try varint(at: &position, path: path)
        if value.tag == .unsigned {
            guard raw <= UInt64(Int64.max) else { throw damaged(path, "\(raw) does not fit a signed integer") }
            return Int64(raw)
        }
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    func unsigned(_ value: BinaryValue, path: [any CodingKey]) throws -> UInt64 {
        if value.tag == .signed {
            let signed = try signed(value, path: path)
            guard signed >= 0 else { throw damaged(path, "\(signed) is negative") }
            return UInt64(signed)
        }
        guard value.tag == .unsigned else { throw mismatch(UInt64.self, value, path) }
        var position = value.payload
        return try varint(at: &position, path: path)
    }

    func string(_ value: BinaryValue, path: [any CodingKey]) throws -> String {
        var position = value.payload
        switch value.tag {
        case .string:
            let size = try length(at: &position, path: path)
            return String(decoding: bytes[position..<(position + size)], as: UTF8.self)
        case .instant:
            let raw = try varint(at: &position, path: path)
            return Timestamp(millisecondsSinceEpoch: Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)).iso8601
        case .hex:
            let size = try length(at: &position, path: path)
            var text: [UInt8] = []
            text.reserveCapacity(size * 2)
            for byte in bytes[position..<(position + size)] {
                text.append(CompactString.digits[Int(byte >> 4)])
                text.append(CompactString.digits[Int(byte & 0x0f)])
            }
            return String(decoding: text, as: UTF8.self)
        default:
            throw mismatch(String.self, value, path)
        }
    }

    func mismatch(_ type: Any.Type, _ value: BinaryValue, _ path: [any CodingKey]) -> DecodingError {
        .typeMismatch(type, .init(codingPath: path, debugDescription: "found a value of tag \(value.tag.rawValue)"))
    }
}

/// The `Decoder` handed to `init(from:)`: one value of the row.
struct BinaryValueDecoder: Decoder {
    let reader: BinaryReader
    let value: BinaryValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let primitive = try primitive(type) { return primitive }
        return try T(from: self)
    }

    /// `value` as `T` when `T` is a primitive of the format; nil otherwise.
    func primitive<T>(_ type: T.Type) throws -> T? {
        let path = codingPath
        switch type {
        case is String.Type: return try reader.string(value, path: path) as? T
        case is Bool.Type:
            guard value.tag == .yes || value.tag == .no else { throw reader.mismatch(Bool.self, value, path) }
            return (value.tag == .yes) as? T
        case is Int.Type: return Int(try reader.signed(value, path: path)) as? T
        case is Int64.Type: return try reader.signed(value, path: path) as? T
        case is Int32.Type: return try narrow(Int32.self, reader.signed(value, path: path)) as? T
        case is Int16.Type: return try narrow(Int16.self, reader.signed(value, path: path)) as? T
        case is Int8.Type: return try narrow(Int8.self, reader.signed(value, path: path)) as? T
        case is UInt.Type: return try narrow(UInt.self, reader.unsigned(value, path: path)) as? T
        case is UInt64.Type: return try reader.unsigned(value, path: path) as? T
        case is UInt32.Type: return try narrow(UInt32.self, reader.unsigned(value, path: path)) as? T
        case is UInt16.Type: return try narrow(UInt16.self, reader.unsigned(value, path: path)) as? T
        case is UInt8.Type: return try narrow(UInt8.self, reader.unsigned(value, path: path)) as? T
        case is Double.Type:
            guard value.tag == .double else { throw reader.mismatch(Double.self, value, path) }
            return Double(bitPattern: UInt64(littleEndian: load(UInt64.self))) as? T
        case is Float.Type:
            guard value.tag == .float else { throw reader.mismatch(Float.self, value, path) }
            return Float(bitPattern: UInt32(littleEndian: load(UInt32.self))) as? T
        default: return nil
        }
    }

    private func load<I: FixedWidthInteger>(_ type: I.Type) -> I {
        reader.bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: value.payload, as: I.self) }
    }

    private func narrow<I: FixedWidthInteger, W: BinaryInteger>(_ type: I.Type, _ wide: W) throws -> I {
        guard let narrow = I(exactly: wide) else { throw reader.damaged(codingPath, "\(wide) does not fit \(I.self)") }
        return narrow
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard value.tag == .keyed else { throw reader.mismatch([String: Any].self, value, codingPath) }
        return KeyedDecodingContainer(try KeyedReader<Key>(reader: reader, value: value, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard value.tag == .unkeyed else { throw reader.mismatch([Any].self, value, codingPath) }
        return UnkeyedReader(reader: reader, count: value.count, position: value.payload, end: value.end, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleReader(decoder: self) }
}

struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: BinaryReader
    let codingPath: [any CodingKey]
    /// The entries in key order: the key's name (UTF-8) and its value.
    private let entries: [(key: ArraySlice<UInt8>, value: BinaryValue)]

    init(reader: BinaryReader, value: BinaryValue, codingPath: [any CodingKey]) throws {
        self.reader = reader
        self.codingPath = codingPath
        var entries: [(key: ArraySlice<UInt8>, value: BinaryValue)] = []
        entries.reserveCapacity(value.count)
        var position = value.payload
        for _ in 0..<value.count {
            guard position < value.end else { throw reader.damaged(codingPath, "an entry runs past its container") }
            let number = try reader.varint(at: &position, path: codingPath)
            let key: ArraySlice<UInt8>
            if number == 0 {
                let size = try reader.length(at: &position, path: codingPath)
                key = reader.bytes[position..<(position + size)]
                position += size
            } else {
                guard number <= UInt64(reader.keys.utf8.count) else { throw reader.damaged(codingPath, "key number \(number) is not declared") }
                key = reader.keys.utf8[Int(number - 1)][...]
            }
            entries.append((key, try reader.value(at: &position, path: codingPath)))
        }
        guard position == value.end else { throw reader.damaged(codingPath, "a container's size does not match its entries") }
        self.entries = entries
    }

    var allKeys: [Key] {
        entries.compactMap { Key(stringValue: String(decoding: $0.key, as: UTF8.self)) }
    }

    /// The entry of `key`: a binary search, the entries being sorted by key bytes.
    private func find(_ key: Key) -> BinaryValue? {
        var name = key.stringValue
        return name.withUTF8 { wanted -> BinaryValue? in
            var low = 0, high = entries.count
            while low < high {
                let middle = (low + high) / 2
                let stored = entries[middle].key
                if stored.elementsEqual(wanted) { return entries[middle].value }
                if stored.lexicographicallyPrecedes(wanted) { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }

    private func required(_ key: Key) throws -> BinaryValue {
        guard let value = find(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no entry \(key.stringValue)"))
        }
        return value
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try required(key).tag == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try BinaryValueDecoder(reader: reader, value: try required(key), codingPath: codingPath + [key]).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try BinaryValueDecoder(reader: reader, value: try required(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try BinaryValueDecoder(reader: reader, value: try required(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { try superDecoder(named: "super") }

    func superDecoder(forKey key: Key) throws -> any Decoder { try superDecoder(named: key.stringValue) }

    private func superDecoder(named name: String) throws -> any Decoder {
        guard let key = Key(stringValue: name), let value = find(key) else { throw reader.damaged(codingPath, "no entry \(name)") }
        return BinaryValueDecoder(reader: reader, value: value, codingPath: codingPath)
    }
}

struct UnkeyedReader: UnkeyedDecodingContainer {
    let reader: BinaryReader
    let count: Int?
    var position: Int
    let end: Int
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    init(reader: BinaryReader, count: Int, position: Int, end: Int, codingPath: [any CodingKey]) {
        (self.reader, self.count, self.position, self.end, self.codingPath) = (reader, count, position, end, codingPath)
    }

    private mutating func next() throws -> BinaryValue {
        guard !isAtEnd, position < end else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "past the last element"))
        }
        let value = try reader.value(at: &position, path: codingPath)
        guard position <= end else { throw reader.damaged(codingPath, "an element runs past its container") }
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        var peek = position
        guard !isAtEnd, peek < end, try reader.value(at: &peek, path: codingPath).tag == .null else { return false }
        position = peek
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try BinaryValueDecoder(reader: reader, value: try next(), codingPath: codingPath).decodeValue(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try BinaryValueDecoder(reader: reader, value: try next(), codingPath: codingPath).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryValueDecoder(reader: reader, value: try next(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        BinaryValueDecoder(reader: reader, value: try next(), codingPath: codingPath)
    }
}

struct SingleReader: SingleValueDecodingContainer {
    let decoder: BinaryValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value.tag == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
