/// A part of a message kept as a file: its name, type, size, SHA-256 and decoded bytes.
public struct MailAttachment: Equatable, Sendable {
    /// The file name (Content-Disposition `filename`, else Content-Type `name`), decoded; nil when none was given.
    public let filename: String?
    /// The lowercased media type, such as `application/pdf` or `message/rfc822`.
    public let contentType: String
    /// The size of ``bytes``.
    public let size: Int
    /// The SHA-256 of ``bytes`` in lowercase hex, for content-addressed storage.
    public let sha256: String
    /// The bytes with the transfer encoding undone (for an embedded message, the whole message).
    public let bytes: [UInt8]
    /// The Content-ID without angle brackets, which HTML bodies reference as `cid:`.
    public let contentID: String?
    /// Whether the part was marked `Content-Disposition: inline`.
    public let isInline: Bool

    /// The attachment for `part`, whose decoded bytes are `bytes`, named `defaultName` when the part names no file.
    init(part: MIMEPart, bytes: [UInt8], defaultName: String? = nil) {
        self.filename = part.filename ?? defaultName
        self.contentType = part.contentType.mimeType
        self.size = bytes.count
        self.sha256 = SHA256.hexDigest(bytes)
        self.bytes = bytes
        self.contentID = part.contentID
        self.isInline = part.contentDisposition?.isInline ?? false
    }
}
