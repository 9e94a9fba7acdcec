import Foundation
import TestSupport
import Testing

/// Every message of the shared mail corpora through one store with `docket intake email --maildir`:
/// nothing crashes, every file gets exactly one line, the log verifies, and a sample of tickets holds the
/// subject, sender, threading and body facts of its message.
@Suite struct MailCorpusIntakeTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    static let corpora = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/mail")

    /// Every `.eml` under the corpora, as paths relative to ``corpora``, sorted.
    static func corpusFiles() throws -> [String] {
        let root = corpora.path
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".eml") }.sorted()
    }

    @discardableResult
    func docket(_ arguments: [String], stdin: String = "", as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, stdin: stdin, environment: ["DOCKET_USER": user])
    }

    func ticket(_ number: String) throws -> (ticket: [String: Any], history: String) {
        let show = try #require(
            try JSONSerialization.jsonObject(with: Data(try docket(["ticket", "show", number, "--json"]).stdout.utf8)) as? [String: Any])
        let history = (show["history"] as? [[String: Any]] ?? []).compactMap { $0["change"] as? String }.joined(separator: "\n")
        return (try #require(show["ticket"] as? [String: Any]), history)
    }

    @Test func everyCorpusMessageGoesThroughOneStore() throws {
        let files = try Self.corpusFiles()
        #expect(files.count >= 200, "the shared corpora hold a few hundred messages, found \(files.count)")

        #expect(try docket(["init"]).status == 0)
        try docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"])
        for (code, domain) in [("triage", nil), ("ddd", "ddd.com")] as [(String, String?)] {
            let run = try docket(
                ["client", "add", code, "--name", code, "--time-zone", "UTC", "--currency", "USD"] + (domain.map { ["--domain", $0] } ?? []))
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try docket(["client", "contact", "add", "ddd", "--name", "John Doe", "--email", "bbb@ddd.com"]).stdout == "ddd-1\n")

        // One Maildir: every corpus file (its path flattened into the name), plus a reply to one of them and a
        // message that is not a mail at all. Names sort in delivery order.
        let maildir = folder.child("Maildir")
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: maildir + "/" + sub, withIntermediateDirectories: true)
        }
        var names: [String] = []
        for file in files {
            let name = file.replacingOccurrences(of: "/", with: "_")
            try FileManager.default.copyItem(atPath: Self.corpora.path + "/" + file, toPath: maildir + "/new/" + name)
            names.append(name)
        }
        let reply = """
            From: Megan One <xxx@gmail.com>\r
            To: help@msp.example\r
            Subject: Re: Re: Test\r
            Message-ID: <corpus-reply@docket.test>\r
            In-Reply-To: <CAKsfaBW4hj0Gek6TwbR3erng4P1y0CZzJ0d=pXtCNnYnbe7PLg@mail.gmail.com>\r
            Date: Sat, 28 Nov 2026 10:00:00 +0000\r
            \r
            Still broken after the restart.\r

            """
        try reply.write(toFile: maildir + "/new/zz-1-reply.eml", atomically: true, encoding: .utf8)
        let garbage = "this is not a mail message"
        try garbage.write(toFile: maildir + "/new/zz-2-garbage.eml", atomically: true, encoding: .utf8)
        names += ["zz-1-reply.eml", "zz-2-garbage.eml"]
        names.sort()

        let run = try docket(["intake", "email", "--maildir", maildir, "--triage-client", "triage"], as: "intake")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        // stderr holds only the trace of each message dropped (nothing written for it): one line each, saying why.
        let traces = run.stderr.split(separator: "\n").map(String.init)
        #expect(traces.allSatisfy { $0.hasPrefix("docket: warning: dropped mail ") && $0.hasSuffix("; nothing written") }, "\(run.stderr)")
        #expect(traces.count == lines.filter { $0.contains(": dropped (") }.count)
        #expect(lines.count == names.count, "one line per message")
        let outcomes = [": opened T-", ": reply on T-", ": reopened T-", " noted on T-", ": duplicate, already on T-", ": dropped (", ": unreadable ("]
        for line in lines {
            #expect(outcomes.contains { line.contains($0) }, "unexpected line: \(line)")
        }
        let byName = Dictionary(uniqueKeysWithValues: zip(names, lines))
        func number(_ name: String) throws -> String {
            let line = try #require(byName[name], "no line for \(name)")
            let range = try #require(line.range(of: "T-[0-9]+$", options: .regularExpression), "no ticket in \(line)")
            return String(line[range])
        }

        let verify = try docket(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")

        // cpython msg_01: a known contact (matched case-insensitively), plain text body.
        let cpython = try ticket(try number("cpython-test_email_msg_01.txt.eml"))
        #expect(cpython.ticket["subject"] as? String == "This is a test message")
        #expect(cpython.ticket["client"] as? String == "ddd")
        #expect(cpython.ticket["contact"] as? String == "ddd-1")
        #expect(cpython.ticket["source"] as? String == "email")
        #expect(cpython.history.contains("mail new from bbb@ddd.com"))
        #expect(cpython.history.contains("Do you like this message?"))

        // ruby-mail RFC 2822 appendix A: example01 opens; example06 and 07 reply to it by In-Reply-To/References;
        // the other examples reuse example01's Message-ID and are duplicates.
        let hello = try number("ruby-mail_rfc2822_example01.eml")
        #expect(byName["ruby-mail_rfc2822_example01.eml"] == "1234@local.machine.example: opened \(hello)")
        #expect(byName["ruby-mail_rfc2822_example06.eml"] == "3456@example.net: reply on \(hello)")
        #expect(byName["ruby-mail_rfc2822_example07.eml"] == "abcd.1234@local.machine.tld: reply on \(hello)")
        #expect(byName["ruby-mail_rfc2822_example02.eml"] == "1234@local.machine.example: duplicate, already on \(hello)")
        let thread = try ticket(hello)
        #expect(thread.ticket["subject"] as? String == "Saying Hello")
        #expect(thread.ticket["client"] as? String == "triage", "an unknown sender goes to the triage client")
        #expect(thread.history.contains("mail new from jdoe@machine.example: Saying Hello"))
        #expect(thread.history.contains("mail reply from mary@example.net: Re: Saying Hello (3456@example.net)"))
        #expect(thread.history.contains("This is a message just to say hello."))

        // ruby-mail: an encoded-word subject with emoji, a PDF attachment.
        let pdf = try ticket(try number("ruby-mail_attachment_emails_attachment_pdf.eml"))
        #expect(pdf.ticket["subject"] as? String == "Another PDF with 🎉 Unicode chars in it 🍿")
        #expect(pdf.history.contains("mail new from xxxx@xxxx.com"))
        #expect(pdf.history.contains("1 attachment(s)"))
        #expect(pdf.history.contains("Just attaching another PDF"))

        // stalwart (RFC 2046 sample): no Message-ID, so it is filed under its bytes' SHA-256.
        let sampleLine = try #require(byName["stalwart-mail-parser_rfc_005.eml"])
        #expect(sampleLine.hasPrefix("sha256-") && sampleLine.contains("@docket.invalid: opened T-"))
        let sample = try ticket(try number("stalwart-mail-parser_rfc_005.eml"))
        #expect(sample.ticket["subject"] as? String == "Sample message")
        #expect(sample.history.contains("mail new from nsb@bellcore.com"))
        #expect(sample.history.contains("This is implicitly typed plain US-ASCII text."))

        // talon (a Gmail reply without threading headers to any ticket here) opens; our reply threads onto it.
        let gmail = try number("talon_standard_replies_gmail.eml")
        let talon = try ticket(gmail)
        #expect(talon.ticket["subject"] as? String == "Re: Test")
        #expect(talon.history.contains("mail new from xxx@gmail.com"))
        #expect(byName["zz-1-reply.eml"] == "corpus-reply@docket.test: reply on \(gmail)")
        #expect(try ticket(gmail).history.contains("mail reply from xxx@gmail.com: Re: Re: Test"))

        // The unreadable message is kept whole on a triage ticket.
        let unreadableLine = try #require(byName["zz-2-garbage.eml"])
        #expect(unreadableLine.contains(": unreadable (not a mail message"))
        let unreadable = try ticket(try number("zz-2-garbage.eml"))
        #expect((unreadable.ticket["subject"] as? String)?.hasPrefix("Unreadable email received ") == true)
        #expect(unreadable.ticket["client"] as? String == "triage")
        #expect(unreadable.history.contains("no header fields"))
        let sha = "a2d1489cb11dbed81abf1c3a44295cc1409742d4f22401e88847bc1b8398f746"
        #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/attachments/a2/" + sha)) == Data(garbage.utf8))

        // Every bounce and auto-reply in the corpora threads to no ticket here, so it is dropped.
        #expect(lines.filter { $0.contains(": dropped (bounce)") }.count >= 5)

        // Delivering the whole Maildir again writes nothing: every line is a duplicate or dropped.
        let head = try docket(["log", "--json", "--limit", "1000000"]).stdout
        let again = try docket(["intake", "email", "--maildir", maildir, "--triage-client", "triage"], as: "intake")
        #expect(again.status == 0, "\(again.stderr)")
        let againLines = again.stdout.split(separator: "\n").map(String.init)
        #expect(againLines.count == names.count)
        #expect(againLines.allSatisfy { $0.contains(": duplicate, already on T-") || $0.contains(": dropped (") })
        #expect(try docket(["log", "--json", "--limit", "1000000"]).stdout == head)
    }

    @Test func anUnreadableMessageWithoutATriageClientIsRefused() throws {
        #expect(try docket(["init"]).status == 0)
        let before = try docket(["log", "--json"]).stdout
        let refused = try docket(["intake", "email"], stdin: "not a mail at all")
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("--triage-client"), "\(refused.stderr)")
        #expect(refused.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1)
        #expect(try docket(["log", "--json"]).stdout == before)
        #expect(!FileManager.default.fileExists(atPath: store + "/attachments"))
        try docket(["client", "add", "triage", "--name", "Triage", "--time-zone", "UTC", "--currency", "USD"])
        let empty = try docket(["intake", "email", "--triage-client", "triage"], stdin: "")
        #expect(empty.status == 65, "empty input is still an error")
        #expect(empty.stderr.contains("empty"))
        let kept = try docket(["intake", "email", "--triage-client", "triage"], stdin: "not a mail at all")
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stdout.hasSuffix(": unreadable (not a mail message: no header fields and no blank line between headers and body), kept whole as unparsed-message.eml on T-1001\n"))
        let again = try docket(["intake", "email", "--triage-client", "triage"], stdin: "not a mail at all")
        #expect(again.stdout.hasSuffix(": duplicate, already on T-1001\n"), "the same bytes again are a duplicate")
        let log = try docket(["log", "--json", "--limit", "1000"]).stdout
        #expect(log.contains("unparsed-message.eml"))
        #expect(log.contains("message/rfc822"))
    }
}
