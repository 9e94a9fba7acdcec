/// A Content-Type (RFC 2045 §5): media type, subtype and parameters.
public struct ContentType: Equatable, Sendable {
    /// The lowercased top-level type, such as `text` or `multipart`.
    public var type: String
    /// The lowercased subtype, such as `plain` or `mixed`.
    public var subtype: String
    /// Parameters by lowercased name, RFC 2231 continuations and encodings assembled.
    public var parameters: [String: String]

    /// A content type `type/subtype` with `parameters` (names are lowercased).
    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = ASCII.lowercased(type)
        self.subtype = ASCII.lowercased(subtype)
        self.parameters = Dictionary(parameters.map { (ASCII.lowercased($0.key), $0.value) }) { first, _ in first }
    }

    /// The content type in a Content-Type field value, or nil when it names no `type/subtype`.
    ///
    /// Lenient: comments, blanks and quotes around the type are ignored, and a bare `text` means `text/plain`.
    public init?(headerValue: String) {
        let parsed = ParameterizedValue(headerValue)
        let lowered = ASCII.lowercased(parsed.value)
        let pieces = lowered.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty {
            self.type = String(pieces[0])
            self.subtype = String(pieces[1])
        } else if lowered == "text" || lowered == "text/" {
            self.type = "text"
            self.subtype = "plain"
        } else {
            return nil
        }
        self.parameters = parsed.parameters
    }

    /// `text/plain; charset=us-ascii`, the default of RFC 2045 §5.2.
    public static let defaultText = ContentType(type: "text", subtype: "plain")
    /// `message/rfc822`, the default inside multipart/digest (RFC 2046 §5.1.5).
    public static let defaultDigestPart = ContentType(type: "message", subtype: "rfc822")

    /// `type/subtype`, lowercased.
    public var mimeType: String { "\(type)/\(subtype)" }

    /// The value of the parameter `name` (ignoring case).
    public subscript(parameter name: String) -> String? { parameters[ASCII.lowercased(name)] }

    /// The `charset` parameter.
    public var charset: String? { self[parameter: "charset"] }

    /// The `boundary` parameter of a multipart type.
    public var boundary: String? { self[parameter: "boundary"] }

    /// The `name` parameter, with RFC 2047 encoded words decoded (a common non-standard way to name files).
    public var name: String? { self[parameter: "name"].map(EncodedWords.decode) }

    /// Whether this is `multipart/*`.
    public var isMultipart: Bool { type == "multipart" }

    /// Whether this is a message that embeds another message (`message/rfc822`, `message/global`).
    public var isEmbeddedMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }
}

/// A Content-Disposition (RFC 2183): inline or attachment, and a filename.
public struct ContentDisposition: Equatable, Sendable {
    /// The lowercased disposition type: `inline`, `attachment`, or whatever else was written.
    public var kind: String
    /// Parameters by lowercased name, RFC 2231 continuations and encodings assembled.
    public var parameters: [String: String]

    /// The disposition in a Content-Disposition field value.
    ///
    /// Lenient: an empty or missing type with a filename counts as `attachment`.
    public init(headerValue: String) {
        let parsed = ParameterizedValue(headerValue)
        let kind = ASCII.lowercased(parsed.value)
        self.kind = kind.isEmpty && parsed.parameters["filename"] != nil ? "attachment" : kind
        self.parameters = parsed.parameters
    }

    /// Whether the part is marked `attachment`.
    public var isAttachment: Bool { kind == "attachment" }

    /// Whether the part is marked `inline`.
    public var isInline: Bool { kind == "inline" }

    /// The `filename` parameter, with RFC 2047 encoded words decoded (a common non-standard way to name files).
    public var filename: String? { parameters["filename"].map(EncodedWords.decode) }
}
