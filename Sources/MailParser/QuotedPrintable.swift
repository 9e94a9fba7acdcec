/// Tolerant quoted-printable decoding (RFC 2045 §6.7) for bodies, and the Q encoding of RFC 2047 encoded words.
public enum QuotedPrintable {
    /// The bytes encoded in the quoted-printable body `encoded`.
    ///
    /// Soft line breaks (`=` at the end of a line, even when followed by blanks) are removed, `=XX` is decoded in
    /// either case, trailing blanks on a line are dropped as transport padding, and a `=` that starts no valid
    /// escape is kept as it is. Line breaks (CR LF or LF) are kept as they appear.
    public static func decode(_ encoded: some Collection<UInt8>) -> [UInt8] {
        let input = Array(encoded)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        var pendingBlanks: [UInt8] = []
        while index < input.count {
            let byte = input[index]
            if ASCII.isBlank(byte) {
                pendingBlanks.append(byte)
                index += 1
                continue
            }
            if byte == ASCII.carriageReturn || byte == ASCII.lineFeed {
                pendingBlanks.removeAll()  // trailing whitespace before a hard line break is padding
                output.append(byte)
                index += 1
                continue
            }
            output.append(contentsOf: pendingBlanks)
            pendingBlanks.removeAll()
            guard byte == ASCII.equals else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 2 < input.count, let high = ASCII.hexValue(input[index + 1]),
                let low = ASCII.hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
                continue
            }
            // A soft line break: "=" then optional blanks then CR LF, LF or the end of the input.
            var lookahead = index + 1
            while lookahead < input.count, ASCII.isBlank(input[lookahead]) { lookahead += 1 }
            if lookahead == input.count {
                index = lookahead
            } else if input[lookahead] == ASCII.lineFeed {
                index = lookahead + 1
            } else if input[lookahead] == ASCII.carriageReturn {
                index = lookahead + 1
                if index < input.count, input[index] == ASCII.lineFeed { index += 1 }
            } else {
                output.append(byte)
                index += 1
            }
        }
        output.append(contentsOf: pendingBlanks)
        return output
    }

    /// The bytes of the text of an RFC 2047 "Q" encoded word: like quoted-printable, with `_` standing for a space.
    static func decodeEncodedWord(_ encoded: some Collection<UInt8>) -> [UInt8] {
        let input = Array(encoded)
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == 0x5F {
                output.append(ASCII.space)
            } else if byte == ASCII.equals, index + 2 < input.count, let high = ASCII.hexValue(input[index + 1]),
                let low = ASCII.hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
                continue
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }
}
