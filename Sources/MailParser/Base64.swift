/// Tolerant base64 decoding (RFC 2045 §6.8) for bodies and encoded words.
public enum Base64 {
    /// The bytes encoded in `encoded`.
    ///
    /// Lenient: characters outside the alphabet (line breaks, spaces, junk) are skipped, line length is ignored,
    /// padding may be missing, and a `=` ends a quantum early so that concatenated encodings decode in turn.
    /// A lone trailing character (6 bits, less than a byte) is dropped.
    public static func decode(_ encoded: some Sequence<UInt8>) -> [UInt8] {
        let input = Array(encoded)
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 + 3)
        var quantum: UInt32 = 0
        var count = 0
        input.withUnsafeBufferPointer { bytes in
            for byte in bytes {
                let value = sextets[Int(byte)]
                if value < 64 {
                    quantum = quantum << 6 | UInt32(value)
                    count += 1
                    if count == 4 {
                        output.append(UInt8(truncatingIfNeeded: quantum >> 16))
                        output.append(UInt8(truncatingIfNeeded: quantum >> 8))
                        output.append(UInt8(truncatingIfNeeded: quantum))
                        quantum = 0
                        count = 0
                    }
                } else if byte == ASCII.equals {
                    flushPartial(quantum: quantum, count: count, into: &output)
                    quantum = 0
                    count = 0
                }
            }
        }
        flushPartial(quantum: quantum, count: count, into: &output)
        return output
    }

    /// Appends the whole bytes of an incomplete quantum (2 or 3 characters give 1 or 2 bytes).
    private static func flushPartial(quantum: UInt32, count: Int, into output: inout [UInt8]) {
        if count == 2 { output.append(UInt8(truncatingIfNeeded: quantum >> 4)) }
        if count == 3 {
            output.append(UInt8(truncatingIfNeeded: quantum >> 10))
            output.append(UInt8(truncatingIfNeeded: quantum >> 2))
        }
    }

    /// The value of each byte as a base64 digit; 64 for bytes outside the alphabet.
    private static let sextets: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case 0x41...0x5A: UInt8(byte) - 0x41
        case 0x61...0x7A: UInt8(byte) - 0x61 + 26
        case 0x30...0x39: UInt8(byte) - 0x30 + 52
        case 0x2B: 62
        case 0x2F: 63
        default: 64
        }
    }

    /// `bytes` in base64 with padding and no line breaks.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let first = UInt32(input[index]) << 16
            let second = remaining > 1 ? UInt32(input[index + 1]) << 8 : 0
            let third = remaining > 2 ? UInt32(input[index + 2]) : 0
            let group = first | second | third
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(remaining > 1 ? alphabet[Int(group >> 6 & 0x3F)] : ASCII.equals)
            output.append(remaining > 2 ? alphabet[Int(group & 0x3F)] : ASCII.equals)
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
