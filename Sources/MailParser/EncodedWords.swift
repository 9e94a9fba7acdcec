/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in unstructured header text and display names.
public enum EncodedWords {
    /// `text` with every encoded word decoded.
    ///
    /// Adjacent encoded words are joined without the whitespace between them, and their bytes are joined before
    /// charset decoding so that a character split across two words survives. Lenient: encoded words are also
    /// recognised inside words and quoted strings, a `*language` suffix on the charset is ignored, and anything
    /// that does not decode is left as written.
    public static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        var segments: [Segment] = []
        var literal = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "=", index + 1 < scalars.count, scalars[index + 1] == "?",
                let (word, end) = encodedWord(in: scalars, at: index)
            {
                if !literal.isEmpty {
                    segments.append(.literal(String(literal)))
                    literal.removeAll()
                }
                segments.append(word)
                index = end
                continue
            }
            literal.append(scalars[index])
            index += 1
        }
        if !literal.isEmpty { segments.append(.literal(String(literal))) }
        return join(segments)
    }

    private enum Segment {
        case literal(String)
        case encoded(charset: String, bytes: [UInt8])
    }

    /// Parses `=?charset?encoding?text?=` starting at `start`; returns the word and the index after it.
    private static func encodedWord(in scalars: [Unicode.Scalar], at start: Int) -> (Segment, Int)? {
        var index = start + 2
        var charset = String.UnicodeScalarView()
        while index < scalars.count, scalars[index] != "?" {
            let scalar = scalars[index]
            guard scalar.isASCII, scalar != " ", scalar != "\t", scalar != "\n" else { return nil }
            charset.append(scalar)
            index += 1
        }
        guard !charset.isEmpty, index + 2 < scalars.count, scalars[index + 2] == "?" else { return nil }
        let encoding = scalars[index + 1]
        index += 3
        var payload: [UInt8] = []
        while index + 1 < scalars.count, !(scalars[index] == "?" && scalars[index + 1] == "=") {
            let scalar = scalars[index]
            guard scalar.isASCII, scalar != "\n", scalar != "\r" else { return nil }
            payload.append(UInt8(scalar.value))
            index += 1
        }
        guard index + 1 < scalars.count else { return nil }
        let bytes: [UInt8]
        switch encoding {
        case "B", "b": bytes = Base64.decode(payload)
        case "Q", "q": bytes = QuotedPrintable.decodeEncodedWord(payload)
        default: return nil
        }
        return (.encoded(charset: String(charset), bytes: bytes), index + 2)
    }

    /// Joins segments: whitespace-only literals between two encoded words disappear, and adjacent encoded
    /// words in the same charset are decoded together.
    private static func join(_ segments: [Segment]) -> String {
        var result = ""
        var pending: (charset: String, words: [[UInt8]])?
        func flush() {
            guard let (charset, words) = pending else { return }
            pending = nil
            let joined = Charset.decode(words.joined(), label: charset)
            if joined.charsetRecognized || !Charset.isRecognized(charset) {
                result += joined.text
            } else {
                // The joined bytes do not decode (a stateful charset); decode the words one by one instead.
                result += words.map { Charset.decode($0, label: charset).text }.joined()
            }
        }
        for (position, segment) in segments.enumerated() {
            switch segment {
            case .literal(let text):
                let betweenWords =
                    position > 0 && position + 1 < segments.count
                    && text.unicodeScalars.allSatisfy(ASCII.isWhitespaceScalar)
                    && { if case .encoded = segments[position + 1] { true } else { false } }()
                    && { if case .encoded = segments[position - 1] { true } else { false } }()
                if betweenWords { continue }
                flush()
                result += text
            case .encoded(let charset, let bytes):
                if let current = pending, Charset.normalized(current.charset) == Charset.normalized(charset) {
                    pending?.words.append(bytes)
                } else {
                    flush()
                    pending = (charset, [bytes])
                }
            }
        }
        flush()
        return result
    }
}
