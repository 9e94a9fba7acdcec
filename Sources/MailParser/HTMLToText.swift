/// Readable plain text from an HTML body, for messages that have no text/plain part.
///
/// One pass over the UTF-8 bytes (markup is ASCII, text bytes are copied through), so the time is linear in the
/// size: a dropped element's end tag is searched for once per element name and never again once it is known to
/// be missing.
public enum HTMLToText {
    /// The text of `html`: tags removed; script, style and title contents dropped; comments dropped; line breaks
    /// kept for `<br>` and block elements (`<p>`, `<div>`, `<li>`, headings, table rows…); list items prefixed with
    /// `- `; whitespace collapsed outside `<pre>`; character references (named and numeric) decoded. At most one
    /// blank line in a row; no trailing blanks on a line.
    public static func convert(_ html: String) -> String {
        var html = html
        return html.withUTF8 { bytes in
            var converter = Converter(input: bytes)
            return converter.run()
        }
    }

    /// HTML bodies larger than this (UTF-8 bytes) are not converted whole: see ``excerpt(of:)``.
    public static let sizeCap = 1 << 20
    /// How much of an HTML body over ``sizeCap`` is converted for the excerpt.
    public static let excerptBytes = 64 << 10

    /// The text of the first ``excerptBytes`` of `html` (cut at a character boundary), followed by a line saying
    /// that the whole HTML body is kept as an attachment.
    public static func excerpt(of html: String) -> String {
        let bytes = html.utf8
        var end = bytes.index(bytes.startIndex, offsetBy: min(excerptBytes, bytes.count))
        while end < bytes.endIndex, end > bytes.startIndex, bytes[end] & 0xC0 == 0x80 { end = bytes.index(before: end) }
        let text = convert(String(decoding: bytes[..<end], as: UTF8.self))
        return text + "\n\n[Excerpt: the HTML body is \(bytes.count) bytes; it is kept whole as an attachment.]"
    }

    /// `text` with HTML character references decoded.
    public static func decodeEntities(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        var text = text
        return text.withUTF8 { decodeEntities(in: $0) }
    }

