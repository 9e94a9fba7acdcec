/// Why a byte sequence was refused as a mail message: a matchable code and a one-line message naming the problem.
///
/// Only input that is not a mail at all is refused; everything else is parsed leniently and any irregularity is
/// reported as a ``MailParseIssue`` on the parsed message instead.
public struct MailParseError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kind of refusal. New codes are added as static members without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The input holds no bytes, or only whitespace.
        public static let emptyInput = Code("emptyInput")
        /// The input has no header fields and no blank line separating headers from a body.
        public static let noHeaders = Code("noHeaders")

        public var description: String { name }
    }

    /// The kind of refusal.
    public var code: Code
    /// One line: what is wrong with the input.
    public var message: String

    /// A refusal with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
