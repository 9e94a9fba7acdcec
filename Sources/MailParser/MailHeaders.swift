/// One header field: its name as written, its unfolded raw value and its RFC 2047-decoded value.
public struct MailHeader: Equatable, Sendable {
    /// The field name exactly as written (compare names with ``MailHeaders`` lookups, which ignore case).
    public let name: String
    /// The value after the colon, unfolded (line breaks before continuation lines removed) and trimmed,
    /// with encoded words left as they are.
    public let rawValue: String
    /// The value with RFC 2047 encoded words decoded. Meant for unstructured fields such as Subject; structured
    /// fields (addresses, Content-Type) should be parsed from ``rawValue`` instead.
    public let value: String

    /// A field named `name` with the unfolded `rawValue`; ``value`` is decoded from it.
    public init(name: String, rawValue: String) {
        self.name = name
        self.rawValue = rawValue
        self.value = EncodedWords.decode(rawValue)
    }
}

/// The header fields of a message or part, in order, with case-insensitive lookup by name.
public struct MailHeaders: RandomAccessCollection, Equatable, Sendable {
    private let fields: [MailHeader]

    /// The fields `fields`, in order.
    public init(_ fields: [MailHeader]) { self.fields = fields }

    // MARK: - RandomAccessCollection

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> MailHeader { fields[position] }

    /// Every field named `name` (ignoring case), in order; duplicates are kept.
    public func all(_ name: String) -> [MailHeader] {
        let wanted = ASCII.lowercased(name)
        return fields.filter { ASCII.lowercased($0.name) == wanted }
    }

    /// The first field named `name` (ignoring case).
    public func first(_ name: String) -> MailHeader? {
        let wanted = ASCII.lowercased(name)
        return fields.first { ASCII.lowercased($0.name) == wanted }
    }

    /// The decoded value of the first field named `name` (ignoring case).
    public subscript(name: String) -> String? { first(name)?.value }

    /// Whether a field named `name` (ignoring case) is present.
    public func contains(_ name: String) -> Bool { first(name) != nil }
}
