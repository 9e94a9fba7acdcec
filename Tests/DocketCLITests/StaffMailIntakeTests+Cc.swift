import Foundation
import TestSupport
import Testing

/// Who is on a ticket's mail thread gets its public mail on Cc.
extension StaffMailIntakeTests {
    func outboxMessage(_ id: String, at now: String) throws -> [String: String] {
        let shown = try #require(
            try JSONSerialization.jsonObject(with: Data(try docket(["outbox", "show", id, "--json"], at: now).stdout.utf8)) as? [String: Any])
        let headers = try #require(shown["headers"] as? [[String: String]])
        return Dictionary(headers.map { ($0["name"] ?? "", $0["value"] ?? "") }) { first, _ in first }
    }

    /// Bob's proven reply to Carla put her ISP's NOC on T-1001's thread, yet the public reply and the resolution that
    /// followed went to Carla alone: the NOC never saw the answer. Now both are Cc'd to the thread (the To and Cc of the
    /// outbox row, the message's Cc header), never to the MSP's own addresses — the support address, others of its
    /// domain (ann@msp.example, on bob's Cc), users (bob, on Carla's Cc) — each once; the internal note sends nothing,
    /// the acknowledgement went to Carla alone, and In-Reply-To and References are Carla's message as before.
    @Test func theMailThreadIsOnCcOfPublicRepliesAndTheResolution() throws {
        try setUp()
        #expect(try intake(Self.bobCcsTheISP(headers: Self.proven), at: "2026-11-02T14:30:00Z").stdout == "b1@msp.example: reply by bob on T-1001\n")
        #expect(try docket(["ticket", "comment", "T-1001", "Checked the logs", "--internal"], at: "2026-11-02T14:40:00Z", as: "bob").status == 0)
        #expect(try docket(["ticket", "comment", "T-1001", "The ISP fixed the line; please try again."], at: "2026-11-02T15:00:00Z", as: "bob").status == 0)
        let closed = try docket(
            ["ticket", "close", "T-1001", "--resolution", "Line repaired by the ISP", "--no-time", "--reason", "test"], at: "2026-11-02T16:00:00Z", as: "bob")
        #expect(closed.status == 0, "\(closed.stderr)")

        let mail = try outbox(at: "2026-11-02T16:01:00Z")
        #expect(mail.map { $0["reason"] as? String } == ["acknowledgement", "reply", "resolution"], "the internal note sends nothing")
        #expect(mail.first?["to"] as? [String] == ["carla@acme.example"])
        #expect(mail.first?["cc"] == nil, "the acknowledgement goes to the requester alone")
        for sent in mail.dropFirst() {
            #expect(sent["to"] as? [String] == ["carla@acme.example", "noc@isp.example"], "\(sent)")
            #expect(sent["cc"] as? [String] == ["noc@isp.example"], "\(sent)")
            let headers = try outboxMessage(try #require(sent["messageId"] as? String), at: "2026-11-02T16:01:00Z")
            #expect(headers["To"] == "Carla <carla@acme.example>")
            #expect(headers["Cc"] == "noc@isp.example")
            #expect(headers["In-Reply-To"] == "<c1@acme.example>")
            #expect(headers["References"] == "<c1@acme.example>")
        }
        let listed = try docket(["outbox", "list"], at: "2026-11-02T16:01:00Z").stdout
        #expect(listed.contains("reply            carla@acme.example (cc noc@isp.example)"), "\(listed)")
        let shown = try docket(["ticket", "show", "T-1001"], at: "2026-11-02T16:01:00Z").stdout
        #expect(shown.contains("mail queued (resolution) to carla@acme.example (cc noc@isp.example): [T-1001] Printer offline"), "\(shown)")
    }
}