    private static func decodeEntities(in input: Input) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "&") {
                let (decoded, next) = entity(in: input, at: index)
                appendUTF8(decoded, to: &result)
                index = next
            } else {
                result.append(input[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
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

    static let paragraphElements: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
    ]
    static let lineElements: Set<String> = [
        "div", "li", "tr", "dt", "dd", "hr", "section", "article", "header", "footer", "nav", "address", "center",
        "form", "fieldset", "caption", "figure", "main", "aside", "body", "html",
    ]
    static let droppedElements: Set<String> = ["script", "style", "title", "head"]
    static let commentOpen = Array("<!--".utf8)
    static let commentClose = Array("-->".utf8)

    /// The UTF-8 bytes being read (a string's own storage, only during the conversion).
    typealias Input = UnsafeBufferPointer<UInt8>

    /// The conversion state: the input, the text so far, and which dropped elements have no end tag left.
    private struct Converter {
        let input: Input
        var output = HTMLTextBuilder()
        var preformatted = 0
        /// For a dropped element whose end tag was searched for from some position and not found: that position.
        var missingEndTagFrom: [String: Int] = [:]

        init(input: Input) {
            self.input = input
            output.reserve(input.count)
        }

        mutating func run() -> String {
            var index = 0
            let count = input.count
            while index < count {
                let byte = input[index]
                switch byte {
                case UInt8(ascii: "<"):
                    index = tag(at: index)
                case UInt8(ascii: "&"):
                    let (decoded, next) = HTMLToText.entity(in: input, at: index)
                    output.appendText(decoded)
                    index = next
                case ASCII.space, ASCII.tab, ASCII.carriageReturn, ASCII.lineFeed:
                    if preformatted > 0 {
                        if byte == ASCII.lineFeed { output.lineBreak() } else if byte != ASCII.carriageReturn { output.appendByte(byte) }
                    } else {
                        output.space()
                    }
                    index += 1
                default:
                    // A run of plain text is copied in one go.
                    var end = index + 1
                    while end < count, !HTMLToText.isSpecial(input[end]) { end += 1 }
                    output.appendRun(UnsafeBufferPointer(rebasing: input[index..<end]))
                    index = end
                }
            }
            return output.finished()
        }

        /// Handles the markup starting at `start` (a `<`) and returns the index after it.
        mutating func tag(at start: Int) -> Int {
            if HTMLToText.matches(input, at: start, HTMLToText.commentOpen) {
                return (HTMLToText.find(input, HTMLToText.commentClose, from: start + 4).map { $0 + 3 }) ?? input.count
            }
            var index = start + 1
            guard index < input.count else {
                output.appendByte(UInt8(ascii: "<"))
                return input.count
            }
            if input[index] == UInt8(ascii: "!") || input[index] == UInt8(ascii: "?") {
                return (HTMLToText.find(input, [UInt8(ascii: ">")], from: index).map { $0 + 1 }) ?? input.count
            }
            let closing = input[index] == UInt8(ascii: "/")
            if closing { index += 1 }
            let nameStart = index
            while index < input.count, HTMLToText.isASCIILetterOrDigit(input[index]) { index += 1 }
            guard index > nameStart else {
                output.appendByte(UInt8(ascii: "<"))  // a lone "<" in text, as in "a < b"
                return start + 1
            }
            let name = String(decoding: input[nameStart..<index].map(ASCII.lowercased), as: UTF8.self)
            var quote: UInt8?
            while index < input.count {
                let byte = input[index]
                if let open = quote {
                    if byte == open { quote = nil }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") {
                    break
                }
                index += 1
            }
            let end = min(index + 1, input.count)

            if !closing, HTMLToText.droppedElements.contains(name) {
                // "head" is only dropped up to its end; a missing end tag drops nothing but the tag itself.
                if let close = endTag(name, from: end) {
                    return (HTMLToText.find(input, [UInt8(ascii: ">")], from: close).map { $0 + 1 }) ?? input.count
                }
                return name == "head" ? end : input.count
            }
            switch name {
            case "br":
                output.lineBreak()
            case "li" where !closing:
                output.ensureLineBreaks(1)
                output.appendByte(UInt8(ascii: "-"))
                output.appendByte(UInt8(ascii: " "))
            case "td", "th":
                output.space()
            case "pre":
                output.ensureLineBreaks(2)
                preformatted = max(0, preformatted + (closing ? -1 : 1))
            case _ where HTMLToText.paragraphElements.contains(name):
                output.ensureLineBreaks(2)
            case _ where HTMLToText.lineElements.contains(name):
                output.ensureLineBreaks(1)
            default:
                break
            }
            return end
        }

        /// Where `</name` (any case) starts at or after `start`, remembering a miss so it is never searched again.
        mutating func endTag(_ name: String, from start: Int) -> Int? {
            if let missingFrom = missingEndTagFrom[name], start >= missingFrom { return nil }
            let found = HTMLToText.find(input, Array(("</" + name).utf8), from: start, ignoringCase: true)
            if found == nil { missingEndTagFrom[name] = min(start, missingEndTagFrom[name] ?? start) }
            return found
        }
    }

    // MARK: - Character references

    /// The character of the reference starting at `start` (an `&`) and the index after it; a lone `&` stays.
    static func entity(in input: Input, at start: Int) -> (Unicode.Scalar, Int) {
        var index = start + 1
        if index < input.count, input[index] == UInt8(ascii: "#") {
            index += 1
            let hex = index < input.count && (input[index] == UInt8(ascii: "x") || input[index] == UInt8(ascii: "X"))
            if hex { index += 1 }
            let digitsStart = index
            var value: UInt32 = 0
            while index < input.count, let digit = ASCII.hexValue(input[index]), hex || digit < 10 {
                value = value > 0x10FFFF ? value : value * (hex ? 16 : 10) + UInt32(digit)
                index += 1
            }
            guard index > digitsStart else { return ("&", start + 1) }
            if index < input.count, input[index] == UInt8(ascii: ";") { index += 1 }
            return (numericCharacter(value), index)
        }
        let nameStart = index
        while index < input.count, index - nameStart < 32, isASCIILetterOrDigit(input[index]) { index += 1 }
        guard index > nameStart else { return ("&", start + 1) }
        let name = String(decoding: input[nameStart..<index], as: UTF8.self)
        let terminated = index < input.count && input[index] == UInt8(ascii: ";")
        if let value = HTMLEntities.named[name], let scalar = Unicode.Scalar(value),
            terminated || HTMLEntities.legacyWithoutSemicolon.contains(name)
        {
            return (scalar, terminated ? index + 1 : index)
        }
        return ("&", start + 1)
    }

    /// Markup, a reference or whitespace: the bytes that end a run of plain text.
    @inline(__always)
    static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") || byte == ASCII.space || byte == ASCII.lineFeed
            || byte == ASCII.carriageReturn || byte == ASCII.tab
    }

    static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
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

    static func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        if scalar.isASCII {
            bytes.append(UInt8(scalar.value))
        } else {
            bytes.append(contentsOf: String(scalar).utf8)
        }
    }

    // MARK: - Scanning

    static func matches(_ input: Input, at index: Int, _ wanted: [UInt8], ignoringCase: Bool = false) -> Bool {
        guard index + wanted.count <= input.count else { return false }
        for offset in 0..<wanted.count {
            let actual = input[index + offset]
            if ignoringCase ? ASCII.lowercased(actual) != ASCII.lowercased(wanted[offset]) : actual != wanted[offset] {
                return false
            }
        }
        return true
    }

    /// Where `wanted` (not empty) first starts at or after `start`.
    static func find(_ input: Input, _ wanted: [UInt8], from start: Int, ignoringCase: Bool = false) -> Int? {
        guard let first = wanted.first, start < input.count else { return nil }
        let lowerFirst = ASCII.lowercased(first)
        var index = start
        while index + wanted.count <= input.count {
            let byte = input[index]
            if byte == first || (ignoringCase && ASCII.lowercased(byte) == lowerFirst),
                matches(input, at: index, wanted, ignoringCase: ignoringCase)
            {
                return index
            }
            index += 1
        }
        return nil
    }
}
