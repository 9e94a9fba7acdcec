import Foundation

extension ParsedMessage {
    /// Parses the message in `bytes`, as a mail server pipes it (CR LF or LF line endings).
    ///
    /// Throws only when the input is not a mail at all: it is empty (or only whitespace), or it has neither a
    /// header field nor a blank line anywhere. Everything else is parsed leniently and irregularities are listed
    /// in ``issues``. Blank or whitespace-only lines before the first header field, and a leading mbox `From ` line,
    /// are skipped (each noted as an issue).
    public init(parsing bytes: [UInt8]) throws(MailParseError) {
        guard bytes.contains(where: { !ASCII.isWhitespace($0) }) else {
            throw MailParseError(.emptyInput, "not a mail message: the input is empty")
        }
        let section = HeaderSection(bytes[...], skipMboxEnvelope: true, skipLeadingBlankLines: true)
        if section.headers.isEmpty, !section.startedWithBlankLine, !Self.containsBlankLine(bytes) {
            throw MailParseError(
                .noHeaders, "not a mail message: no header fields and no blank line between headers and body")
        }
        var parser = EntityParser()
        self = parser.message(bytes[...], section: section, depth: 0)
    }

    /// Parses the message in `data`; the same as parsing its bytes.
    public init(parsing data: Data) throws(MailParseError) {
        try self.init(parsing: [UInt8](data))
    }

    private static func containsBlankLine(_ bytes: [UInt8]) -> Bool {
        var previousWasLineFeed = false
        for byte in bytes {
            if byte == ASCII.lineFeed {
                if previousWasLineFeed { return true }
                previousWasLineFeed = true
            } else if byte != ASCII.carriageReturn {
                previousWasLineFeed = false
            }
        }
        return false
    }
}
