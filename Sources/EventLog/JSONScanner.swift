/// A strict JSON scanner over UTF-8 bytes (RFC 8259) for the NDJSON paths (`import`, `event append --stdin`):
/// it validates a value and finds an object's top-level members without building Foundation objects.
///
/// It answers only what it is sure of: anything unusual (an escape in a string it must decode, a lone surrogate,
/// a duplicate key, nesting deeper than 512) is a miss (`nil`), and the caller falls back to `JSONSerialization`,
/// which gives the same result or the same error as before.
public enum JSONScanner {
    /// One top-level member: its key (without escapes) and the byte range of its value.
    public struct Member {
        public let key: String
        public let value: Range<Int>
        /// Whether the value is an object or array in canonical form (`isCanonical`); known only for the member
        /// `members(_:maxDepth:canonical:)` was asked about, false for the others.
        public let isCanonical: Bool

        public init(key: String, value: Range<Int>, isCanonical: Bool = false) {
            (self.key, self.value, self.isCanonical) = (key, value, isCanonical)
        }
    }

    /// The members of the JSON object that is the whole of `bytes` (surrounding whitespace allowed), in order;
    /// nil when `bytes` is not valid JSON, not an object, has an escaped or repeated key, or nests deeper than
    /// `maxDepth` objects and arrays (the object itself counting as one: `JSONBounds.depth`'s measure). The value of
    /// the member named `canonical`, when it is an object or array, is read as `isCanonical` reads it first (one pass
    /// over it, where the check after the scan was a second): `Member.isCanonical` says whether it is; the members are
    /// the same either way.
    public static func members(_ bytes: [UInt8], maxDepth: Int = .max, canonical: String? = nil) -> [Member]? {
        bytes.withUnsafeBufferPointer { members($0, maxDepth: maxDepth, canonical: canonical) }
    }

    /// `members(_:maxDepth:canonical:)` of the bytes `buffer` points at (a line read in place, not copied first).
    public static func members(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = .max, canonical: String? = nil) -> [Member]? {
        guard maxDepth >= 1 else { return nil }
        var scanner = Scanner(bytes: buffer, containerLimit: maxDepth - 1)
        scanner.skipSpace()
        guard scanner.peek == UInt8(ascii: "{") else { return nil }
        scanner.i += 1
        var members: [Member] = []
        members.reserveCapacity(8)
        // Repeated keys: a set once there are many members, a look along the few before until then.
        var seen: Set<String>?
        scanner.skipSpace()
        if scanner.peek == UInt8(ascii: "}") {
            scanner.i += 1
        } else {
            while true {
                guard let key = scanner.plainString() else { return nil }
                if members.count == 16 { seen = Set(members.map(\.key)) }
                if seen != nil {
                    guard seen!.insert(key).inserted else { return nil }
                } else if members.contains(where: { $0.key == key }) {
                    return nil
                }
                scanner.skipSpace()
                guard scanner.peek == UInt8(ascii: ":") else { return nil }
                scanner.i += 1
                scanner.skipSpace()
                let start = scanner.i
                var isCanonical = false
                if let canonical, scanner.peek == UInt8(ascii: "{") || scanner.peek == UInt8(ascii: "["), key == canonical {
                    // A canonical value is a valid one, read to the same end; any other is read again as a value.
                    isCanonical = scanner.canonical(depth: 1)
                    if !isCanonical { scanner.i = start }
                }
                guard isCanonical || scanner.value(depth: 1) else { return nil }
                members.append(Member(key: key, value: start..<scanner.i, isCanonical: isCanonical))
                scanner.skipSpace()
                if scanner.peek == UInt8(ascii: ",") {
                    scanner.i += 1
                    scanner.skipSpace()
                    continue
                }
                guard scanner.peek == UInt8(ascii: "}") else { return nil }
                scanner.i += 1
                break
            }
        }
        scanner.skipSpace()
        guard scanner.i == buffer.count, isUTF8(buffer) else { return nil }
        return members
    }

