// Splits an entity (a message or a MIME part) into its header fields and its body (RFC 5322 §2.1, §2.2.3).

/// The header fields of one entity and where its body starts.
struct HeaderSection {
    /// The fields in order, unfolded.
    var headers: MailHeaders
    /// Where the body starts in the entity's bytes.
    var bodyStart: Int
    /// Whether the entity started with an empty header section (a blank first line).
    var startedWithBlankLine: Bool
    /// Irregularities met while reading the header section.
    var issues: [MailParseIssue]

    /// Reads the header section at the start of `bytes`.
    ///
    /// The section ends at the first empty line, or leniently at the first line that is neither a field nor a
    /// continuation (that line then starts the body; an indented first line is not a continuation of anything).
    /// `skipMboxEnvelope` drops a leading `From ` line, which some delivery agents prepend when piping a message.
    /// `skipLeadingBlankLines` (for a message, never a MIME part, whose blank first line means "no header fields")
    /// drops blank or whitespace-only lines before a first line that is a header field, as some exports write them.
    init(_ bytes: ArraySlice<UInt8>, skipMboxEnvelope: Bool = false, skipLeadingBlankLines: Bool = false) {
        var fields: [MailHeader] = []
        var issues: [MailParseIssue] = []
        var current: (name: String, value: [UInt8])?
        var position = bytes.startIndex
        var bodyStart = bytes.endIndex
        var startedWithBlankLine = false

        func finishCurrent() {
            if let field = current {
                fields.append(MailHeader(name: field.name, rawValue: ASCII.trimmed(Charset.headerText(field.value))))
            }
            current = nil
        }

        if skipLeadingBlankLines, let (firstField, skipped) = Self.afterLeadingBlankLines(bytes) {
            position = firstField
            issues.append(
                MailParseIssue(
                    .leadingBlankLines, "skipped \(skipped) blank line\(skipped == 1 ? "" : "s") before the header section"))
        }
        if skipMboxEnvelope, bytes[position...].starts(with: Array("From ".utf8)),
            Self.fieldName(bytes[position..<Self.endOfLine(bytes, from: position).contentEnd]) == nil
        {
            position = Self.endOfLine(bytes, from: position).next
            issues.append(MailParseIssue(.mboxEnvelopeLine, "skipped a leading mbox \"From \" line"))
        }

        while position < bytes.endIndex {
            let (contentEnd, next) = Self.endOfLine(bytes, from: position)
            let line = bytes[position..<contentEnd]
            if line.isEmpty {
                startedWithBlankLine = fields.isEmpty && current == nil && position == bytes.startIndex
                bodyStart = next
                break
            }
            if let first = line.first, ASCII.isBlank(first), current != nil {
                current?.value.append(contentsOf: line)
                position = next
                continue
            }
            guard let (name, valueStart) = Self.fieldName(line) else {
                // Junk between fields (a stray word, a broken fold) is skipped when more fields follow it; a line
                // that looks like a MIME boundary is not junk but the start of the body.
                if current != nil || !fields.isEmpty, !line.starts(with: [ASCII.hyphen, ASCII.hyphen]),
                    Self.isFieldOrContinuation(bytes, at: next)
                {
                    issues.append(
                        MailParseIssue(.invalidHeaderLine, "skipped a line in the header section that is not a field"))
                    position = next
                    continue
                }
                issues.append(
                    MailParseIssue(
                        .missingHeaderSeparator,
                        "header section ended without a blank line; body starts at a non-header line"))
                bodyStart = position
                break
            }
            finishCurrent()
            current = (name, Array(line[valueStart...]))
            position = next
        }
        finishCurrent()
        self.headers = MailHeaders(fields)
        self.bodyStart = bodyStart
        self.startedWithBlankLine = startedWithBlankLine
        self.issues = issues
    }

    /// Where the first line after one or more leading blank or whitespace-only lines starts, and how many were
    /// skipped, when that line is a header field or an mbox `From ` line; nil otherwise.
    private static func afterLeadingBlankLines(_ bytes: ArraySlice<UInt8>) -> (Int, Int)? {
        var position = bytes.startIndex
        var skipped = 0
        while position < bytes.endIndex {
            let (contentEnd, next) = endOfLine(bytes, from: position)
            guard bytes[position..<contentEnd].allSatisfy(ASCII.isWhitespace) else { break }
            position = next
            skipped += 1
        }
        guard skipped > 0, position < bytes.endIndex else { return nil }
        let line = bytes[position..<endOfLine(bytes, from: position).contentEnd]
        guard fieldName(line) != nil || line.starts(with: Array("From ".utf8)) else { return nil }
        return (position, skipped)
    }

    /// Whether the line starting at `start` is a header field or a continuation line.
    private static func isFieldOrContinuation(_ bytes: ArraySlice<UInt8>, at start: Int) -> Bool {
        guard start < bytes.endIndex else { return false }
        let line = bytes[start..<endOfLine(bytes, from: start).contentEnd]
        guard let first = line.first else { return false }
        if ASCII.isBlank(first) { return !line.allSatisfy(ASCII.isWhitespace) }
        return fieldName(line) != nil
    }

    /// The end of the line starting at `start` (before CR LF or LF) and the start of the next line.
    static func endOfLine(_ bytes: ArraySlice<UInt8>, from start: Int) -> (contentEnd: Int, next: Int) {
        guard let lineFeed = bytes[start...].firstIndex(of: ASCII.lineFeed) else {
            var end = bytes.endIndex
            if end > start, bytes[end - 1] == ASCII.carriageReturn { end -= 1 }
            return (end, bytes.endIndex)
        }
        var end = lineFeed
        if end > start, bytes[end - 1] == ASCII.carriageReturn { end -= 1 }
        return (end, lineFeed + 1)
    }

    /// The field name of `line` and where its value starts, if `line` is a header field.
    ///
    /// A name is printable ASCII other than the colon; blanks before the colon are tolerated (RFC 5322 §4.5).
    static func fieldName(_ line: ArraySlice<UInt8>) -> (String, Int)? {
        var index = line.startIndex
        while index < line.endIndex, (0x21...0x7E).contains(line[index]), line[index] != ASCII.colon { index += 1 }
        let nameEnd = index
        guard nameEnd > line.startIndex else { return nil }
        while index < line.endIndex, ASCII.isBlank(line[index]) { index += 1 }
        guard index < line.endIndex, line[index] == ASCII.colon else { return nil }
        return (String(decoding: line[line.startIndex..<nameEnd], as: UTF8.self), index + 1)
    }
}
