import DocketApp
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import MailParser
import NIOCore

/// A portal form sent as `multipart/form-data` (RFC 7578): its text fields and its files. The body is read by the mail
/// parser's MIME reader (a form is a multipart entity like any other), under the portal's size limits.
struct PortalMultipartForm: Equatable {
    var fields: [String: String]
    var files: [PortalUpload]

    /// The largest multipart body the portal reads: every file at its limit together, plus the form's own fields.
    static let maxBodyBytes = PortalService.maxAttachmentsTotalBytes + PortalGuard.maxFormBytes

    /// Whether `contentType` (the request's header) says `multipart/form-data`.
    static func isMultipart(_ contentType: String?) -> Bool {
        contentType.flatMap(ContentType.init(headerValue:))?.mimeType == "multipart/form-data"
    }

    /// The form in `body`, sent with `contentType`; nil when it is not `multipart/form-data` with a usable boundary, a
    /// field is not UTF-8, or a part cannot be read. A file input left empty (no name, no bytes) is no file.
    static func parse(contentType: String, body: [UInt8]) -> PortalMultipartForm? {
        guard let type = ContentType(headerValue: contentType), type.mimeType == "multipart/form-data", let boundary = type.boundary,
            (1...70).contains(boundary.utf8.count), boundary.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") })
        else { return nil }
        let head = Array("Content-Type: multipart/form-data; boundary=\"\(boundary)\"\r\n\r\n".utf8)
        guard let message = try? ParsedMessage(parsing: head + body), case .multipart(let parts, _, _) = message.root.body else { return nil }
        var form = PortalMultipartForm(fields: [:], files: [])
        for part in parts {
            guard let disposition = part.contentDisposition, disposition.kind == "form-data", let name = disposition.parameters["name"],
                let bytes = part.decodedBytes
            else { return nil }
            if disposition.parameters["filename"] != nil {
                let fileName = part.filename ?? ""
                if fileName.isEmpty && bytes.isEmpty { continue }
                form.files.append(PortalUpload(name: fileName, contentType: part.contentType.mimeType, bytes: bytes))
            } else {
                guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
                if form.fields[name] == nil { form.fields[name] = text }
            }
        }
        return form
    }
}

extension PortalRoutes {
    /// `GET /portal/tickets/<T-n>/attachments/<sha256>`: a file the client's contacts added to their ticket, as a
    /// download (`Content-Disposition: attachment`) with a type that cannot run in the browser. Another client's ticket,
    /// an unknown file and a malformed address all answer the same 404.
    func download(_ request: Request, number text: String, sha256: String) async throws -> Response {
        guard let who = try await signedIn(request) else { return redirect("/portal") }
        guard let number = TicketNumber(text) else { return notFound(text, request: request) }
        let portal = app.portal
        do {
            let (file, bytes) = try await BlockingWork.run { try portal.attachment(number, sha256: sha256, for: who) }
            var headers = HTTPFields()
            headers[.contentType] = Self.servedType(file.contentType)
            headers[.contentDisposition] = Self.disposition(file.name.isEmpty ? "attachment-\(file.sha256.prefix(12))" : file.name)
            headers[.cacheControl] = "private, no-store"
            headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
            headers[.init("X-Content-Type-Options")!] = "nosniff"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        } catch {
            return failure(error, request: request, who: who)
        }
    }

    /// The type a file is served with: its own when it is one browsers only display (images, PDF, plain text), else
    /// `application/octet-stream` — never HTML, SVG, XML or script, whatever the sender claimed.
    static func servedType(_ recorded: String) -> String {
        let shown: Set = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"]
        if shown.contains(recorded) { return recorded }
        return recorded == "text/plain" ? "text/plain; charset=utf-8" : "application/octet-stream"
    }

    /// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): an ASCII fallback with quotes, backslashes and
    /// controls replaced, and the exact name percent-encoded.
    static func disposition(_ name: String) -> String {
        let fallback = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar.value != 0x7f && scalar != "\"" && scalar != "\\" ? Character(scalar) : "_"
        })
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }

    /// The attachments of a conversation entry, for the ticket template.
    static func attachmentValues(_ files: [TicketAttachmentAdded], number: TicketNumber) -> [[String: Any]] {
        files.map { file in
            [
                "name": file.name.isEmpty ? "(no name)" : file.name, "href": "/portal/tickets/\(number)/attachments/\(file.sha256)",
                "size": size(file.size),
            ]
        }
    }

    /// `812 bytes`, `14 KiB`, `2.5 MiB` (rounded up, so a file is never shown smaller than it is).
    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        if bytes < 1_048_576 { return "\((bytes + 1023) / 1024) KiB" }
        let tenths = (bytes * 10 + 1_048_575) / 1_048_576
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