    /// The text of a JSON string value without escapes (`"abc"`), or nil.
    public static func plainString(_ bytes: [UInt8], _ range: Range<Int>) -> String? {
        bytes.withUnsafeBufferPointer { plainString($0, range) }
    }

    /// `plainString(_:_:)` of the bytes `bytes` points at.
    public static func plainString(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""), bytes[range.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        let inner = bytes[(range.lowerBound + 1)..<(range.upperBound - 1)]
        var high: UInt8 = 0
        for byte in inner {
            guard byte != UInt8(ascii: "\\"), byte != UInt8(ascii: "\""), byte >= 0x20 else { return nil }
            high |= byte
        }
        return text(inner, ascii: high < 0x80)
    }

    /// `bytes` as a string: decoded straight when they are ASCII, else validated (nil when they are not UTF-8).
    static func text(_ bytes: some Collection<UInt8>, ascii: Bool) -> String? {
        ascii ? String(decoding: bytes, as: UTF8.self) : String(validating: bytes, as: UTF8.self)
    }

    /// The value of a JSON number written as plain digits (no sign, fraction or exponent, no leading zero, at most
    /// 18 digits), or nil.
    public static func plainInteger(_ bytes: [UInt8], _ range: Range<Int>) -> Int64? {
        bytes.withUnsafeBufferPointer { plainInteger($0, range) }
    }

    /// `plainInteger(_:_:)` of the bytes `bytes` points at.
    public static func plainInteger(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        guard (1...18).contains(range.count), bytes[range].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            range.count == 1 || bytes[range.lowerBound] != UInt8(ascii: "0")
        else { return nil }
        return bytes[range].reduce(Int64(0)) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
    }

