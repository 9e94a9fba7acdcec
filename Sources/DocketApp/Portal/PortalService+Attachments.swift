import Crypto
import Domain
import EventLog
import Foundation

/// A file a contact sends with a new ticket or a reply in the portal.
public struct PortalUpload: Sendable, Equatable {
    /// The file name as the browser sent it (a path is cut to its last part; control characters are dropped).
    public var name: String
    /// The MIME type as sent; anything that is not `type/subtype` is recorded as `application/octet-stream`.
    public var contentType: String
    public var bytes: [UInt8]

    public init(name: String, contentType: String, bytes: [UInt8]) {
        self.name = name
        self.contentType = contentType
        self.bytes = bytes
    }
}

extension PortalService {
    /// The largest file a contact may attach, the most files at once, and the most bytes they may add together.
    public static let maxAttachmentBytes = 5 * 1024 * 1024
    public static let maxAttachments = 10
    public static let maxAttachmentsTotalBytes = 10 * 1024 * 1024

    /// Why `uploads` are over the portal's limits (one line naming the limit), nil when they are within them.
    public static func uploadProblem(_ uploads: [PortalUpload]) -> String? {
        if uploads.count > maxAttachments { return "at most \(maxAttachments) files can be attached at once; attach fewer" }
        if let big = uploads.first(where: { $0.bytes.count > maxAttachmentBytes }) {
            return "\(big.name.isEmpty ? "a file" : big.name) is over \(maxAttachmentBytes / 1_048_576) MiB; attach a smaller file"
        }
        if uploads.reduce(0, { $0 + $1.bytes.count }) > maxAttachmentsTotalBytes {
            return "the files are over \(maxAttachmentsTotalBytes / 1_048_576) MiB together; attach fewer"
        }
        return nil
    }

    /// The file `sha256` on ticket `number`, added there in the portal, with its bytes: the same not-found as a missing
    /// ticket when the ticket is another client's, or has no such file.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func attachment(_ number: TicketNumber, sha256: String, for signedIn: SignedIn) throws -> (file: TicketAttachmentAdded, bytes: [UInt8]) {
        _ = try visibleSummary(number, for: signedIn)
        let wanted = sha256.lowercased()
        for (recorded, change) in try tickets.ticketHistory(number) {
            guard case .attachment(.added(let file)) = change, Self.isShown(recorded), file.sha256 == wanted,
                let bytes = AttachmentFiles.read(sha256: wanted, in: AttachmentFiles.root(ofStore: store.path))
            else { continue }
            return (file, bytes)
        }
        throw DomainError(.notFound, "there is no such file on \(number) for you; see the ticket")
    }

    /// Whether a recorded attachment is the client's to see: one a contact added in the portal.
    static func isShown(_ recorded: RecordedEvent) -> Bool { recorded.actor.hasPrefix("contact:") }

    /// Checks `uploads` against the limits, writes their bytes content-addressed beside the log, and returns the
    /// events naming them (to append with the ticket or reply they came with). Nothing is written when a limit is passed.
    func storedUploads(_ uploads: [PortalUpload]) throws -> [NewEvent] {
        if let problem = Self.uploadProblem(uploads) { throw DomainError(.invalid, problem) }
        let root = AttachmentFiles.root(ofStore: store.path)
        return try uploads.map { upload in
            let hash = SHA256.hash(data: upload.bytes).map { String(format: "%02x", $0) }.joined()
            try AttachmentFiles.write(upload.bytes, sha256: hash, in: root)
            let added = TicketAttachmentEvent.added(TicketAttachmentAdded(
                name: Self.fileName(upload.name), contentType: Self.mimeType(upload.contentType), size: upload.bytes.count, sha256: hash))
            return NewEvent(added)
        }
    }

    /// The last part of a path as a browser may send it, without control characters, at most 200 bytes.
    static func fileName(_ sent: String) -> String {
        let last = sent.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var name = String(String.UnicodeScalarView(last.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        while name.utf8.count > 200 { name.removeLast() }
        return name.trimmingCharacters(in: .whitespaces)
    }

    /// `type/subtype` lower-cased when it is one (RFC 6838 characters, parameters dropped), else `application/octet-stream`.
    static func mimeType(_ sent: String) -> String {
        let bare = sent.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let parts = bare.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+")
        guard parts.count == 2, bare.count <= 100, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else {
            return "application/octet-stream"
        }
        return bare
    }
}
