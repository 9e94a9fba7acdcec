import Foundation
import TestSupport
import Testing

/// Who is on a ticket's mail thread gets its public mail on Cc, and a technician can take an address off it
/// (`docket ticket cc remove`) or put one on (`ticket cc add`).
extension StaffMailIntakeTests {
    func outboxMessage(_ id: String, at now: String) throws -> [String: String] {
        let shown = try #require(
            try JSONSerialization.jsonObject(with: Data(try docket(["outbox", "show", id, "--json"], at: now).stdout.utf8)) as? [String: Any])
        let headers = try #require(shown["headers"] as? [[String: String]])
        return Dictionary(headers.map { ($0["name"] ?? "", $0["value"] ?? "") }) { first, _ in first }
    }

    func log(at now: String) throws -> String { try docket(["log", "--json", "--limit", "10000"], at: now).stdout }

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

    /// A technician who Cc'd the wrong address had no way back: it stayed on the thread, Cc'd on the ticket's mail and
    /// free to post onto the client's ticket. `ticket cc remove` takes it off (`ticket.participant-removed`, in the
    /// history): no more Cc, and its answer gets a ticket of its own on the triage client, as a stranger's does — also
    /// after Carla answers everyone, the NOC among them. An address not on the thread is refused (exit 4, one line,
    /// nothing written), as is a role that may not comment (billing, exit 5); `ticket cc add` puts it back. Embedded and
    /// through `docket serve`.
    @Test(arguments: DocketMode.allCases)
    func anAddressTakenOffTheThreadGetsNoCcAndNoLongerLandsOnTheTicket(mode: DocketMode) throws {
        try setUp()
        try docket(["user", "add", "bill", "--name", "Bill", "--email", "bill@msp.example", "--role", "billing"], at: "2026-11-02T14:20:00Z")
        #expect(try intake(Self.bobCcsTheISP(headers: Self.proven), at: "2026-11-02T14:30:00Z").stdout == "b1@msp.example: reply by bob on T-1001\n")
        let server = ["DOCKET_MAIL_AUTHSERV_ID": Self.ourServer, "DOCKET_SUPPORT_ADDRESS": "support@msp.example", "DOCKET_NOW": "2026-11-02T15:00:00Z"]
        try mode.run(serverEnvironment: server) {
            // Compared by the ticket's version: the first command of each user through the server makes them a token.
            let head = try #require(ticket("T-1001", at: "2026-11-02T14:59:00Z")["version"] as? Int)
            let stranger = try docket(["ticket", "cc", "remove", "T-1001", "nobody@isp.example"], at: "2026-11-02T15:00:00Z", as: "bob")
            #expect(stranger.status == 4)
            #expect(
                stranger.stderr
                    == "docket: error: nobody@isp.example is not on T-1001's mail thread (ann@msp.example, bob@msp.example, carla@acme.example, "
                    + "noc@isp.example); nothing to remove, see `docket ticket show T-1001`\n")
            #expect(try docket(["ticket", "cc", "remove", "T-1001", "noc@isp.example"], at: "2026-11-02T15:00:00Z", as: "bill").status == 5)
            #expect(try ticket("T-1001", at: "2026-11-02T15:00:00Z")["version"] as? Int == head, "nothing written")

            let removed = try docket(["ticket", "cc", "remove", "T-1001", "NOC@isp.example"], at: "2026-11-02T15:00:00Z", as: "bob")
            #expect(removed.status == 0, "\(removed.stderr)")
            #expect(removed.stdout == "T-1001: noc@isp.example is off the mail thread\n")
            #expect(removed.stderr.isEmpty)
            let thread = try #require(ticket("T-1001", at: "2026-11-02T15:01:00Z")["mailThread"] as? [String])
            #expect(thread == ["ann@msp.example", "bob@msp.example", "carla@acme.example"])
            let shown = try docket(["ticket", "show", "T-1001"], at: "2026-11-02T15:01:00Z").stdout
            #expect(shown.contains(" bob ") && shown.contains("noc@isp.example taken off the mail thread (no more Cc; its mail no longer lands here)"), "\(shown)")
            #expect(try docket(["ticket", "cc", "remove", "T-1001", "noc@isp.example"], at: "2026-11-02T15:02:00Z", as: "bob").status == 4, "not on it any more")

            #expect(try docket(["ticket", "comment", "T-1001", "Waiting for the ISP."], at: "2026-11-02T15:05:00Z", as: "bob").status == 0)
            let waiting = try #require(try outbox(at: "2026-11-02T15:06:00Z").last)
            #expect(waiting["reason"] as? String == "reply" && waiting["cc"] == nil, "the NOC gets no Cc: \(waiting)")

            let isp = try intake(Self.answerToBob(from: "NOC <noc@isp.example>", id: "n1@isp.example"), at: "2026-11-02T15:10:00Z")
            #expect(isp.stdout == "n1@isp.example: opened T-1002\n", "\(isp.stderr)")
            #expect((try ticket("T-1002", at: "2026-11-02T15:11:00Z")["ticket"] as? [String: Any])?["client"] as? String == "triage")
            // Carla answers everyone on bob's mail: the NOC stays off the thread.
            let carla = try intake(
                "From: carla@acme.example\r\nTo: bob@msp.example\r\nCc: noc@isp.example, support@msp.example\r\nSubject: Re: Printer offline\r\n"
                    + "Message-ID: <c2@acme.example>\r\nIn-Reply-To: <b1@msp.example>\r\n\r\nThanks.\r\n", at: "2026-11-02T15:20:00Z")
            #expect(carla.stdout == "c2@acme.example: reply on T-1001\n", "\(carla.stderr)")
            #expect(try #require(ticket("T-1001", at: "2026-11-02T15:21:00Z")["mailThread"] as? [String]) == thread)
            #expect(try intake(Self.answerToBob(from: "noc@isp.example", id: "n2@isp.example"), at: "2026-11-02T15:25:00Z").stdout == "n2@isp.example: opened T-1003\n")

            let added = try docket(["ticket", "cc", "add", "T-1001", "noc@isp.example"], at: "2026-11-02T15:30:00Z", as: "bob")
            #expect(added.stdout == "T-1001: noc@isp.example is on the mail thread\n", "\(added.stderr)")
            #expect(try docket(["ticket", "cc", "add", "T-1001", "noc@isp.example"], at: "2026-11-02T15:31:00Z", as: "bob").stdout
                == "T-1001: nothing to change (noc@isp.example is on its mail thread)\n")
            #expect(try intake(Self.answerToBob(from: "noc@isp.example", id: "n3@isp.example"), at: "2026-11-02T15:35:00Z").stdout == "n3@isp.example: reply on T-1001\n")
        }
    }

    /// Taking one of the client's own addresses off the thread stops its Cc, but the client's contacts and domains
    /// answer on their tickets whatever the thread says: a note says so. The support address and users' addresses are
    /// never put on a thread by hand (exit 6), nor is what is no address (exit 65); nothing is written.
    @Test func theClientsAddressesStaffAndNonsense() throws {
        try setUp()
        #expect(try intake(
            "From: carla@acme.example\r\nTo: support@msp.example\r\nCc: dan@acme.example\r\nSubject: Re: Printer offline\r\n"
                + "Message-ID: <c2@acme.example>\r\nIn-Reply-To: <c1@acme.example>\r\n\r\nDan sees it too.\r\n", at: "2026-11-02T14:20:00Z").stdout
            == "c2@acme.example: reply on T-1001\n")
        let removed = try docket(["ticket", "cc", "remove", "T-1001", "dan@acme.example"], at: "2026-11-02T14:30:00Z", as: "bob")
        #expect(removed.stdout == "T-1001: dan@acme.example is off the mail thread\n")
        #expect(removed.stderr == "docket: note: dan@acme.example is in acme's domains: it gets no Cc, but still answers on the client's tickets\n")
        #expect(try docket(["ticket", "comment", "T-1001", "On it."], at: "2026-11-02T14:40:00Z", as: "bob").status == 0)
        #expect(try outbox(at: "2026-11-02T14:41:00Z").last?["cc"] == nil, "dan gets no Cc")

        let head = try log(at: "2026-11-02T14:50:00Z")
        let support = try docket(["ticket", "cc", "add", "T-1001", "Support@msp.example"], at: "2026-11-02T14:50:00Z", as: "bob")
        #expect(support.status == 6)
        #expect(
            support.stderr
                == "docket: error: support@msp.example is the MSP's own (the support address, its domain, or a user's): staff follow T-1001 "
                + "in Docket, not by Cc; a colleague can watch it (`docket ticket watch T-1001 --user LOGIN`)\n")
        #expect(try docket(["ticket", "cc", "add", "T-1001", "bob@msp.example"], at: "2026-11-02T14:50:00Z", as: "bob").status == 6)
        let nonsense = try docket(["ticket", "cc", "add", "T-1001", "noc at isp"], at: "2026-11-02T14:50:00Z", as: "bob")
        #expect(nonsense.status == 65)
        #expect(nonsense.stderr == "docket: error: e-mail address \"noc at isp\" is not valid; write it like jane@acme.example\n")
        #expect(try log(at: "2026-11-02T14:51:00Z") == head, "nothing written")
    }

    /// `ticket cc` takes `--expect-version` as the ticket's other changes do (exit 3 on a stale version, nothing
    /// written), and the events it writes, and the mail queued with a Cc, match their JSON Schemas.
    @Test func ticketCcHonoursTheExpectedVersionAndItsEventsMatchTheirSchemas() throws {
        try setUp()
        #expect(try intake(Self.bobCcsTheISP(headers: Self.proven), at: "2026-11-02T14:30:00Z").status == 0)
        let version = try #require(ticket("T-1001", at: "2026-11-02T14:31:00Z")["version"] as? Int)
        let stale = try docket(["ticket", "cc", "remove", "T-1001", "noc@isp.example", "--expect-version", String(version - 1)], at: "2026-11-02T14:32:00Z", as: "bob")
        #expect(stale.status == 3, "\(stale.stderr)")
        #expect(try #require(ticket("T-1001", at: "2026-11-02T14:33:00Z")["mailThread"] as? [String]).contains("noc@isp.example"))
        let current = try docket(["ticket", "cc", "remove", "T-1001", "noc@isp.example", "--expect-version", String(version)], at: "2026-11-02T14:34:00Z", as: "bob")
        #expect(current.status == 0, "\(current.stderr)")
        #expect(try docket(["ticket", "cc", "add", "T-1001", "vendor@printers.example"], at: "2026-11-02T14:35:00Z", as: "bob").status == 0)
        #expect(try docket(["ticket", "comment", "T-1001", "Asked the vendor too."], at: "2026-11-02T14:36:00Z", as: "bob").status == 0)
        #expect(try outbox(at: "2026-11-02T14:37:00Z").last?["cc"] as? [String] == ["vendor@printers.example"])
        let export = try docket(["export"], at: "2026-11-02T14:37:00Z").stdout
        for type in ["ticket.participant-removed", "ticket.participant-added"] { #expect(export.contains("\"type\":\"\(type)\""), "\(type)") }
        #expect(export.contains("\"cc\":[\"vendor@printers.example\"]"))
        let (status, report) = try SchemaTests.validate(export, schema: "schemas/export-line.schema.json", events: true)
        #expect(status == 0, "\(report)")
        #expect(report.contains(" 0 errors"), "\(report)")
    }
}

