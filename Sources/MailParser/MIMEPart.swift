/// One MIME entity: a message's own body or a part of a multipart, with its headers and decoded body.
public struct MIMEPart: Sendable {
    /// The entity's header fields (for a message's root part, the message headers).
    public let headers: MailHeaders
    /// The content type: the first parsable Content-Type field, else the default for the context
    /// (`text/plain`, or `message/rfc822` inside multipart/digest).
    public let contentType: ContentType
    /// The Content-Disposition field, if present.
    public let contentDisposition: ContentDisposition?
    /// The Content-Transfer-Encoding that was undone to produce the body.
    public let transferEncoding: TransferEncoding
    /// The body.
    public let body: Body

    /// What an entity holds.
    public indirect enum Body: Sendable {
        /// A leaf: the body bytes with the transfer encoding undone.
        case single([UInt8])
        /// A multipart: the parts in order, and the text before the first and after the last boundary.
        case multipart(parts: [MIMEPart], preamble: [UInt8], epilogue: [UInt8])
        /// An embedded message (`message/rfc822`): parsed, and its bytes with the transfer encoding undone.
        case message(ParsedMessage, raw: [UInt8])
    }

    /// A part with the given fields.
    public init(
        headers: MailHeaders, contentType: ContentType, contentDisposition: ContentDisposition?,
        transferEncoding: TransferEncoding, body: Body
    ) {
        self.headers = headers
        self.contentType = contentType
        self.contentDisposition = contentDisposition
        self.transferEncoding = transferEncoding
        self.body = body
    }

    /// The body bytes of a leaf or an embedded message (transfer encoding undone); nil for a multipart.
    public var decodedBytes: [UInt8]? {
        switch body {
        case .single(let bytes): bytes
        case .message(_, let raw): raw
        case .multipart: nil
        }
    }

    /// The child parts of a multipart; empty otherwise.
    public var children: [MIMEPart] {
        if case .multipart(let parts, _, _) = body { return parts }
        return []
    }

    /// The text of a leaf, decoded with its charset (for text/html without one, a `<meta charset>` is honoured).
    public func decodedText() -> DecodedText? {
        guard case .single(let bytes) = body else { return nil }
        var label = contentType.charset
        if label == nil, contentType.mimeType == "text/html" { label = HTMLToText.declaredCharset(bytes) }
        return Charset.decode(bytes, label: label)
    }

    /// The file name: Content-Disposition's `filename`, else Content-Type's `name` (both RFC 2231 and 2047 decoded).
    public var filename: String? {
        let name = contentDisposition?.filename ?? contentType.name
        return name.map(ASCII.trimmed).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The Content-ID without angle brackets.
    public var contentID: String? {
        guard let raw = headers.first("Content-ID")?.rawValue else { return nil }
        return MessageIDs.parse(raw).first ?? (raw.isEmpty ? nil : ASCII.trimmed(raw))
    }

    /// This part and every part below it, depth first, not descending into embedded messages.
    public var allParts: [MIMEPart] {
        [self] + children.flatMap(\.allParts)
    }
}
