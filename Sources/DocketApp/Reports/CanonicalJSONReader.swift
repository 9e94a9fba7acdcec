import Foundation

/// A small pull reader for the JSON payloads in Docket's log, reading in place (no copies of the payload, no
/// Foundation objects). Written by hand because the billing reports must fold the whole log at over a million
/// events a second and `JSONDecoder` manages about 140k small payloads a second here (docs/billing.md, "Reports").
///
/// It accepts any JSON (whitespace, escapes), not only the canonical form Docket writes; numbers must be
/// integers (Docket's payloads have no floats). Object keys are compared as raw bytes, so a key written with
/// escapes never matches: Docket's keys are plain ASCII.
struct CanonicalJSONReader {
    /// Why a payload did not read.
    struct Malformed: Error, CustomStringConvertible {
        let offset: Int
        let what: String
        var description: String { "\(what) at byte \(offset)" }
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    // MARK: - Structure

    /// Consumes `{`.
    mutating func beginObject() throws {
        try expect(UInt8(ascii: "{"))
        firstMember = true
    }

    private var firstMember = true

    /// The next member's key (raw bytes, valid while the payload is) with the reader at its value, or nil after
    /// the closing `}`. Call only on the innermost open object, after consuming the previous member's value.
    mutating func nextKey() throws -> UnsafeRawBufferPointer? {
        skipSpace()
        guard offset < bytes.count else { throw Malformed(offset: offset, what: "unterminated object") }
        if bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            firstMember = false
            return nil
        }
        if !firstMember { try expect(UInt8(ascii: ",")) }
        firstMember = false
        try expect(UInt8(ascii: "\""))
        let start = offset
        if let end = plainEnd(from: start) {
            offset = end
        } else {
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") {
                offset += bytes[offset] == UInt8(ascii: "\\") ? 2 : 1
            }
        }
        guard offset < bytes.count else { throw Malformed(offset: start, what: "unterminated key") }
        let key = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
        offset += 1
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// Consumes the next member's key when it is exactly `name` written as Docket writes its payloads — `"name":` right
    /// after the `{` or the `,` before it, no space, no escape — and answers true, the reader at the value; otherwise
    /// consumes nothing and answers false (read the key with ``nextKey()``, which then finds what this would have).
    mutating func takeKey(_ name: StaticString) -> Bool {
        let separator = firstMember ? 0 : 1
        let count = name.utf8CodeUnitCount
        guard let base = bytes.baseAddress, bytes.count - offset >= separator + count + 3 else { return false }
        let start = base + offset
        if separator == 1, start.load(as: UInt8.self) != UInt8(ascii: ",") { return false }
        guard start.load(fromByteOffset: separator, as: UInt8.self) == UInt8(ascii: "\""),
            memcmp(start + separator + 1, name.utf8Start, count) == 0,
            start.load(fromByteOffset: separator + 1 + count, as: UInt8.self) == UInt8(ascii: "\""),
            start.load(fromByteOffset: separator + 2 + count, as: UInt8.self) == UInt8(ascii: ":")
        else { return false }
        offset += separator + count + 3
        firstMember = false
        return true
    }