extension StaffMailIntakeTests {
    /// Dan's mail opened T-1002 with the client's ISP on Cc; T-1002 was merged into T-1001. Bob's public reply on
    /// T-1001 went to Carla with Dan (T-1002's requester) on Cc, and not to the NOC, who had been on T-1002's thread: the
    /// conversation moved to T-1001 without it, and `ticket show T-1001` did not list it (so `ticket cc remove` said it
    /// was not on the thread). Now the merged ticket's thread is T-1001's too: Cc'd, listed, and taken off for good.
    @Test func theThreadOfAMergedTicketFollowsTheMerge() throws {
        try setUp()
        let dan = try intake(
            "From: Dan <dan@acme.example>\r\nTo: support@msp.example\r\nCc: noc@isp.example\r\nSubject: Printer still offline\r\n"
                + "Message-ID: <d1@acme.example>\r\n\r\nSame printer.\r\n", at: "2026-11-02T14:20:00Z")
        #expect(dan.stdout == "d1@acme.example: opened T-1002\n", "\(dan.stderr)")
        #expect(try docket(["ticket", "merge", "T-1002", "--into", "T-1001"], at: "2026-11-02T14:25:00Z", as: "bob").status == 0)
        #expect(try docket(["ticket", "comment", "T-1001", "Power-cycle it, please."], at: "2026-11-02T14:30:00Z", as: "bob").status == 0)
        let reply = try #require(try outbox(at: "2026-11-02T14:31:00Z").last)
        #expect(reply["reason"] as? String == "reply")
        #expect(reply["cc"] as? [String] == ["dan@acme.example", "noc@isp.example"], "\(reply)")
        let thread = try #require(ticket("T-1001", at: "2026-11-02T14:31:00Z")["mailThread"] as? [String])
        #expect(thread.contains("noc@isp.example"), "\(thread)")

        let removed = try docket(["ticket", "cc", "remove", "T-1001", "noc@isp.example"], at: "2026-11-02T14:40:00Z", as: "bob")
        #expect(removed.stdout == "T-1001: noc@isp.example is off the mail thread\n", "\(removed.stderr)")
        #expect(try docket(["ticket", "comment", "T-1001", "Any better?"], at: "2026-11-02T14:45:00Z", as: "bob").status == 0)
        #expect(try #require(try outbox(at: "2026-11-02T14:46:00Z").last)["cc"] as? [String] == ["dan@acme.example"])
    }
}
