/// Readable plain text from an HTML body, for messages that have no text/plain part.
public enum HTMLToText {
    /// The text of `html`: tags removed; script, style and title contents dropped; comments dropped; line breaks
    /// kept for `<br>` and block elements (`<p>`, `<div>`, `<li>`, headings, table rows…); list items prefixed with
    /// `- `; whitespace collapsed outside `<pre>`; character references (named and numeric) decoded. At most one
    /// blank line in a row; no trailing blanks on a line.
    public static func convert(_ html: String) -> String {
        let input = Array(html.unicodeScalars)
        var output = TextBuilder()
        var preformatted = 0
        var index = 0
        while index < input.count {
            let scalar = input[index]
            if scalar == "<" {
                index = tag(in: input, at: index, output: &output, preformatted: &preformatted)
                continue
            }
            if scalar == "&" {
                let (decoded, next) = entity(in: input, at: index)
                output.appendText(decoded)
                index = next
                continue
            }
            if ASCII.isWhitespaceScalar(scalar) {
                if preformatted > 0 {
                    if scalar == "\n" { output.lineBreak() } else if scalar != "\r" { output.appendText(scalar) }
                } else {
                    output.space()
                }
            } else {
                output.appendText(scalar)
            }
            index += 1
        }
        return output.finished()
    }

    /// `text` with HTML character references decoded.
    public static func decodeEntities(_ text: String) -> String {
        let input = Array(text.unicodeScalars)
        guard input.contains("&") else { return text }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < input.count {
            if input[index] == "&" {
                let (decoded, next) = entity(in: input, at: index)
                result.append(contentsOf: decoded)
                index = next
            } else {
                result.append(input[index])
                index += 1
            }
        }
        return String(result)
    }

    /// The charset an HTML document declares in a `<meta>` tag near its start, if any.
    static func declaredCharset(_ bytes: [UInt8]) -> String? {
        let head = Array(bytes.prefix(4096).map(ASCII.lowercased))
        let marker = Array("charset=".utf8)
        guard let start = head.indices.first(where: { head[$0...].starts(with: marker) }) else { return nil }
        var index = start + marker.count
        while index < head.count, head[index] == 0x22 || head[index] == 0x27 || ASCII.isBlank(head[index]) {
            index += 1
        }
        var name: [UInt8] = []
        while index < head.count, head[index] < 0x80,
            Character(Unicode.Scalar(head[index])).isLetter || Character(Unicode.Scalar(head[index])).isNumber
                || "-_:.".utf8.contains(head[index])
        {
            name.append(head[index])
            index += 1
        }
        return name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
    }

    // MARK: - Tags

