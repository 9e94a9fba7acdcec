/// Message identifiers in Message-ID, In-Reply-To and References (RFC 5322 §3.6.4).
public enum MessageIDs {
    /// The identifiers in `value`, in order, without angle brackets.
    ///
    /// Lenient: comments are skipped, blanks inside brackets are removed, an unclosed `<` runs to the next blank,
    /// and when no bracketed identifier is present, bare words containing `@` are taken instead (old-style
    /// `In-Reply-To: Your message of … <id>` keeps only the bracketed id).
    public static func parse(_ value: String) -> [String] {
        let scalars = Array(value.unicodeScalars)
        var bracketed: [String] = []
        var bare: [String] = []
        var word = String.UnicodeScalarView()
        var index = 0

        func finishWord() {
            let text = String(word).trimmingCharacters(in: ",;\"'")
            if text.contains("@") { bare.append(text) }
            word.removeAll()
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "(":
                finishWord()
                skipComment(scalars, &index)
            case "<":
                finishWord()
                var id = String.UnicodeScalarView()
                index += 1
                var closed = false
                while index < scalars.count {
                    let inner = scalars[index]
                    if inner == ">" {
                        closed = true
                        index += 1
                        break
                    }
                    if inner == "<" { break }
                    if inner == "(" {
                        skipComment(scalars, &index)
                        continue
                    }
                    if !closed, ASCII.isWhitespaceScalar(inner), !id.isEmpty, !looksContinued(scalars, after: index) {
                        break
                    }
                    if !ASCII.isWhitespaceScalar(inner) { id.append(inner) }
                    index += 1
                }
                if !id.isEmpty { bracketed.append(String(id)) }
            case " ", "\t", "\r", "\n", ",":
                finishWord()
                index += 1
            default:
                word.append(scalar)
                index += 1
            }
        }
        finishWord()
        return bracketed.isEmpty ? bare : bracketed
    }

    /// Moves `index` past the comment that starts there, nested comments included.
    private static func skipComment(_ scalars: [Unicode.Scalar], _ index: inout Int) {
        var depth = 0
        while index < scalars.count {
            if scalars[index] == "(" { depth += 1 }
            if scalars[index] == ")" { depth -= 1 }
            index += 1
            if depth == 0 { return }
        }
    }

    /// Whether a blank inside `<…>` is folding within one id: a `>` comes before the next `<`.
    private static func looksContinued(_ scalars: [Unicode.Scalar], after index: Int) -> Bool {
        for scalar in scalars[index...] {
            if scalar == ">" { return true }
            if scalar == "<" { return false }
        }
        return false
    }
}

extension String {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