    /// Whether the valid JSON object or array in `range` is already in the canonical form `JSONSerialization`
    /// writes with sorted keys and unescaped slashes: no whitespace, keys in an order both byte order and
    /// Foundation's collation agree on (`sortsFirst`) at every level, strings of printable ASCII without escapes,
    /// numbers as plain integers of at most 15 digits.
    /// Such a payload can be stored as it is; any other is canonicalized by Foundation.
    public static func isCanonical(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = Scanner(bytes: UnsafeBufferPointer(rebasing: buffer[..<range.upperBound]))
            scanner.i = range.lowerBound
            return scanner.canonical(depth: 1) && scanner.i == range.upperBound
        }
    }

    /// Whether `bytes` are UTF-8: ASCII checked 32 bytes at a time, anything else validated by the standard
    /// library (whose generic validation was a twentieth of `event append --stdin`'s CPU on ASCII lines).
    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(bytes)
        var k = 0
        // Four words at a time, then one.
        while k + 32 <= raw.count {
            let words = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: k + 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: k + 24, as: UInt64.self)
            guard words & 0x8080_8080_8080_8080 == 0 else { return String(validating: bytes, as: UTF8.self) != nil }
            k += 32
        }
        while k + 8 <= raw.count {
            guard raw.loadUnaligned(fromByteOffset: k, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 else {
                return String(validating: bytes, as: UTF8.self) != nil
            }
            k += 8
        }
        while k < raw.count {
            guard raw[k] < 0x80 else { return String(validating: bytes, as: UTF8.self) != nil }
            k += 1
        }
        return true
    }

    /// The end of the valid JSON value that starts at `start` in `bytes`, nested no deeper than `maxDepth` objects and
    /// arrays (the value itself counting as one); nil when there is no such value there. Strings follow `members`'
    /// rules (escapes allowed, no lone surrogate).
    static func valueEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, maxDepth: Int) -> Int? {
        var scanner = Scanner(bytes: bytes, containerLimit: maxDepth)
        scanner.i = start
        return scanner.value(depth: 1) ? scanner.i : nil
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0
        /// The deepest an object or array may be, the outermost value being at depth 1.
        var containerLimit = Int.max

        init(bytes: UnsafeBufferPointer<UInt8>, containerLimit: Int = .max) {
            self.bytes = bytes
            self.containerLimit = containerLimit
        }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        /// A string without escapes, as text.
        mutating func plainString() -> String? {
            guard peek == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            i += 1
            var high: UInt8 = 0
            while i < bytes.count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\"") {
                    i += 1
                    return JSONScanner.text(UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)]), ascii: high < 0x80)
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                high |= byte
                i += 1
            }
            return nil
        }

        /// Moves on sixteen bytes, then eight, at a time while none of them is a quote, a backslash or a control
        /// character (nor, with `printable`, above 0x7E): the long runs of plain text inside strings, which a byte at a
        /// time made the scanner's largest cost. Stops on the first such byte (the lowest one `stops` finds in the word
        /// holding it), or near the end, for the byte loop: most strings are short keys and values, whose last bytes
        /// the byte loop took one by one. (Swift's `SIMD16` compares were ten times slower than these bit tricks.)
        @inline(__always)
        mutating func skipPlainWords(printable: Bool) {
            let raw = UnsafeRawBufferPointer(bytes)
            while i + 16 <= raw.count {
                let first = Scanner.stops(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)), printable: printable)
                let second = Scanner.stops(
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)), printable: printable)
                if first | second != 0 {
                    i += first != 0 ? first.trailingZeroBitCount >> 3 : 8 + second.trailingZeroBitCount >> 3
                    return
                }
                i += 16
            }
            while i + 8 <= raw.count {
                let stops = Scanner.stops(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)), printable: printable)
                if stops != 0 {
                    i += stops.trailingZeroBitCount >> 3
                    return
                }
                i += 8
            }
        }

        /// Not zero when some byte of `word` is a quote, a backslash or a control character, or with `printable` above
        /// 0x7E. Each test sets the high bit of a byte it finds, and may set it in bytes above that one (a borrow or a
        /// carry), never below: the lowest high bit set (`word` read little-endian) is the first byte found.
        @inline(__always)
        static func stops(_ word: UInt64, printable: Bool) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            // A byte below 0x20 (exact for bytes below 0x80; the others are found apart with `printable`, or are UTF-8).
            var found = (word &- ones &* 0x20) & ~word
            // A quote or a backslash: a byte of `word ^ byte…` that is zero.
            let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
            let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            found |= (quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes
            if printable {
                // A byte of 0x7F or above: its low seven bits plus one carry into its high bit, or it is set already.
                found |= ((word & ~highs) &+ ones) | word
            }
            return found & highs
        }

        /// Skips a valid string (escapes allowed, except lone surrogates).
        mutating func string() -> Bool {
            guard peek == UInt8(ascii: "\"") else { return false }
            i += 1
            skipPlainWords(printable: false)
            while i < bytes.count {
                let byte = bytes[i]
                switch byte {
                case UInt8(ascii: "\""):
                    i += 1
                    return true
                case UInt8(ascii: "\\"):
                    guard i + 1 < bytes.count else { return false }
                    switch bytes[i + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 2
                        skipPlainWords(printable: false)
                    case UInt8(ascii: "u"):
                        guard i + 5 < bytes.count else { return false }
                        var code: UInt32 = 0
                        for digit in bytes[(i + 2)..<(i + 6)] {
                            guard let value = Scanner.hex(digit) else { return false }
                            code = code << 4 | value
                        }
                        guard !(0xD800...0xDFFF).contains(code) else { return false }
                        i += 6
                        skipPlainWords(printable: false)
                    default:
                        return false
                    }
                default:
                    guard byte >= 0x20 else { return false }
                    i += 1
                }
            }
            return false
        }

        static func hex(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }

        mutating func digits() -> Int {
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }

        mutating func number() -> Bool {
            if peek == UInt8(ascii: "-") { i += 1 }
            if peek == UInt8(ascii: "0") {
                i += 1
            } else if digits() == 0 {
                return false
            }
            if peek == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { return false }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                i += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return false }
            }
            return true
        }

        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard i + count <= bytes.count else { return false }
            for k in 0..<count where bytes[i + k] != text.utf8Start[k] { return false }
            i += count
            return true
        }

        /// Skips one valid value.
        mutating func value(depth: Int) -> Bool {
            guard depth <= 512, let first = peek else { return false }
            switch first {
            case UInt8(ascii: "\""): return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth <= containerLimit else { return false }
                let isObject = first == UInt8(ascii: "{")
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                i += 1
                skipSpace()
                if peek == close {
                    i += 1
                    return true
                }
                while true {
                    if isObject {
                        guard string() else { return false }
                        skipSpace()
                        guard peek == UInt8(ascii: ":") else { return false }
                        i += 1
                        skipSpace()
                    }
                    guard value(depth: depth + 1) else { return false }
                    skipSpace()
                    if peek == UInt8(ascii: ",") {
                        i += 1
                        skipSpace()
                        continue
                    }
                    guard peek == close else { return false }
                    i += 1
                    return true
                }
            default: return number()
            }
        }

        /// Whether key `a` comes before key `b` both in byte order and in the order `JSONSerialization` sorts keys
        /// by (the system locale's collation with numeric search): true only when the first byte where they differ
        /// is a lower-case letter in both, or `a` is a prefix of `b` followed by a letter or digit. Other pairs
        /// (case or punctuation deciding, digit runs) are left to Foundation.
        static func sortsFirst(_ a: Slice<UnsafeBufferPointer<UInt8>>, _ b: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
            func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
            func isAlphanumeric(_ byte: UInt8) -> Bool {
                isLower(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            }
            for (x, y) in zip(a, b) where x != y { return isLower(x) && isLower(y) && x < y }
            guard b.count > a.count else { return false }
            return isAlphanumeric(b[b.startIndex + a.count])
        }

        /// A string of printable ASCII without escapes; returns its bytes' range.
        mutating func canonicalString() -> Range<Int>? {
            guard peek == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            i += 1
            skipPlainWords(printable: true)
            while i < bytes.count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\"") {
                    i += 1
                    return start..<(i - 1)
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                i += 1
            }
            return nil
        }

        /// Skips one value in canonical form (see `isCanonical`), nested no deeper than `containerLimit` (as `value`).
        mutating func canonical(depth: Int) -> Bool {
            guard depth <= 512, let first = peek else { return false }
            switch first {
            case UInt8(ascii: "\""): return canonicalString() != nil
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            case UInt8(ascii: "{"):
                guard depth <= containerLimit else { return false }
                i += 1
                if peek == UInt8(ascii: "}") {
                    i += 1
                    return true
                }
                var previous: Range<Int>?
                while true {
                    guard let key = canonicalString() else { return false }
                    if let previous, !Scanner.sortsFirst(bytes[previous], bytes[key]) { return false }
                    previous = key
                    guard peek == UInt8(ascii: ":") else { return false }
                    i += 1
                    guard canonical(depth: depth + 1) else { return false }
                    if peek == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    guard peek == UInt8(ascii: "}") else { return false }
                    i += 1
                    return true
                }
            case UInt8(ascii: "["):
                guard depth <= containerLimit else { return false }
                i += 1
                if peek == UInt8(ascii: "]") {
                    i += 1
                    return true
                }
                while true {
                    guard canonical(depth: depth + 1) else { return false }
                    if peek == UInt8(ascii: ",") {
                        i += 1
                        continue
                    }
                    guard peek == UInt8(ascii: "]") else { return false }
                    i += 1
                    return true
                }
            default:
                let start = i
                if peek == UInt8(ascii: "-") { i += 1 }
                let count = digits()
                guard count >= 1, count <= 15, count == 1 || bytes[i - count] != UInt8(ascii: "0") else { return false }
                guard !(bytes[start] == UInt8(ascii: "-") && count == 1 && bytes[i - 1] == UInt8(ascii: "0")) else { return false }
                return peek != UInt8(ascii: ".") && peek != UInt8(ascii: "e") && peek != UInt8(ascii: "E")
            }
        }
    }
}
