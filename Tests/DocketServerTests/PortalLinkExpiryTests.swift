import Foundation
import TestSupport
import Testing

/// A portal sign-in link works for 15 minutes. When the mail system was down and `docket outbox send` ran an hour
/// later, the contact was mailed the dead link. The link is asked for over real HTTP (curl) from a server whose clock is
/// fixed, and sent by `docket outbox send` beside it later.
@Suite struct PortalLinkExpiryTests {
    @Test func aLinkThatExpiredInTheOutboxIsCancelledNotSentAndCountedOnStderr() throws {
        let served = ServedStore()
        let issued = ["DOCKET_NOW": "2026-11-02T12:00:00Z"]
        #expect(try served.docket(["init"], environment: issued).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"], environment: issued).status == 0)
        #expect(try served.docket(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"], environment: issued).status == 0)
        try served.start(environment: issued, socket: false)
        let browser = PortalBrowser(served, name: "carla")
        #expect(try browser.get("/portal").status == 200)
        #expect(try browser.post("/portal/sign-in", [("email", "carla@acme.example")]).status == 200)
        #expect(served.stop() == 0)

        let mbox = served.folder.child("mbox")
        let sendmail = served.folder.child("sendmail")
        try "#!/bin/sh\ncat >> '\(mbox)'\n".write(toFile: sendmail, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sendmail)
        let later = ["DOCKET_NOW": "2026-11-02T13:00:00Z"]
        let list = try served.docket(["outbox", "list", "--json"], environment: later)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let id = try #require(rows.first?["messageId"] as? String)

        let send = try served.docket(["outbox", "send", "--sendmail", sendmail], environment: later)
        // No instant in the words: people read them among times in their own zone (the link's `expiresAt` keeps it).
        let reason = "the sign-in link expired (links work for 15 minutes) before it could be sent; "
            + "the contact can ask the portal for a new one"
        #expect(send.status == 0, "\(send.stderr)")
        #expect(send.stdout == "\(id): cancelled (sign-in): \(reason)\n")
        #expect(
            send.stderr
                == "docket: note: 1 portal sign-in link expired before it could be sent and was cancelled, not sent; "
                + "the contact can ask the portal for a new link\n")
        #expect(!FileManager.default.fileExists(atPath: mbox), "nothing handed to sendmail")
        let after = try served.docket(["outbox", "list"], environment: later).stdout
        #expect(after.contains("sign-in  carla@acme.example  cancelled: \(reason)"), "\(after)")
        #expect(try served.docket(["outbox", "send", "--sendmail", sendmail], environment: later).stdout == "nothing to send\n")
    }
}
