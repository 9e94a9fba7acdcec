import Foundation
import TestSupport
import Testing

extension PortalBrowser {
    /// Posts a `multipart/form-data` form as a browser does (curl `-F`): `fields`, the CSRF token from the jar unless
    /// `csrf` is false, and `files` (path and the type the browser would claim).
    func upload(_ path: String, _ fields: [(String, String)], files: [(path: String, type: String)], csrf: Bool = true) throws -> Answer {
        var extra: [String] = []
        for (name, value) in (csrf ? [("csrf", try token())] : []) + fields { extra += ["--form-string", "\(name)=\(value)"] }
        for file in files { extra += ["-F", "files=@\(file.path);type=\(file.type)"] }
        return try request("POST", path, extra: extra)
    }

    /// GETs `path` into the file `to`; the status and the response headers (lower-cased).
    func download(_ path: String, to file: String) throws -> (status: Int, headers: String) {
        let headers = file + ".headers"
        let status = try ServedStore.run(
            "/usr/bin/curl", ["-s", "-D", headers, "-o", file, "-w", "%{http_code}", "--max-time", "30", "-b", jar, served.address + path])
        return (Int(status.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, ((try? String(contentsOfFile: headers, encoding: .utf8)) ?? "").lowercased())
    }
}

/// Issue 13 §4: files attached to portal tickets and replies, over real HTTP against `docket serve`.
@Suite(.serialized) struct PortalAttachmentTests {
    /// Bytes no text decoding would keep intact: every byte value, a CR LF and what looks like a multipart delimiter.
    static let binary: [UInt8] = Array(0...255) + Array("\r\n--boundary-like\r\n".utf8) + Array(0...255).reversed()

