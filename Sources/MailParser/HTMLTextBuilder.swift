/// Accumulates the text converted from HTML as UTF-8 bytes, collapsing blanks and limiting line breaks.
struct HTMLTextBuilder {
    private var text: [UInt8] = []
    private var pendingSpace = false
    private var trailingLineBreaks = 0
    private var atLineStart = true

    mutating func reserve(_ count: Int) { text.reserveCapacity(count) }

    mutating func appendText(_ scalar: Unicode.Scalar) {
        if scalar.isASCII {
            appendByte(UInt8(scalar.value))
        } else {
            for byte in String(scalar).utf8 { appendByte(byte) }
        }
    }

    /// One byte of text (a whole ASCII character, or one byte of a UTF-8 sequence copied through).
    mutating func appendByte(_ byte: UInt8) {
        if pendingSpace, !atLineStart { text.append(ASCII.space) }
        pendingSpace = false
        text.append(byte)
        trailingLineBreaks = 0
        atLineStart = false
    }

    /// Bytes of text that hold no whitespace, markup or reference.
    mutating func appendRun(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return }
        if pendingSpace, !atLineStart { text.append(ASCII.space) }
        pendingSpace = false
        text.append(contentsOf: bytes)
        trailingLineBreaks = 0
        atLineStart = false
    }

    mutating func space() { pendingSpace = true }

    mutating func lineBreak() {
        text.append(ASCII.lineFeed)
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

    /// The text: no-break spaces made spaces, blanks at line ends removed, at most one blank line in a row,
    /// whitespace at both ends trimmed.
    func finished() -> String {
        var result: [UInt8] = []
        result.reserveCapacity(text.count)
        var blankRun = 0
        var index = 0
        var first = true
        while true {
            // One line, written straight into `result` and taken back if it is a blank line too many.
            let mark = result.count
            if !first { result.append(ASCII.lineFeed) }
            let contentStart = result.count
            while index < text.count, text[index] != ASCII.lineFeed {
                if text[index] == 0xC2, index + 1 < text.count, text[index + 1] == 0xA0 {
                    result.append(ASCII.space)
                    index += 2
                } else {
                    result.append(text[index])
                    index += 1
                }
            }
            while result.count > contentStart, ASCII.isBlank(result[result.count - 1]) { result.removeLast() }
            blankRun = result.count == contentStart ? blankRun + 1 : 0
            if blankRun > 1 { result.removeSubrange(mark...) }
            first = false
            guard index < text.count else { break }
            index += 1  // the line feed
        }
        var start = 0
        var end = result.count
        while start < end, ASCII.isWhitespace(result[start]) { start += 1 }
        while end > start, ASCII.isWhitespace(result[end - 1]) { end -= 1 }
        return String(decoding: result[start..<end], as: UTF8.self)
    }
}
