/// Writing a hand-coded row (`RowCodec(format:write:read:)`): the fields in a fixed order, no names and no tags.
/// Unsigned integers and lengths are LEB128 varints, signed ones zig-zag varints, booleans and optional markers one
/// byte (0 or 1), strings a varint length and their UTF-8, arrays a varint count and their elements.
/// The order of the calls is the row format: change it only with the table's format number.
public struct RowWriter {
    /// The row so far (its format number first).
    public var bytes: [UInt8]

    public init(format: UInt8) {
        // Reserved before the first byte goes in: one allocation, not a one-byte array and then its copy.
        bytes = []
        bytes.reserveCapacity(512)
        bytes.append(format)
    }

    /// A writer that appends the row to the bytes of `buffer`, which it takes over (`buffer` is empty until the caller
    /// takes them back from `bytes`): many rows written one after the other into one array.
    init(format: UInt8, taking buffer: inout [UInt8]) {
        bytes = []
        swap(&bytes, &buffer)
        bytes.append(format)
    }

    @inlinable public mutating func uint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inlinable public mutating func int(_ value: Int64) { uint(RowWriter.zigZag(value)) }

    @inlinable public mutating func int(_ value: Int) { int(Int64(value)) }

    /// The unsigned form `int` writes of `value` (zig-zag: 0, -1, 1, -2 … as 0, 1, 2, 3 …).
    @inlinable public static func zigZag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    /// Writes `value` as `uint` writes it at `next`, which has room for `varintRoom` bytes, and returns the byte after
    /// it: for writers that fill a buffer of their own rather than append to `bytes` byte by byte (`SLAClockWriter`, a
    /// time entry's row written from its payload).
    @inlinable public static func write(varint value: UInt64, at next: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var next = next
        var value = value
        while value >= 0x80 {
            next.pointee = UInt8(truncatingIfNeeded: value) | 0x80
            next += 1
            value >>= 7
        }
        next.pointee = UInt8(value)
        return next + 1
    }

    /// The most bytes a varint takes (a 64-bit value, 7 bits a byte).
    @inlinable public static var varintRoom: Int { 10 }

    @inlinable public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// One byte (a case number of an enumeration with payloads).
    @inlinable public mutating func byte(_ value: UInt8) { bytes.append(value) }

    @inlinable public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            uint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A string enumeration, by its raw value (so a reordering of its cases changes nothing).
    @inlinable public mutating func rawValue<E: RawRepresentable>(_ value: E) where E.RawValue == String { string(value.rawValue) }

    /// Bytes of a length both sides know (a digest), as they are.
    @inlinable public mutating func fixed(_ value: UnsafeRawBufferPointer) { bytes.append(contentsOf: value) }

    /// Bytes of any length: a varint length, then the bytes.
    @inlinable public mutating func blob(_ value: [UInt8]) {
        uint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    @inlinable public mutating func optional<T>(_ value: T?, _ write: (inout RowWriter, T) throws -> Void) rethrows {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        try write(&self, value)
    }

    @inlinable public mutating func array<T>(_ values: [T], _ write: (inout RowWriter, T) throws -> Void) rethrows {
        uint(UInt64(values.count))
        for value in values { try write(&self, value) }
    }
}

/// Reading a row written by `RowWriter`, in the same order. Every length and count is checked against the bytes
/// left: a damaged row is a `DecodingError`, never a read past its end.
public struct RowReader {
    public let bytes: UnsafeRawBufferPointer
    /// Where the next field starts.
    public var offset: Int

    /// Reads the fields after the format number (`RowCodec` checks that).
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 1) {
        self.bytes = bytes
        self.offset = offset
    }

    public static func damaged(_ what: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "a damaged row: \(what)"))
    }

    @inlinable public var remaining: Int { bytes.count - offset }

    @inlinable public mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw RowReader.damaged("it ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inlinable public mutating func uint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count, shift < 64 else { throw RowReader.damaged("a number runs past the row") }
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    @inlinable public mutating func int() throws -> Int64 {
        let value = try uint()
        return Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    @inlinable public mutating func int() throws -> Int {
        let value: Int64 = try int()
        guard let int = Int(exactly: value) else { throw RowReader.damaged("a number out of range") }
        return int
    }

    @inlinable public mutating func bool() throws -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let other: throw RowReader.damaged("\(other) is not a boolean")
        }
    }

    /// A length or count that fits in what is left of the row (each element takes at least `minimum` bytes).
    @inlinable public mutating func length(minimum: Int = 1) throws -> Int {
        let value = try uint()
        guard value <= UInt64(remaining / max(minimum, 1)) else { throw RowReader.damaged("a length runs past the row") }
        return Int(value)
    }

    @inlinable public mutating func fixed(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count <= remaining else { throw RowReader.damaged("it ends early") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    @inlinable public mutating func string() throws -> String {
        String(decoding: try fixed(try length()), as: UTF8.self)
    }

    @inlinable public mutating func rawValue<E: RawRepresentable>(_ type: E.Type = E.self) throws -> E where E.RawValue == String {
        let text = try string()
        guard let value = E(rawValue: text) else { throw RowReader.damaged("\"\(text)\" is not a \(E.self)") }
        return value
    }

    @inlinable public mutating func blob() throws -> [UInt8] { Array(try fixed(try length())) }

    @inlinable public mutating func optional<T>(_ read: (inout RowReader) throws -> T) throws -> T? {
        try bool() ? try read(&self) : nil
    }

    @inlinable public mutating func array<T>(_ read: (inout RowReader) throws -> T) throws -> [T] {
        let count = try length()
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try read(&self)) }
        return values
    }

    /// Checks that the whole row was read.
    public func finish() throws {
        guard offset == bytes.count else { throw RowReader.damaged("\(remaining) bytes after the row") }
    }
}