    static func file(_ served: ServedStore, _ name: String, _ bytes: [UInt8]) throws -> String {
        let path = served.folder.child(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func sha256(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return String(try ServedStore.run("/usr/bin/sha256sum", [path]).prefix(64))
    }

    @Test func aContactAttachesFilesToANewTicketAndAReplyAndDownloadsThemAsAttachments() throws {
        let served = try PortalRoutesTests.served()
        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        #expect(try carla.get("/portal/tickets/new").body.contains("enctype=\"multipart/form-data\""))
        let png = try Self.file(served, "screen shot.png", Self.binary)
        let html = try Self.file(served, "page.html", Array("<script>alert(1)</script>".utf8))
        let opened = try carla.upload(
            "/portal/tickets", [("subject", "Printer jams"), ("description", "see the files"), ("priority", "P3")],
            files: [(png, "image/png"), (html, "text/html")])
        #expect(opened.status == 303 && opened.header("Location") == ["/portal/tickets/T-1003"], "\(opened.body)")

        // Stored content-addressed before the append, recorded as ticket.attachment-added by the contact.
        let hash = try Self.sha256(Self.binary)
        let stored = served.store + "/attachments/\(hash.prefix(2))/\(hash)"
        #expect(FileManager.default.contents(atPath: stored).map { [UInt8]($0) } == Self.binary)
        let shown = try served.docket(["ticket", "show", "T-1003"]).stdout
        #expect(shown.contains("attachment screen shot.png (image/png, \(Self.binary.count) bytes, sha256 \(hash))"), "\(shown)")
        #expect(shown.contains("attachment page.html (text/html"))
        let history = try served.docket(["ticket", "show", "T-1003", "--json"]).stdout
        #expect(history.contains("ticket.attachment-added.v1") && history.contains("contact:acme-1"))

        let page = try carla.get("/portal/tickets/T-1003")
        #expect(page.body.contains("href=\"/portal/tickets/T-1003/attachments/\(hash)\""))
        #expect(page.body.contains("screen shot.png"))
        let saved = served.folder.child("downloaded")
        let (status, headers) = try carla.download("/portal/tickets/T-1003/attachments/\(hash)", to: saved)
        #expect(status == 200)
        #expect(FileManager.default.contents(atPath: saved).map { [UInt8]($0) } == Self.binary)
        #expect(headers.contains("content-disposition: attachment; filename=\"screen shot.png\"; filename*=utf-8''screen%20shot.png"), "\(headers)")
        #expect(headers.contains("content-type: image/png") && headers.contains("x-content-type-options: nosniff"))
        // What the sender called HTML is served as bytes to save, never as a page.
        let htmlHash = try Self.sha256(Array("<script>alert(1)</script>".utf8))
        let asBytes = try carla.download("/portal/tickets/T-1003/attachments/\(htmlHash)", to: saved)
        #expect(asBytes.status == 200 && asBytes.headers.contains("content-type: application/octet-stream"), "\(asBytes.headers)")

        // A reply with a file: the comment and the file in one append; the file shows under the reply.
        let note = try Self.file(served, "notes.txt", Array("printer log\n".utf8))
        #expect(try carla.upload("/portal/tickets/T-1001/replies", [("text", "Log attached")], files: [(note, "text/plain")]).status == 303)
        let reply = try carla.get("/portal/tickets/T-1001").body
        #expect(reply.contains("Log attached") && reply.contains("notes.txt"))
        #expect(try served.docket(["ticket", "show", "T-1001"]).stdout.contains("attachment notes.txt (text/plain, 12 bytes"))
        // A browser sends a non-ASCII name as raw UTF-8: kept exactly, and served back RFC 6266-encoded.
        let umlaut = try Self.file(served, "Rechnung März.pdf", Array("%PDF-1.4".utf8))
        #expect(try carla.upload("/portal/tickets/T-1001/replies", [("text", "Invoice")], files: [(umlaut, "application/pdf")]).status == 303)
        #expect(try served.docket(["ticket", "show", "T-1001"]).stdout.contains("attachment Rechnung März.pdf (application/pdf, 8 bytes"))
        let pdf = try carla.download("/portal/tickets/T-1001/attachments/\(try Self.sha256(Array("%PDF-1.4".utf8)))", to: saved)
        #expect(pdf.headers.contains("filename*=utf-8''rechnung%20m%c3%a4rz.pdf") && pdf.headers.contains("content-type: application/pdf"), "\(pdf.headers)")
        // A reply without a file still posts as multipart from the browser.
        #expect(try carla.upload("/portal/tickets/T-1001/replies", [("text", "No file this time")], files: []).status == 303)
        #expect(try served.docket(["verify"]).status == 0)
    }

    @Test func anotherClientsContactGets404OnTheDownloadAndUnknownFilesAre404() throws {
        let served = try PortalRoutesTests.served()
        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        let png = try Self.file(served, "a.png", Self.binary)
        #expect(try carla.upload("/portal/tickets/T-1001/replies", [("text", "screenshot")], files: [(png, "image/png")]).status == 303)
        let hash = try Self.sha256(Self.binary)

        let gus = PortalBrowser(served, name: "gus")
        try gus.signIn("gus@globex.example")
        let saved = served.folder.child("stolen")
        #expect(try gus.download("/portal/tickets/T-1001/attachments/\(hash)", to: saved).status == 404)
        #expect(FileManager.default.contents(atPath: saved).map { String(decoding: $0, as: UTF8.self).contains("Not found") } == true)
        // Gus's own ticket does not lend him the file either, nor does a path-like name reach the folder.
        #expect(try gus.download("/portal/tickets/T-1002/attachments/\(hash)", to: saved).status == 404)
        #expect(try carla.download("/portal/tickets/T-1001/attachments/..%2F..%2Fdata.mdb", to: saved).status == 404)
        #expect(try carla.download("/portal/tickets/T-1001/attachments/\(String(repeating: "0", count: 64))", to: saved).status == 404)
        #expect(try carla.download("/portal/tickets/T-1001/attachments/\(hash)", to: saved).status == 200)
    }

    @Test func filesOverTheLimitsAndFormsWithoutTheirTokenWriteNothing() throws {
        let served = try PortalRoutesTests.served()
        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        let before = try served.eventCount()
        let small = try Self.file(served, "small.png", Self.binary)

        // Without the CSRF token: 403, no event, no file.
        let forged = try carla.upload("/portal/tickets", [("subject", "forged")], files: [(small, "image/png")], csrf: false)
        #expect(forged.status == 403)
        let forgedReply = try carla.upload("/portal/tickets/T-1001/replies", [("text", "forged")], files: [(small, "image/png")], csrf: false)
        #expect(forgedReply.status == 403)

        // One file over 5 MiB: 413 naming the limit.
        let big = try Self.file(served, "big.bin", [UInt8](repeating: 0x41, count: 5 * 1024 * 1024 + 1))
        let tooBig = try carla.upload("/portal/tickets", [("subject", "big")], files: [(big, "application/octet-stream")])
        #expect(tooBig.status == 413 && tooBig.body.contains("over 5 MiB"), "\(tooBig.body)")
        // More than 10 MiB together: refused while reading the body.
        let four = try Self.file(served, "four.bin", [UInt8](repeating: 0x42, count: 4 * 1024 * 1024))
        let tooMuch = try carla.upload("/portal/tickets/T-1001/replies", [("text", "many")], files: [(four, "image/png"), (four, "image/png"), (four, "image/png")])
        #expect(tooMuch.status == 413, "\(tooMuch.body)")
        // A closed ticket refuses the reply before its file is stored.
        #expect(try served.docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test"], as: "bob").status == 0)
        let closedBefore = try served.eventCount()
        let closed = try carla.upload("/portal/tickets/T-1001/replies", [("text", "one more")], files: [(small, "image/png")])
        #expect(closed.status != 303)
        #expect(try served.eventCount() == closedBefore)
        #expect(closedBefore > before)  // only the close itself was written
        #expect(!FileManager.default.fileExists(atPath: served.store + "/attachments"), "no attachment file was written")
    }
}
