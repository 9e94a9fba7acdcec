/// Keys whose bytes sort the way their values do, so an LMDB cursor walks a table or an index in value order.
///
/// - unsigned integers: big-endian, fixed width;
/// - signed integers: big-endian with the sign bit flipped (every negative value sorts before every positive one);
/// - strings: their UTF-8 bytes and a 0x00 terminator (Docket's identifiers hold no control characters, so a
///   shorter string sorts before every longer one it prefixes, and a string can be followed by more fields); or
///   their byte count, then their bytes (`ShortlexUTF8`: numbered identifiers in number order);
/// - composite keys: the fields in order (`OrderedKey.append`).
public protocol OrderedKeyPart {
    /// Appends this value's ordered bytes.
    func appendOrdered(to key: inout [UInt8])
}

// The conformances are @inlinable so that a key's parts are appended inline where a projection builds its keys.
extension UInt8: OrderedKeyPart {
    @inlinable public func appendOrdered(to key: inout [UInt8]) { key.append(self) }
}

extension UInt64: OrderedKeyPart {
    @inlinable public func appendOrdered(to key: inout [UInt8]) {
        withUnsafeBytes(of: bigEndian) { key.append(contentsOf: $0) }
    }
}

extension Int64: OrderedKeyPart {
    @inlinable public func appendOrdered(to key: inout [UInt8]) {
        (UInt64(bitPattern: self) ^ (1 << 63)).appendOrdered(to: &key)
    }
}

extension String: OrderedKeyPart {
    @inlinable public func appendOrdered(to key: inout [UInt8]) {
        // The bytes in one copy (appending the `utf8` view went through the generic sequence path: some 500
        // instructions an index key).
        var text = self
        text.withUTF8 { key.append(contentsOf: $0) }
        key.append(0)
    }
}

/// A string's UTF-8 bytes, as a key part: the bytes `String.appendOrdered` appends for the string they are (its UTF-8
/// and the 0x00 terminator), from bytes read in place (a stored row's field) with no `String` made for them. Valid
/// while the bytes are.
public struct OrderedUTF8: OrderedKeyPart {
    public let bytes: UnsafeRawBufferPointer

    @inlinable public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable public func appendOrdered(to key: inout [UInt8]) {
        key.append(contentsOf: bytes)
        key.append(0)
    }
}

/// An identifier's UTF-8 bytes after their count (4 bytes, big-endian), as a key part: keys sort by length first,
/// then by bytes ("shortlex"), so identifiers made of a prefix and a growing number (`T-999`, `T-1000`, `T-10000`) sort
/// in number order. A new ticket's key then sorts after every earlier ticket's and is appended at the end of its table
/// (`MDB_APPEND`: full pages) where, ordered by bytes alone (`T-10000` before `T-1001`), it went into the middle (half
/// full pages after the splits). The count makes the part unambiguous whatever bytes it holds. Valid while the bytes
/// are.
public struct ShortlexUTF8: OrderedKeyPart {
    public let bytes: UnsafeRawBufferPointer

    @inlinable public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable public func appendOrdered(to key: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(clamping: bytes.count).bigEndian) { key.append(contentsOf: $0) }
        key.append(contentsOf: bytes)
    }

    /// The key part of `text`, on its own.
    @inlinable public static func key(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { OrderedKey.of(ShortlexUTF8(UnsafeRawBufferPointer($0))) }
    }

    /// The identifier at the start of `key` (a key that begins with this part), and where the rest of the key begins;
    /// nil when the key is shorter than its count says (a damaged entry).
    public static func read(_ key: UnsafeRawBufferPointer) -> (text: String, end: Int)? {
        guard key.count >= 4 else { return nil }
        let count = Int(UInt32(bigEndian: key.loadUnaligned(as: UInt32.self)))
        guard key.count - 4 >= count else { return nil }
        return (String(decoding: UnsafeRawBufferPointer(rebasing: key[4..<(4 + count)]), as: UTF8.self), 4 + count)
    }
}

/// Building and reading ordered keys.
public enum OrderedKey {
    /// The key of `parts`, in order. A parameter pack, not `any OrderedKeyPart...`: the caller's module specializes it
    /// for its parts' types, with no array of existentials made per key (index keys are built for every row written).
    @inlinable public static func of<each Part: OrderedKeyPart>(_ parts: repeat each Part) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(32)
        repeat (each parts).appendOrdered(to: &key)
        return key
    }

    /// The `UInt64` at `offset` of an ordered key (0 when the key is too short: a damaged entry).
    public static func uint64(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        guard offset >= 0, bytes.count >= offset + 8 else { return 0 }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The `Int64` at `offset` of an ordered key (`Int64.min` when the key is too short).
    public static func int64(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> Int64 {
        guard offset >= 0, bytes.count >= offset + 8 else { return .min }
        return Int64(bitPattern: uint64(bytes, at: offset) ^ (1 << 63))
    }
}

/// A key of two parts, e.g. an alert's source and fingerprint: the first part's ordered bytes, then the second's.
/// Ordered as the pair (first, then second), like its bytes when the parts' own orders are those of their bytes.
public struct KeyPair<First: OrderedKeyPart & Hashable & Comparable, Second: OrderedKeyPart & Hashable & Comparable>:
    OrderedKeyPart, Hashable, Comparable
{
    public let first: First
    public let second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public func appendOrdered(to key: inout [UInt8]) {
        first.appendOrdered(to: &key)
        second.appendOrdered(to: &key)
    }

    public static func < (lhs: KeyPair, rhs: KeyPair) -> Bool { (lhs.first, lhs.second) < (rhs.first, rhs.second) }
}
