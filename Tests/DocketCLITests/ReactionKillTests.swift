import Foundation
import TestSupport
import Testing

/// kill -9 while tickets are opened, by hand and by email intake: the reactions' follow-ups (the SLA clock, the
/// routing rule's note, assignment and reply, the acknowledgement and the reply mail) are appended in the same
/// transaction as the opening, so every ticket in the log has all of them — never an opened ticket without them.
@Suite struct ReactionKillTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        let run = try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
        return run
    }

    func setUp() throws {
        try docket(["init"])
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        try docket(["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "tech"])
        #expect(try docket(["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try docket(["client", "contact", "add", "globex", "--name", "Jane", "--email", "jane@globex.example"]).stdout == "globex-1\n")
        let policy = folder.child("gold.yaml")
        try Data("""
            calendar: 24x7
            targets:
              P1: {responseMinutes: 30, resolutionMinutes: 120}
              P2: {responseMinutes: 60, resolutionMinutes: 240}
              P3: {responseMinutes: 240, resolutionMinutes: 960}
              P4: {responseMinutes: 480, resolutionMinutes: 2400}
            """.utf8).write(to: URL(fileURLWithPath: policy))
        let defined = try docket(["sla-policy", "define", "gold", "--name", "Gold", "--file", policy, "--effective", "2026-01-01"])
        #expect(defined.status == 0, "\(defined.stderr)")
        #expect(try docket(["contract", "add", "globex-msa", "--client", "globex", "--name", "MSA", "--effective", "2026-01-01", "--sla-policy", "gold"]).status == 0)
        #expect(try docket(["template", "add", "outage-ack", "--body", "We are on the outage now."]).status == 0)
        let rules = folder.child("rules.yaml")
        try Data("""
            rules:
              - id: outage
                match: {subjectContains: [outage]}
                actions: {priority: P1, assign: dora, replyTemplate: outage-ack}
            """.utf8).write(to: URL(fileURLWithPath: rules))
        #expect(try docket(["rules", "set", rules]).status == 0)
    }

    static func mail(id: String, subject: String, from: String = "Jane <jane@globex.example>") -> String {
        "From: \(from)\r\nTo: help@msp.example\r\nSubject: \(subject)\r\nMessage-ID: <\(id)>\r\n"
            + "Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\nIt is down.\r\n"
    }

    @Test func killNineNeverLeavesAnOpenedTicketWithoutItsFollowUps() throws {
        try setUp()
        for i in 0..<16 {
            let child: (Process, Pipe, Pipe, Pipe)
            if i.isMultiple(of: 2) {
                child = try DocketProcess.start(["intake", "email"], store: store, environment: ["DOCKET_USER": "intake"])
                // Every other mail is from a sender of Globex's domain who is no contact yet: the sender-contact reaction.
                let from = i.isMultiple(of: 4) ? "Jane <jane@globex.example>" : "Pat \(i) <pat\(i)@globex.example>"
                child.1.fileHandleForWriting.write(Data(Self.mail(id: "k\(i)@globex.example", subject: "Outage \(i)", from: from).utf8))
            } else {
                child = try DocketProcess.start(
                    ["ticket", "open", "--client", "globex", "--contact", "globex-1", "--subject", "Call \(i)"], store: store,
                    environment: ["DOCKET_USER": "intake"])
            }
            try child.1.fileHandleForWriting.close()
            usleep(useconds_t.random(in: 0...150_000))
            kill(child.0.processIdentifier, SIGKILL)
            child.0.waitUntilExit()
        }
        #expect(try docket(["intake", "email"], stdin: Self.mail(id: "last@globex.example", subject: "Outage last"), as: "intake").status == 0)
        let newSender = Self.mail(id: "pat@globex.example", subject: "Outage pat", from: "Pat <pat@globex.example>")
        #expect(try docket(["intake", "email"], stdin: newSender, as: "intake").status == 0)
        #expect(try docket(["ticket", "open", "--client", "globex", "--contact", "globex-1", "--subject", "Call last"], as: "intake").status == 0)
        #expect(try docket(["verify"]).status == 0)

        var streams: [String: [(type: String, payload: [String: Any])]] = [:]
        var contacts: [String: String] = [:]  // Globex's contacts: id → address
        for line in try docket(["export"]).stdout.split(separator: "\n") {
            let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let payload = event["payload"] as? [String: Any] ?? [:]
            if event["stream"] as? String == "client-globex", event["type"] as? String == "client.contact-added" {
                contacts[payload["contactId"] as? String ?? ""] = payload["email"] as? String
            }
            guard let stream = event["stream"] as? String, stream.hasPrefix("ticket-") else { continue }
            streams[stream, default: []].append((event["type"] as? String ?? "", event["payload"] as? [String: Any] ?? [:]))
        }
        #expect(streams.count >= 2)
        for (stream, events) in streams {
            let types = events.map(\.type)
            let opened = try #require(events.first { $0.type == "ticket.opened" }, "\(stream) starts with its opening")
            #expect(types.contains("ticket.sla-started"), "\(stream) has its SLA clock")
            let mails = events.filter { $0.type == "ticket.mail-queued" }.compactMap { $0.payload["reason"] as? String }
            #expect(mails.first == "acknowledgement", "\(stream) was acknowledged: \(types)")
            guard opened.payload["source"] as? String == "email" else { continue }
            let sender = try #require(events.first { $0.type == "ticket.mail-received" }?.payload["from"] as? String)
            if sender != "jane@globex.example" {
                let set = try #require(events.first { $0.type == "ticket.contact-set" }, "\(stream): \(sender) became its contact: \(types)")
                #expect(contacts[set.payload["contact"] as? String ?? ""] == sender, "\(stream): the contact was added with the ticket")
            }
            let texts = events.compactMap { $0.payload["text"] as? String }
            #expect(texts.contains { $0.hasPrefix("Routed by rule outage") }, "\(stream) has the rule's note")
            #expect(types.contains("ticket.assigned"), "\(stream) was assigned by the rule")
            #expect(texts.contains("We are on the outage now."), "\(stream) has the template reply")
            #expect(mails == ["acknowledgement", "reply"], "\(stream) mailed the acknowledgement and the reply")
        }
    }
}