    /// Consumes the `}` that closes the object when it is the next byte, no space before it, and answers true (what
    /// ``nextKey()`` does there, answering nil); otherwise consumes nothing and answers false.
    mutating func takeEndOfObject() -> Bool {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "}") else { return false }
        offset += 1
        firstMember = false
        return true
    }

    /// Runs `body` once per member of the object at the reader, with the reader at the member's value; `body`
    /// must consume the value (read it or ``skipValue()``).
    mutating func forEachMember(_ body: (UnsafeRawBufferPointer, inout CanonicalJSONReader) throws -> Void) throws {
        try beginObject()
        while let key = try nextKey() {
            try body(key, &self)
            firstMember = false
        }
    }

    /// Runs `body` once per element of the array at the reader, with the reader at the element.
    mutating func forEachElement(_ body: (inout CanonicalJSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            offset += 1
            return
        }
        while true {
            try body(&self)
            skipSpace()
            guard offset < bytes.count else { throw Malformed(offset: offset, what: "unterminated array") }
            let byte = bytes[offset]
            offset += 1
            if byte == UInt8(ascii: "]") { return }
            guard byte == UInt8(ascii: ",") else { throw Malformed(offset: offset - 1, what: "expected , or ]") }
        }
    }

    // MARK: - Values

    /// True (and consumed) when the value is `null`.
    mutating func null() -> Bool {
        skipSpace()
        guard bytes.count - offset >= 4, bytes[offset] == UInt8(ascii: "n") else { return false }
        offset += 4
        return true
    }

    mutating func bool() throws -> Bool {
        skipSpace()
        if bytes.count - offset >= 4, bytes[offset] == UInt8(ascii: "t") {
            offset += 4
            return true
        }
        if bytes.count - offset >= 5, bytes[offset] == UInt8(ascii: "f") {
            offset += 5
            return false
        }
        throw Malformed(offset: offset, what: "expected true or false")
    }

    /// An integer; fractions and exponents are refused.
    mutating func int() throws -> Int64 {
        skipSpace()
        var negative = false
        if peek() == UInt8(ascii: "-") {
            negative = true
            offset += 1
        }
        let start = offset
        var value: Int64 = 0
        while offset < bytes.count {
            let digit = bytes[offset] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { throw Malformed(offset: start, what: "integer out of range") }
            value = sum
            offset += 1
        }
        guard offset > start else { throw Malformed(offset: start, what: "expected an integer") }
        if let next = peek(), next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            throw Malformed(offset: start, what: "expected an integer, found a fraction")
        }
        return negative ? -value : value
    }

    /// The raw bytes of a string with no escapes (the common case), or nil when it has escapes (use ``string()``).
    /// The reader is left at the string either way when nil.
    mutating func plainString() throws -> UnsafeRawBufferPointer? {
        skipSpace()
        let save = offset
        try expect(UInt8(ascii: "\""))
        let start = offset
        if let end = plainEnd(from: start) {
            offset = end + 1
            return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<(offset - 1)])
            }
            if byte == UInt8(ascii: "\\") {
                offset = save
                return nil
            }
            offset += 1
        }
        throw Malformed(offset: start, what: "unterminated string")
    }

    /// The offset of the first `"` at or after `start` when no `\\` comes before it (the end of a string without
    /// escapes); nil when there is a backslash first or no quote at all (the caller then takes the bytes one by one).
    /// The first 32 bytes are tested eight at a time for either byte (most keys and values are shorter: two `memchr`
    /// calls cost more than the words they skip), the rest of a longer text with `memchr` (a byte-by-byte loop cost
    /// several instructions a byte of every text).
    func plainEnd(from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        var offset = start
        while bytes.count - offset >= 8 {
            if offset - start == 32 { return Self.plainEnd(base, from: offset, count: bytes.count) }
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            // The lowest byte found is exact (the zero-byte test errs only above a true zero), and the lowest byte is the
            // first in memory.
            let found = Self.zeroBytes(word ^ Self.quotes) | Self.zeroBytes(word ^ Self.backslashes)
            if found != 0 {
                let index = offset + found.trailingZeroBitCount / 8
                return base.load(fromByteOffset: index, as: UInt8.self) == UInt8(ascii: "\"") ? index : nil
            }
            offset += 8
        }
        while offset < bytes.count {
            let byte = base.load(fromByteOffset: offset, as: UInt8.self)
            if byte == UInt8(ascii: "\"") { return offset }
            if byte == UInt8(ascii: "\\") { return nil }
            offset += 1
        }
        return nil
    }

    /// `plainEnd` past the first 32 bytes (which hold no quote or backslash), with `memchr`.
    private static func plainEnd(_ base: UnsafeRawPointer, from offset: Int, count: Int) -> Int? {
        guard let quote = memchr(base + offset, Int32(UInt8(ascii: "\"")), count - offset) else { return nil }
        let end = base.distance(to: UnsafeRawPointer(quote))
        if end > offset, memchr(base + offset, Int32(UInt8(ascii: "\\")), end - offset) != nil { return nil }
        return end
    }

    private static let quotes: UInt64 = 0x2222_2222_2222_2222
    private static let backslashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C

    /// The high bit of each zero byte of `word` set (and possibly of bytes above the lowest zero byte).
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// A string, unescaped.
    mutating func string() throws -> String {
        if let plain = try plainString() { return Self.text(plain) }
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { break }
                let escaped = bytes[offset]
                offset += 1
                switch escaped {
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"),
                        bytes[offset + 1] == UInt8(ascii: "u")
                    {
                        offset += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                    }
                    out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default: out.append(escaped)  // \" \\ \/
                }
            default: out.append(byte)
            }
        }
        throw Malformed(offset: offset, what: "unterminated string")
    }

    /// `String(decoding: bytes, as: UTF8.self)` (ill-formed UTF-8 repaired), with one pass over the bytes of a short
    /// text: up to 15 bytes (a client code, a ticket number, a login, a status) are copied straight into the string,
    /// which tests them for ASCII with a word operation and repairs them as `String(decoding:as:)` does when they are
    /// not; `String(decoding:as:)` validated them first and copied them after (some 240 instructions a string).
    static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count <= 15, let source = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: source, byteCount: bytes.count)
            return bytes.count
        }
    }

    /// Consumes a string without making it (a value the caller does not read). False when the value is not a string.
    mutating func skipString() throws -> Bool {
        skipSpace()
        guard peek() == UInt8(ascii: "\"") else { return false }
        if try plainString() == nil { _ = try string() }
        return true
    }

    /// Skips one value of any kind.
    mutating func skipValue() throws {
        skipSpace()
        guard let byte = peek() else { throw Malformed(offset: offset, what: "expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            if try plainString() == nil { _ = try string() }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // Strings are the only place brackets may appear unbalanced: skip them whole.
            var depth = 0
            while offset < bytes.count {
                let c = bytes[offset]
                if c == UInt8(ascii: "\"") {
                    if try plainString() == nil { _ = try string() }
                    continue
                }
                offset += 1
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth += 1
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return }
                }
            }
            throw Malformed(offset: offset, what: "unterminated value")
        default:
            // A number, true, false or null: up to the next delimiter.
            while offset < bytes.count {
                let c = bytes[offset]
                if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c <= 0x20 { break }
                offset += 1
            }
        }
    }

    // MARK: - Helpers

    /// Whether raw key bytes are exactly `name`.
    static func key(_ key: UnsafeRawBufferPointer, is name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        return key.count == count && memcmp(key.baseAddress!, name.utf8Start, count) == 0
    }

    private func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    /// Inlined, with the test that fails on canonical JSON (no space between tokens) first.
    @inline(__always) private mutating func skipSpace() {
        while offset < bytes.count, bytes[offset] <= 0x20 {
            let c = bytes[offset]
            guard c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 else { return }
            offset += 1
        }
    }

    @inline(__always) private mutating func expect(_ byte: UInt8) throws {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == byte else { throw unexpected(byte) }
        offset += 1
    }

    /// The error of `expect`, out of line.
    private func unexpected(_ byte: UInt8) -> Malformed {
        Malformed(offset: offset, what: "expected \(Character(Unicode.Scalar(byte)))")
    }

    private mutating func hex4() throws -> UInt32 {
        guard bytes.count - offset >= 4 else { throw Malformed(offset: offset, what: "short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[offset]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw Malformed(offset: offset, what: "bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }
}
