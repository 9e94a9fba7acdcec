/// Something irregular the lenient parser met and worked around; the message was still parsed.
public struct MailParseIssue: CustomStringConvertible, Equatable, Sendable {
    /// The kind of irregularity. New codes are added as static members without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A line in the header section was neither a field nor a continuation; the body starts there.
        public static let missingHeaderSeparator = Code("missingHeaderSeparator")
        /// A line among the header fields was neither a field nor a continuation, and was skipped.
        public static let invalidHeaderLine = Code("invalidHeaderLine")
        /// Blank or whitespace-only lines before the header section were skipped.
        public static let leadingBlankLines = Code("leadingBlankLines")
        /// A leading mbox `From ` envelope line was skipped.
        public static let mboxEnvelopeLine = Code("mboxEnvelopeLine")
        /// A text part named a charset this parser cannot decode; the bytes were read as UTF-8, lossily.
        public static let unknownCharset = Code("unknownCharset")
        /// A Content-Transfer-Encoding was not recognised; the body was taken as it is.
        public static let unknownTransferEncoding = Code("unknownTransferEncoding")
        /// A multipart entity had no boundary parameter.
        public static let missingBoundaryParameter = Code("missingBoundaryParameter")
        /// A multipart body never contained its boundary; the body was kept as one text part.
        public static let boundaryNotFound = Code("boundaryNotFound")
        /// A multipart body ended without its closing boundary.
        public static let missingFinalBoundary = Code("missingFinalBoundary")
        /// A message/rfc822 part did not hold a parsable message; it was kept as bytes.
        public static let unparsableEmbeddedMessage = Code("unparsableEmbeddedMessage")
        /// Parts were nested deeper than the parser follows; the deepest ones were kept as bytes.
        public static let nestingTooDeep = Code("nestingTooDeep")

        public var description: String { name }
    }

    /// The kind of irregularity.
    public var code: Code
    /// One line describing what was met and what was done.
    public var message: String

    /// An issue with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
