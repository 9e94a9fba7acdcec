import Foundation
import TestSupport
import Testing

/// A technician answering the client by email, from their own mailbox with the support address on Cc, through
/// `docket intake email`. The clock is fixed; the policy is 24x7 with a P3 response of 4 hours.
@Suite struct StaffMailIntakeTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    static let ourServer = "mx.msp.example"
    static let proven = "Authentication-Results: mx.msp.example; dkim=pass (2048-bit key) header.d=msp.example header.s=s1;\r\n"
        + " spf=pass smtp.mailfrom=bob@msp.example; dmarc=pass (p=reject dis=none) header.from=msp.example\r\n"

    @discardableResult
    func docket(_ arguments: [String], at now: String, as user: String = "ann", stdin: String = "", authservId: String? = ourServer) throws -> DocketRun {
        var environment = ["DOCKET_USER": user, "DOCKET_NOW": now, "DOCKET_SUPPORT_ADDRESS": "support@msp.example"]
        if let authservId { environment["DOCKET_MAIL_AUTHSERV_ID"] = authservId }
        return try DocketProcess.run(arguments, store: store, stdin: stdin, environment: environment)
    }

    /// Carla's mail opened T-1001 at 14:00 (bob on Cc, so bob's address is on the thread), bob set it waiting on the
    /// client at 14:10.
    func setUp() throws {
        let t = "2026-11-02T12:00:00Z"
        try docket(["init"], at: t)
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"], at: t)
        try docket(["user", "add", "bob", "--name", "Bob Tech", "--email", "Bob@msp.example", "--role", "tech"], at: t)
        try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"], at: t)
        try docket(["client", "add", "triage", "--name", "Triage", "--time-zone", "UTC", "--currency", "USD"], at: t)
        try docket(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"], at: t)
        #expect(
            try docket(
                ["sla-policy", "define", "gold", "--name", "Gold", "--file", "-", "--effective", "2026-01-01"], at: t,
                stdin: SLAFiles.roundTheClockPolicy
            ).status == 0)
        #expect(try docket(["contract", "add", "acme-2026", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01", "--sla-policy", "gold"], at: t).status == 0)
        let opened = try intake(
            "From: Carla <carla@acme.example>\r\nTo: support@msp.example\r\nCc: bob@msp.example\r\nSubject: Printer offline\r\n"
                + "Message-ID: <c1@acme.example>\r\n\r\nThe printer is offline.\r\n", at: "2026-11-02T14:00:00Z")
        #expect(opened.stdout == "c1@acme.example: opened T-1001\n", "\(opened.stderr)")
        #expect(try docket(["ticket", "status", "T-1001", "waiting-on-client"], at: "2026-11-02T14:10:00Z", as: "bob").status == 0)
    }

    func intake(_ message: String, at now: String, authservId: String? = ourServer) throws -> DocketRun {
        try docket(["intake", "email", "--triage-client", "triage"], at: now, as: "intake", stdin: message, authservId: authservId)
    }

    /// Bob's answer to Carla: To her, Cc support, In-Reply-To her mail.
    static func bobsReply(id: String = "b1@msp.example", headers: String = proven, inReplyTo: String = "c1@acme.example", subject: String = "Re: Printer offline") -> String {
        "From: Bob Tech <bob@msp.example>\r\nTo: Carla <carla@acme.example>\r\nCc: support@msp.example\r\nSubject: \(subject)\r\n"
            + "Message-ID: <\(id)>\r\nIn-Reply-To: <\(inReplyTo)>\r\nReferences: <\(inReplyTo)>\r\n" + headers
            + "\r\nHi Carla, please power-cycle it.\r\n"
    }

    func ticket(_ number: String, at now: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", number, "--json"], at: now).stdout.utf8)) as? [String: Any])
    }

    func state(_ number: String, at now: String) throws -> (status: String?, response: String?) {
        let shown = try ticket(number, at: now)
        let response = ((shown["sla"] as? [String: Any])?["response"] as? [String: Any])?["state"] as? String
        return ((shown["ticket"] as? [String: Any])?["status"] as? String, response)
    }

    func outbox(at now: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(try docket(["outbox", "list", "--json"], at: now).stdout.utf8)) as? [[String: Any]])
    }

    /// Bob's email answer (his address on the thread) was taken as the client's reply: the ticket went from Waiting on
    /// client to In progress and the response clock kept running (without bob on the thread it opened a triage ticket,
    /// or was refused with no triage client). Proven by our mail server, it is bob's public reply now: it meets the
    /// response clock, changes no status, and Carla, who has the mail, gets no copy. Her answer to it threads back.
    @Test func aTechniciansProvenEmailIsTheirPublicReply() throws {
        try setUp()
        let run = try intake(Self.bobsReply(), at: "2026-11-02T14:30:00Z")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "b1@msp.example: reply by bob on T-1001\n")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        let after = try state("T-1001", at: "2026-11-02T14:31:00Z")
        #expect(after.status == "waiting-on-client", "a technician's reply does not resume the ticket as a client's does")
        #expect(after.response == "met")
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-02T14:31:00Z").stdout
        let lines = show.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains(" bob ") && $0.contains("mail staff from bob@msp.example: Re: Printer offline (b1@msp.example)") }, "\(show)")
        #expect(lines.contains { $0.contains(" bob ") && $0.contains("public reply by email (b1@msp.example): Hi Carla, please power-cycle it.") }, "\(show)")
        #expect(try outbox(at: "2026-11-02T14:31:00Z").map { $0["reason"] as? String } == ["acknowledgement"], "no second copy to Carla")
        #expect(try intake(Self.bobsReply(), at: "2026-11-02T14:32:00Z").stdout == "b1@msp.example: duplicate, already on T-1001\n")

        let answer = try intake(
            "From: carla@acme.example\r\nTo: bob@msp.example\r\nCc: support@msp.example\r\nSubject: Re: Printer offline\r\n"
                + "Message-ID: <c2@acme.example>\r\nIn-Reply-To: <b1@msp.example>\r\n\r\nStill offline.\r\n", at: "2026-11-02T15:00:00Z")
        #expect(answer.stdout == "c2@acme.example: reply on T-1001\n", "\(answer.stderr)")
        #expect(try state("T-1001", at: "2026-11-02T15:01:00Z").status == "in-progress")
    }

    /// A From is anyone's to write, and so is an Authentication-Results header: without our mail server's own verdict
    /// (none configured, another server's name, a failure, a signature of another domain) bob's address proves
    /// nothing. Such mail is noted on the ticket, with a warning saying why, and is neither bob's reply nor the
    /// client's: the status and the response clock stay as they were.
    @Test(arguments: [
        (nil as String?, proven, "no mail server is trusted to prove a sender ($DOCKET_MAIL_AUTHSERV_ID is not set)"),
        (ourServer, "Authentication-Results: mx.evil.example; dkim=pass header.d=msp.example; dmarc=pass header.from=msp.example\r\n",
         "no Authentication-Results header of mx.msp.example"),
        (ourServer, "Authentication-Results: mx.msp.example; dkim=fail header.d=msp.example; dmarc=fail header.from=msp.example\r\n"
            + "Authentication-Results: mx.msp.example; dkim=pass header.d=msp.example\r\n",
         "mx.msp.example reports no DMARC or aligned DKIM pass for msp.example"),
        (ourServer, "Authentication-Results: mx.msp.example; dkim=pass header.d=evil.example; dmarc=none header.from=msp.example\r\n",
         "mx.msp.example reports no DMARC or aligned DKIM pass for msp.example"),
    ])
    func unprovenStaffMailIsNotedAndChangesNothing(authservId: String?, headers: String, why: String) throws {
        try setUp()
        let run = try intake(Self.bobsReply(headers: headers), at: "2026-11-02T14:30:00Z", authservId: authservId)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "b1@msp.example: unverified staff mail noted on T-1001\n")
        #expect(
            run.stderr
                == "docket: warning: mail b1@msp.example from bob@msp.example (user bob) is noted on T-1001, not taken as bob's reply: \(why); "
                + "reply with `docket ticket comment T-1001 \"…\"`, or see docs/security.md (staff mail)\n")
        let after = try state("T-1001", at: "2026-11-02T14:31:00Z")
        #expect(after.status == "waiting-on-client")
        #expect(after.response == "paused")
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-02T14:31:00Z").stdout
        #expect(show.contains("intake  mail staff from bob@msp.example: Re: Printer offline (b1@msp.example)"), "\(show)")
        #expect(!show.contains("public reply"))
    }

    /// A technician answering one of our SLA notices by mail (only to the support address) answers staff, not the
    /// client: proven or not, it is only noted, and the response clock runs on.
    @Test func aProvenMailToStaffOnlyIsNoReplyToTheClient() throws {
        try setUp()
        let notice = "From: Bob Tech <bob@msp.example>\r\nTo: support@msp.example\r\nCc: ann@msp.example\r\nSubject: Re: [T-1001] SLA warning\r\n"
            + "Message-ID: <b9@msp.example>\r\nIn-Reply-To: <c1@acme.example>\r\n" + Self.proven + "\r\nOn it.\r\n"
        let run = try intake(notice, at: "2026-11-02T14:30:00Z")
        #expect(run.stdout == "b9@msp.example: staff mail noted on T-1001\n", "\(run.stderr)")
        #expect(run.stderr.contains("not taken as bob's reply: it is addressed to no one of the client"), "\(run.stderr)")
        #expect(try state("T-1001", at: "2026-11-02T14:31:00Z").response == "paused")
    }

    /// The subject token threads a proven technician's mail onto any client's ticket (they may reply on any); a closed
    /// ticket only notes it, without reopening; a deactivated user's mail is not staff's: it is taken as anyone's.
    @Test func theSubjectTokenAClosedTicketAndADeactivatedUser() throws {
        try setUp()
        let token = try intake(
            Self.bobsReply(id: "b2@msp.example", inReplyTo: "unknown@elsewhere.example", subject: "Re: [T-1001] Printer offline"), at: "2026-11-02T14:30:00Z")
        #expect(token.stdout == "b2@msp.example: reply by bob on T-1001\n", "\(token.stderr)")
        #expect(try docket(["ticket", "close", "T-1001", "--resolution", "Power-cycled", "--no-time", "--reason", "test"], at: "2026-11-02T15:00:00Z", as: "bob").status == 0)
        let closed = try intake(Self.bobsReply(id: "b3@msp.example"), at: "2026-11-02T15:10:00Z")
        #expect(closed.stdout == "b3@msp.example: staff mail noted on T-1001\n")
        #expect(closed.stderr.contains("not taken as bob's reply: T-1001 is closed; reopen it and reply with `docket ticket comment`"), "\(closed.stderr)")
        #expect((try ticket("T-1001", at: "2026-11-02T15:11:00Z")["ticket"] as? [String: Any])?["status"] as? String == "closed")

        #expect(try docket(["user", "deactivate", "bob"], at: "2026-11-02T15:20:00Z").status == 0)
        try docket(["ticket", "reopen", "T-1001"], at: "2026-11-02T15:21:00Z")
        let gone = try intake(Self.bobsReply(id: "b4@msp.example", inReplyTo: "b2@msp.example"), at: "2026-11-02T15:30:00Z")
        // bob was on Carla's first mail's Cc: like any address on the thread, his mail is a reply on it, not staff's.
        #expect(gone.stdout == "b4@msp.example: reply on T-1001\n", "\(gone.stderr)")
    }

    /// The served `intake email` (a deployment's `docket serve` takes mail for intake too, e.g. `--lmtp`) reads
    /// $DOCKET_MAIL_AUTHSERV_ID from the server's own environment: a proven reply through it is bob's public reply, as
    /// it is embedded (the store set up embedded first).
    @Test(arguments: DocketMode.allCases)
    func aProvenReplyThroughTheServerIsTheTechniciansPublicReply(mode: DocketMode) throws {
        try setUp()
        let server = ["DOCKET_MAIL_AUTHSERV_ID": Self.ourServer, "DOCKET_SUPPORT_ADDRESS": "support@msp.example", "DOCKET_NOW": "2026-11-02T14:30:00Z"]
        try mode.run(serverEnvironment: server) {
            let run = try intake(Self.bobsReply(), at: "2026-11-02T14:30:00Z")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "b1@msp.example: reply by bob on T-1001\n", "\(run.stderr)")
            let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-02T14:31:00Z").stdout
            let lines = show.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.contains(" bob ") && $0.contains("public reply by email (b1@msp.example): Hi Carla, please power-cycle it.") }, "\(show)")
            #expect(try state("T-1001", at: "2026-11-02T14:31:00Z").status == "waiting-on-client")
            #expect(try outbox(at: "2026-11-02T14:31:00Z").map { $0["reason"] as? String } == ["acknowledgement"], "no second copy to Carla")
        }
    }

    /// Bob answers Carla with her ISP's NOC on Cc (proven by our mail server, or not: `headers`).
    static func bobCcsTheISP(headers: String) -> String {
        "From: Bob Tech <bob@msp.example>\r\nTo: Carla <carla@acme.example>\r\nCc: NOC <noc@isp.example>, support@msp.example, Ann <ann@msp.example>\r\n"
            + "Subject: Re: Printer offline\r\nMessage-ID: <b1@msp.example>\r\nIn-Reply-To: <c1@acme.example>\r\nReferences: <c1@acme.example>\r\n"
            + headers + "\r\nCarla, I have asked your ISP (Cc) to check the line.\r\n"
    }

    /// An answer to bob's mail (In-Reply-To it) from `from`.
    static func answerToBob(from: String, id: String) -> String {
        "From: \(from)\r\nTo: bob@msp.example\r\nCc: carla@acme.example, support@msp.example\r\nSubject: Re: Printer offline\r\n"
            + "Message-ID: <\(id)>\r\nIn-Reply-To: <b1@msp.example>\r\nReferences: <c1@acme.example> <b1@msp.example>\r\n\r\nA fibre cut; fixed by 18:00.\r\n"
    }

    /// A third party a technician put on Cc of their proven reply to the client (her ISP) answered on the thread, and
    /// got a triage ticket of their own ('Refers to T-1001'): staff mail put no address on the thread. The To and Cc of
    /// mail taken as the technician's reply (not the support address, not users) are the ticket's participants now:
    /// the ISP's answer is a reply on T-1001, as a Cc of Carla's own mail would be. Someone nobody put on Cc who knows
    /// the Message-ID still gets a ticket of their own.
    @Test func aThirdPartyOnCcOfAProvenStaffReplyRepliesOnTheTicket() throws {
        try setUp()
        let before = try #require(ticket("T-1001", at: "2026-11-02T14:29:00Z")["mailThread"] as? [String])
        #expect(!before.contains("noc@isp.example"))
        let reply = try intake(Self.bobCcsTheISP(headers: Self.proven), at: "2026-11-02T14:30:00Z")
        #expect(reply.stdout == "b1@msp.example: reply by bob on T-1001\n", "\(reply.stderr)")
        // `ticket show` names who is on the thread now: the ISP and ann@msp.example (no user's address here), never the
        // support address.
        let thread = try #require(ticket("T-1001", at: "2026-11-02T14:31:00Z")["mailThread"] as? [String])
        #expect(thread == (before + ["ann@msp.example", "noc@isp.example"]).sorted(), "\(thread)")
        #expect(!thread.contains("support@msp.example"))
        let shown = try docket(["ticket", "show", "T-1001"], at: "2026-11-02T14:32:00Z").stdout
        #expect(shown.contains("\nmail thread: \(thread.joined(separator: ", "))\n"), "\(shown)")
        let isp = try intake(Self.answerToBob(from: "NOC <noc@isp.example>", id: "n1@isp.example"), at: "2026-11-02T15:00:00Z")
        #expect(isp.stdout == "n1@isp.example: reply on T-1001\n", "\(isp.stderr)")
        #expect(try state("T-1001", at: "2026-11-02T15:01:00Z").status == "in-progress", "an answer on the thread resumes the ticket")
        let stranger = try intake(Self.answerToBob(from: "m@evil.example", id: "m1@evil.example"), at: "2026-11-02T15:05:00Z")
        #expect(stranger.stdout == "m1@evil.example: opened T-1002\n", "\(stranger.stderr)")
        #expect((try ticket("T-1002", at: "2026-11-02T15:06:00Z")["ticket"] as? [String: Any])?["client"] as? String == "triage")
    }

    /// Staff mail that is only noted (not proven by our mail server) brings no one onto the thread: anyone can forge
    /// a technician's From with a Cc of their choosing.
    @Test func aThirdPartyOnCcOfUnprovenStaffMailIsNotOnTheThread() throws {
        try setUp()
        let noted = try intake(Self.bobCcsTheISP(headers: ""), at: "2026-11-02T14:30:00Z")
        #expect(noted.stdout == "b1@msp.example: unverified staff mail noted on T-1001\n", "\(noted.stderr)")
        let isp = try intake(Self.answerToBob(from: "NOC <noc@isp.example>", id: "n1@isp.example"), at: "2026-11-02T15:00:00Z")
        #expect(isp.stdout == "n1@isp.example: opened T-1002\n", "\(isp.stderr)")
        #expect(try state("T-1001", at: "2026-11-02T15:01:00Z").status == "waiting-on-client")
    }

    /// An authserv-id that no mail server writes (a space, a `;`) is refused before anything is read or written.
    @Test func anUnusableAuthservIdIsRefused() throws {
        try setUp()
        let head = try docket(["log", "--json", "--limit", "1000"], at: "2026-11-02T14:20:00Z").stdout
        let run = try intake(Self.bobsReply(), at: "2026-11-02T14:30:00Z", authservId: "mx.msp.example; dkim=pass")
        #expect(run.status == 64)
        #expect(
            run.stderr
                == "docket: error: $DOCKET_MAIL_AUTHSERV_ID 'mx.msp.example; dkim=pass' is not a mail server's authserv-id; give the name your mail server writes in its Authentication-Results headers, such as mx.msp.example\n")
        #expect(try docket(["log", "--json", "--limit", "1000"], at: "2026-11-02T14:31:00Z").stdout == head)
    }
}