    private static let paragraphElements: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
    ]
    private static let lineElements: Set<String> = [
        "div", "li", "tr", "dt", "dd", "hr", "section", "article", "header", "footer", "nav", "address", "center",
        "form", "fieldset", "caption", "figure", "main", "aside", "body", "html",
    ]
    private static let droppedElements: Set<String> = ["script", "style", "title", "head"]

    /// Handles the markup starting at `start` (a `<`) and returns the index after it.
    private static func tag(
        in input: [Unicode.Scalar], at start: Int, output: inout TextBuilder, preformatted: inout Int
    ) -> Int {
        if matches(input, at: start, "<!--") {
            return (find(input, "-->", from: start + 4).map { $0 + 3 }) ?? input.count
        }
        var index = start + 1
        guard index < input.count else {
            output.appendText(["<"])
            return input.count
        }
        if input[index] == "!" || input[index] == "?" {
            return (find(input, ">", from: index).map { $0 + 1 }) ?? input.count
        }
        let closing = input[index] == "/"
        if closing { index += 1 }
        var name = ""
        while index < input.count, isASCIILetterOrDigit(input[index]) {
            name.unicodeScalars.append(input[index])
            index += 1
        }
        guard !name.isEmpty else {
            output.appendText(["<"])  // a lone "<" in text, as in "a < b"
            return start + 1
        }
        name = ASCII.lowercased(name)
        var quote: Unicode.Scalar?
        while index < input.count {
            let scalar = input[index]
            if let open = quote {
                if scalar == open { quote = nil }
            } else if scalar == "\"" || scalar == "'" {
                quote = scalar
            } else if scalar == ">" {
                break
            }
            index += 1
        }
        let end = min(index + 1, input.count)

        if !closing, droppedElements.contains(name) {
            // "head" is only dropped up to its end; a missing end tag drops nothing but the tag itself.
            if let close = find(input, "</" + name, from: end, ignoringCase: true) {
                return (find(input, ">", from: close).map { $0 + 1 }) ?? input.count
            }
            return name == "head" ? end : input.count
        }
        switch name {
        case "br":
            output.lineBreak()
        case "li" where !closing:
            output.ensureLineBreaks(1)
            output.appendText(["-", " "])
        case "td", "th":
            output.space()
        case "pre":
            output.ensureLineBreaks(2)
            preformatted = max(0, preformatted + (closing ? -1 : 1))
        case _ where paragraphElements.contains(name):
            output.ensureLineBreaks(2)
        case _ where lineElements.contains(name):
            output.ensureLineBreaks(1)
        default:
            break
        }
        return end
    }

    // MARK: - Character references

    /// The characters of the reference starting at `start` (an `&`) and the index after it; a lone `&` stays.
    private static func entity(in input: [Unicode.Scalar], at start: Int) -> ([Unicode.Scalar], Int) {
        var index = start + 1
        if index < input.count, input[index] == "#" {
            index += 1
            let hex = index < input.count && (input[index] == "x" || input[index] == "X")
            if hex { index += 1 }
            let digitsStart = index
            var value: UInt32 = 0
            while index < input.count, let digit = digitValue(input[index], hex: hex) {
                value = value > 0x10FFFF ? value : value * (hex ? 16 : 10) + digit
                index += 1
            }
            guard index > digitsStart else { return (["&"], start + 1) }
            if index < input.count, input[index] == ";" { index += 1 }
            return ([numericCharacter(value)], index)
        }
        var name = ""
        while index < input.count, name.unicodeScalars.count < 32, isASCIILetterOrDigit(input[index]) {
            name.unicodeScalars.append(input[index])
            index += 1
        }
        let terminated = index < input.count && input[index] == ";"
        if let value = HTMLEntities.named[name], let scalar = Unicode.Scalar(value),
            terminated || HTMLEntities.legacyWithoutSemicolon.contains(name)
        {
            return ([scalar], terminated ? index + 1 : index)
        }
        return (["&"], start + 1)
    }

    private static func isASCIILetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    private static func digitValue(_ scalar: Unicode.Scalar, hex: Bool) -> UInt32? {
        guard scalar.isASCII, let value = ASCII.hexValue(UInt8(scalar.value)) else { return nil }
        if !hex, value > 9 { return nil }
        return UInt32(value)
    }

    /// The character for a numeric reference, with the HTML fix-ups: 0x80–0x9F are Windows-1252, and invalid
    /// values become U+FFFD.
    private static func numericCharacter(_ value: UInt32) -> Unicode.Scalar {
        if (0x80...0x9F).contains(value), let scalar = SingleByteCharset.windows1252Scalar(for: UInt8(value)) {
            return scalar
        }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    // MARK: - Scanning

    private static func matches(_ input: [Unicode.Scalar], at index: Int, _ text: String, ignoringCase: Bool = false)
        -> Bool
    {
        let wanted = Array(text.unicodeScalars)
        guard index + wanted.count <= input.count else { return false }
        for (offset, scalar) in wanted.enumerated() {
            let actual = input[index + offset]
            if ignoringCase {
                guard ASCII.lowercased(String(actual)) == ASCII.lowercased(String(scalar)) else { return false }
            } else if actual != scalar {
                return false
            }
        }
        return true
    }

    private static func find(_ input: [Unicode.Scalar], _ text: String, from start: Int, ignoringCase: Bool = false)
        -> Int?
    {
        guard start < input.count else { return nil }
        return (start..<input.count).first { matches(input, at: $0, text, ignoringCase: ignoringCase) }
    }
}

/// Accumulates converted text, collapsing blanks and limiting line breaks.
private struct TextBuilder {
    private var text = String.UnicodeScalarView()
    private var pendingSpace = false
    private var trailingLineBreaks = 0
    private var atLineStart = true

    mutating func appendText(_ scalars: [Unicode.Scalar]) {
        for scalar in scalars { appendText(scalar) }
    }

    mutating func appendText(_ scalar: Unicode.Scalar) {
        if pendingSpace, !atLineStart { text.append(" ") }
        pendingSpace = false
        text.append(scalar)
        trailingLineBreaks = 0
        atLineStart = false
    }

    mutating func space() { pendingSpace = true }

    mutating func lineBreak() {
        text.append("\n")
        trailingLineBreaks += 1
        pendingSpace = false
        atLineStart = true
    }

    /// Ends the current line (and adds blank lines) unless the text already ends so; nothing at the very start.
    mutating func ensureLineBreaks(_ count: Int) {
        guard !text.isEmpty else { return }
        while trailingLineBreaks < count { lineBreak() }
        pendingSpace = false
    }

    func finished() -> String {
        var lines: [String] = []
        var blankRun = 0
        for line in String(text).split(separator: "\n", omittingEmptySubsequences: false) {
            var cleaned = String(line).replacingNonBreakingSpaces()
            while let last = cleaned.unicodeScalars.last, last == " " || last == "\t" {
                cleaned.unicodeScalars.removeLast()
            }
            if cleaned.isEmpty {
                blankRun += 1
                if blankRun > 1 { continue }
            } else {
                blankRun = 0
            }
            lines.append(cleaned)
        }
        return ASCII.trimmed(lines.joined(separator: "\n"))
    }
}

extension String {
    fileprivate func replacingNonBreakingSpaces() -> String {
        guard unicodeScalars.contains("\u{00A0}") else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\u{00A0}" ? " " : $0 }))
    }
}
