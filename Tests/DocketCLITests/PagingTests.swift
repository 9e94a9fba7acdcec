import DocketTime
import Foundation
import Hooks
import TestSupport
import Testing

/// Paging on call: an SLA breach queues a signed POST to each subscribed notification channel in the tick's own
/// append, and `docket outbox send` delivers it to a real HTTP receiver on loopback (a Python `http.server` this
/// test starts and stops by PID), retrying a 5xx and giving up at once on a 4xx.
extension SLACommandsTests {
    /// A loopback receiver: records each request (path, headers, body) as a JSON line in `log` and answers `/gone`
    /// with 410, anything else with the next of `statuses` (the last one repeated); prints its port, then each
    /// request's path once answered.
    static let receiver = """
        import http.server, json, sys
        log, statuses = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
        answered = []
        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                with open(log, "a") as f:
                    f.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}) + "\\n")
                if self.path == "/gone":
                    status = 410
                else:
                    answered.append(1)
                    status = statuses[min(len(answered), len(statuses)) - 1]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                print(self.path, flush=True)
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    @Test func aBreachPagesTheChannelSignedAndA5xxIsRetriedA4xxNot() throws {
        try setUp()
        let receiver = try startReceiver(answering: "500,200")
        defer { receiver.stop() }
        let port = receiver.port

        let t = Self.setUpTime
        let added = try docket(["notify", "add", "on-call", "--url", "http://127.0.0.1:\(port)/page", "--on", "sla-breached,escalated"], at: t)
        #expect(added.status == 0, "\(added.stderr)")
        let secret = added.stdout.trimmingCharacters(in: .newlines)
        #expect(try docket(["notify", "add", "refuser", "--url", "http://127.0.0.1:\(port)/gone"], at: t).status == 0)
        #expect(try docket(["notify", "add", "chatty", "--url", "http://127.0.0.1:\(port)/warn", "--on", "sla-warned"], at: t).status == 0)

        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(try docket(["tick"], at: "2026-11-06T22:01:00Z", as: "dora").stdout.contains("SLA breached: response due"))
        let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T22:01:30Z")) as? [[String: Any]])
        let pages = outbox.filter { $0["reason"] as? String == "page" }
        #expect(pages.compactMap { $0["to"] as? [String] } == [["on-call"], ["refuser"]], "the breach, to its subscribers only: \(outbox)")
        let id = try #require(pages.first?["messageId"] as? String)

        let first = try docket(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-06T22:02:00Z")
        #expect(first.status == 6, "a failed page fails the run: \(first.stdout)")
        #expect(first.stdout.contains("\(id): failed (T-1001, attempt 1): HTTP 500 from http://127.0.0.1:\(port)\n"), "\(first.stdout)")
        #expect(first.stdout.contains(": undeliverable (T-1001, attempt 1): HTTP 410 from http://127.0.0.1:\(port)\n"), "\(first.stdout)")
        let second = try docket(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-06T22:03:00Z")
        #expect(second.status == 0, "\(second.stdout)")
        #expect(second.stdout == "\(id): sent (T-1001, attempt 2)\n", "the 410 is not tried again: \(second.stdout)")
        #expect(try docket(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-06T22:30:00Z").stdout == "nothing to send\n")

        let after = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T22:31:00Z")) as? [[String: Any]])
        #expect(after.filter { $0["reason"] as? String == "page" }.compactMap { $0["status"] as? String } == ["sent", "undeliverable"], "\(after)")

        let requests = try receiver.requests()
        let paged = requests.filter { $0["path"] as? String == "/page" }
        #expect(paged.count == 2 && requests.count == 3, "500, then 200; the 410 once; nothing to the warning's channel: \(requests)")
        for (request, sentAt) in zip(paged, ["2026-11-06T22:02:00Z", "2026-11-06T22:03:00Z"]) {
            let headers = try #require(request["headers"] as? [String: String])
            let body = try #require(request["body"] as? String)
            #expect(headers["docket-delivery"] == id, "the same id on every attempt: receivers dedupe on it")
            #expect(headers["content-type"] == "application/json")
            let now = try #require(Timestamp(iso8601: sentAt))
            let verified = HookSignature.verify(header: headers["docket-signature"], body: Array(body.utf8), secrets: [secret], now: now)
            #expect(try verified.get().timestamp == now.millisecondsSinceEpoch / 1000, "signed with the printed secret at the send's clock")
            #expect(HookSignature.verify(header: headers["docket-signature"], body: Array((body + " ").utf8), secrets: [secret], now: now) == .failure(.mismatch))
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(fields["id"] as? String == id)
            #expect(fields["event"] as? String == "sla-breached")
            #expect(fields["ticket"] as? String == "T-1001")
            #expect(fields["client"] as? String == "acme" && fields["clientName"] as? String == "Acme")
            #expect(fields["subject"] as? String == "Backup failed")
            #expect(fields["priority"] as? String == "P2" && fields["assignee"] as? String == "bob")
            #expect(fields["clock"] as? String == "response")
            #expect(fields["dueAt"] as? String == "2026-11-06T22:00:00.000Z")
            #expect(fields["at"] as? String == "2026-11-06T22:01:00.000Z")
        }
    }

    /// Pages retried on the mail's backoff (the next run, then 1, 2, 4 … minutes, for twelve attempts: about twelve
    /// hours) left a P1 page waiting on a receiver that was down for a minute, and tried a dead one all night. A page
    /// now waits 30 s, 1, 2, 5, 10 and 10 minutes between attempts and is undeliverable after the 7th (28.5 minutes
    /// after its first); mail keeps its schedule.
    @Test func aPageIsRetriedOnThePagingScheduleMailOnItsOwn() throws {
        try setUp()
        let receiver = try startReceiver(answering: "503")
        defer { receiver.stop() }
        let t = Self.setUpTime
        #expect(try docket(["notify", "add", "on-call", "--url", "http://127.0.0.1:\(receiver.port)/page"], at: t).status == 0)
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(try docket(["tick"], at: "2026-11-06T22:01:00Z", as: "dora").stdout.contains("SLA breached: response due"))
        let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T22:01:30Z")) as? [[String: Any]])
        let page = try #require(outbox.first { $0["reason"] as? String == "page" }?["messageId"] as? String, "\(outbox)")
        let mail = try #require(outbox.first { $0["reason"] as? String == "sla-breach" }?["messageId"] as? String, "\(outbox)")
        /// What a send at `now` (sendmail failing too) printed about the page and the mail.
        func send(at now: String) throws -> (page: String?, mail: String?) {
            let run = try docket(["outbox", "send", "--sendmail", "/bin/false"], at: now)
            let lines = run.stdout.split(separator: "\n").map(String.init)
            return (lines.first { $0.hasPrefix(page + ":") }, lines.first { $0.hasPrefix(mail + ":") })
        }
        let failed = "failed (T-1001, attempt %d): HTTP 503 from http://127.0.0.1:\(receiver.port)"
        #expect(try send(at: "2026-11-06T22:02:00Z").page == page + ": " + String(format: failed, 1))
        let early = try send(at: "2026-11-06T22:02:29Z")
        #expect(early.page == nil, "30 s after the first attempt, not sooner")
        #expect(early.mail?.contains("failed (T-1001, attempt 2") == true, "mail: the next run, as before: \(early)")
        // 30 s, 1 min, 2 min, 5 min, 10 min, 10 min after each failed attempt.
        let attempts = ["2026-11-06T22:02:30Z", "2026-11-06T22:03:30Z", "2026-11-06T22:05:30Z", "2026-11-06T22:10:30Z",
                        "2026-11-06T22:20:30Z", "2026-11-06T22:30:30Z"]
        let tooEarly = ["2026-11-06T22:02:29Z", "2026-11-06T22:03:29Z", "2026-11-06T22:05:29Z", "2026-11-06T22:10:29Z",
                        "2026-11-06T22:20:29Z", "2026-11-06T22:30:29Z"]
        for (index, (now, before)) in zip(attempts, tooEarly).enumerated() {
            #expect(try send(at: before).page == nil, "not before \(now)")
            #expect(try send(at: now).page == page + ": " + String(format: failed, index + 2), "\(now)")
        }
        let listed = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T22:31:00Z")) as? [[String: Any]])
        let row = try #require(listed.first { $0["messageId"] as? String == page })
        #expect(row["status"] as? String == "undeliverable" && row["attempts"] as? Int == 7, "given up after the 7th attempt: \(row)")
        #expect(try send(at: "2026-11-07T22:31:00Z").page == nil, "never tried again")
        let mailRow = try #require(listed.first { $0["messageId"] as? String == mail })
        #expect(mailRow["status"] as? String == "failed", "mail keeps its twelve attempts over about twelve hours: \(mailRow)")
        #expect(try receiver.requests().count == 7)
    }

    /// A policy `paged` whose P1 rule pages channel `oncall` (`{kind: page, channel: oncall}`), on client globex.
    func definePagedPolicy(channel: String = "oncall") throws -> DocketRun {
        let policy = pagingTerms(
            "paged-\(channel.filter(\.isLetter)).yaml",
            ["{id: p1-page, priorities: [P1], untouchedMinutes: 15, action: {kind: page, channel: \"\(channel)\"}}"])
        return try docket(["sla-policy", "define", "paged", "--name", "Paged", "--file", policy, "--effective", "2026-01-01"], at: Self.setUpTime)
    }

    /// Escalation rules could assign, raise the priority or mail the dispatchers; a channel heard of every rule's
    /// escalation or none. A rule may now page a channel by name, validated when the policy is defined (a channel
    /// not in force is refused, one line, exit 4, nothing written); the page goes to it whatever it is subscribed to.
    /// A channel removed later (once the policy was amended not to page it) still gets the pages of tickets opened under
    /// the old terms queued, cancelled by `outbox send` with the reason, and the tick warns: not lost without a word.
    @Test func anEscalationRulePagesTheChannelItNames() throws {
        try setUp()
        let receiver = try startReceiver(answering: "200")
        defer { receiver.stop() }
        let t = Self.setUpTime
        let size = try docket(["log", "--json"], at: t).stdout.utf8.count
        let missing = try definePagedPolicy()
        #expect(missing.status == 4, "\(missing.stderr)")
        #expect(
            missing.stderr == "docket: error: escalation rule p1-page pages notification channel oncall, which does not exist; add it first "
                + "(`docket notify add oncall --url …`) or name one `docket notify list` shows\n", "\(missing.stderr)")
        let malformed = try definePagedPolicy(channel: "On Call")
        #expect(malformed.status == 65 && malformed.stderr.split(separator: "\n").count == 1, "\(malformed.stderr)")
        #expect(malformed.stderr.contains("escalation rule p1-page pages \"On Call\", which is not a channel name"), "\(malformed.stderr)")
        #expect(try docket(["log", "--json"], at: t).stdout.utf8.count == size, "nothing written")

        let url = "http://127.0.0.1:\(receiver.port)"
        #expect(try docket(["notify", "add", "oncall", "--url", url + "/oncall", "--on", "sla-warned"], at: t).status == 0)
        #expect(try docket(["notify", "add", "chat", "--url", url + "/chat"], at: t).status == 0, "breaches and escalations")
        let defined = try definePagedPolicy()
        #expect(defined.status == 0, "\(defined.stderr)")
        try docket(["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "America/New_York", "--currency", "USD"], at: t)
        #expect(try docket(["contract", "add", "globex-2026", "--client", "globex", "--name", "Managed", "--effective", "2026-01-01", "--sla-policy", "paged"], at: t).status == 0)

        // Monday 09:00 EST: the P1 rule is due at 09:15.
        try docket(["ticket", "open", "--client", "globex", "--subject", "Server down", "--priority", "P1"], at: "2026-11-09T14:00:00Z", as: "bob")
        let tick = try docket(["tick"], at: "2026-11-09T14:16:00Z", as: "dora")
        #expect(tick.stdout == "T-1001: escalated by rule p1-page at 2026-11-09 14:15 UTC: page oncall\n", "\(tick.stdout) \(tick.stderr)")
        let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-09T14:16:30Z")) as? [[String: Any]])
        #expect(outbox.compactMap { $0["to"] as? [String] } == [["chat"], ["oncall"]], "the one subscribed, and the rule's channel: \(outbox)")
        #expect(outbox.allSatisfy { $0["reason"] as? String == "page" }, "no mail: the rule pages: \(outbox)")
        let sent = try docket(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-09T14:17:00Z")
        #expect(sent.status == 0 && sent.stdout.split(separator: "\n").count == 2, "\(sent.stdout)")
        let requests = try receiver.requests()
        #expect(requests.compactMap { $0["path"] as? String }.sorted() == ["/chat", "/oncall"], "\(requests)")
        let paged = try #require(requests.first { $0["path"] as? String == "/oncall" }?["body"] as? String)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(paged.utf8)) as? [String: Any])
        #expect(fields["event"] as? String == "escalated" && fields["rule"] as? String == "p1-page" && fields["ticket"] as? String == "T-1001")

        // The channel goes once the policy no longer pages it (a channel the terms in force page is not removed:
        // PagingTests+ChannelRemoval); the rule frozen in T-1002's SLA, opened before the amendment, still names it.
        try docket(["ticket", "open", "--client", "globex", "--subject", "VPN down", "--priority", "P1"], at: "2026-11-09T14:17:00Z", as: "bob")
        #expect(try docket(["notify", "remove", "oncall"], at: "2026-11-09T14:18:00Z").status == 6)
        let unpaged = pagingTerms("unpaged.yaml", ["{id: p1-page, priorities: [P1], untouchedMinutes: 15, action: {kind: notify-dispatchers}}"])
        #expect(try docket(["sla-policy", "amend", "paged", "--file", unpaged, "--effective", "2026-11-09T14:18:00Z"], at: "2026-11-09T14:18:00Z").status == 0)
        #expect(try docket(["notify", "remove", "oncall"], at: "2026-11-09T14:18:00Z").status == 0)
        let later = try docket(["tick"], at: "2026-11-09T14:33:00Z", as: "dora")
        #expect(later.stdout.contains("T-1002: escalated by rule p1-page at 2026-11-09 14:32 UTC: page oncall\n"), "\(later.stdout)")
        #expect(
            later.stderr.contains(
                "warning: T-1002: escalation rule p1-page pages notification channel oncall, which was removed: its page is queued and "
                    + "`docket outbox send` cancels it; add the channel again (`docket notify add oncall --url …`) or amend the SLA policy"),
            "\(later.stderr)")
        let cancelled = try docket(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-09T14:34:00Z")
        #expect(cancelled.stdout.contains("cancelled (T-1002): notification channel oncall was removed\n"), "\(cancelled.stdout)")
        #expect(try receiver.requests().filter { $0["path"] as? String == "/oncall" }.count == 1)
    }

    /// A team on `docket serve` still needed cron for `docket tick` and `docket outbox send`. `--tick-every` and
    /// `--send-every` run them in the server on its own clock (here the test store's fixed clock, after the breach), as
    /// `--service-user`: the breach is recorded and its page delivered with no command run, each logged with the
    /// server's logger, and SIGTERM stops the server cleanly.
    @Test func theServerTicksAndSendsByItself() throws {
        try setUp()
        let receiver = try startReceiver(answering: "200")
        defer { receiver.stop() }
        let t = Self.setUpTime
        #expect(try docket(["notify", "add", "on-call", "--url", "http://127.0.0.1:\(receiver.port)/page"], at: t).status == 0)
        try docket(["user", "add", "scheduler", "--name", "Scheduler", "--email", "scheduler@msp.example", "--role", "dispatcher", "--kind", "service"], at: t)
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")

        let (server, _, output, errors) = try DocketProcess.start(
            ["serve", "--no-socket", "--listen", "127.0.0.1:0", "--tick-every", "1s", "--send-every", "1s", "--sendmail", "/bin/true",
             "--service-user", "scheduler"],
            store: store, environment: ["DOCKET_NOW": "2026-11-06T22:01:00Z", "LOG_LEVEL": "info"])
        defer {
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        }
        #expect(try ServerScope.firstLine(output.fileHandleForReading, within: 60).hasPrefix("docket: listening on http://"))
        #expect(try receiver.nextPath(within: 60) == "/page", "the page arrives with nobody running a command")
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0, "SIGTERM stops it cleanly")
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("tick: T-1001: SLA breached: response due 2026-11-06T22:00:00.000Z"), "\(log)")
        #expect(log.contains("outbox send: T-1001.page-1."), "\(log)")
        #expect(log.contains(": sent (T-1001, attempt 1)"), "\(log)")

        let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T22:02:00Z")) as? [[String: Any]])
        #expect(!outbox.isEmpty && outbox.allSatisfy { $0["status"] as? String == "sent" }, "the page and the breach mail: \(outbox)")
        let breach = try docket(["log", "--json"], at: "2026-11-06T22:02:00Z").stdout.split(separator: "\n").first { $0.contains("ticket.sla-breached") }
        #expect(breach?.contains("\"actor\":\"scheduler\"") == true, "\(breach ?? "no breach")")
        #expect(try receiver.requests().count == 1, "delivered once")
    }

    /// `docket backup` leaves `hook-secrets.key` out on purpose, so a restored store holds its sources' and channels'
    /// secrets (and the channels' URLs) sealed under a key it does not have. `restore` said "verified" and nothing
    /// more, `notify list` and `hook list` listed them as if well, and `outbox send` failed each page with "no hook key
    /// at …; create a webhook source first (`docket hook create`)": a fix that makes a new key, under which the old
    /// secrets never open. `restore` now warns, naming each source and channel and the fix (put the kept copy back,
    /// else rotate and add again); so do the lists, and the failed page names the missing file and the fix. With the
    /// file put back the warnings are gone and the page is delivered.
    @Test func aRestoreWithoutTheKeyFileNamesTheSealedSecretsAndTheFix() throws {
        try setUp()
        let receiver = try startReceiver(answering: "200")
        defer { receiver.stop() }
        let t = Self.setUpTime
        #expect(try docket(["notify", "add", "on-call", "--url", "-"], at: t, stdin: "http://127.0.0.1:\(receiver.port)/page\n").status == 0)
        #expect(try docket(["hook", "create", "ninja", "--format", "generic", "--acts-as", "dora"], at: t).status == 0)
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(try docket(["tick"], at: "2026-11-06T22:01:00Z", as: "dora").stdout.contains("SLA breached: response due"))
        let (backup, restored) = (folder.child("backup"), folder.child("restored"))
        #expect(try docket(["backup", backup], at: "2026-11-06T22:01:10Z").status == 0)

        let restore = try DocketProcess.run(["restore", backup, restored], store: store)
        #expect(restore.status == 0 && restore.stdout.hasPrefix("restored "), "\(restore.stderr)")
        let key = restored + "/hook-secrets.key"
        #expect(
            restore.stderr == "docket: warning: the sealed secrets of webhook source ninja and notification channel on-call cannot be "
                + "opened: \(key) is missing (`docket backup` leaves it out on purpose); copy the key file kept apart from the backups to "
                + "\(key) (mode 0600) before any `docket hook create`, `notify add` or `notify rotate` makes a new one, or else rotate each source "
                + "(`docket hook rotate SOURCE`) and remove and add each channel again (`docket notify remove NAME`, then `docket notify "
                + "add NAME --url -`)\n", "\(restore.stderr)")
        /// `docket ARGS` on the restored store at `now`.
        func onRestored(_ arguments: [String], at now: String) throws -> DocketRun {
            try DocketProcess.run(arguments, store: restored, environment: ["DOCKET_NOW": now])
        }
        let list = try onRestored(["notify", "list"], at: "2026-11-06T22:01:20Z")
        #expect(list.status == 0 && list.stdout.hasPrefix("NAME"), "\(list.stderr)")
        #expect(
            list.stderr.hasPrefix("docket: warning: the sealed secrets of notification channel on-call cannot be opened: \(key) is missing")
                && list.stderr.hasSuffix("or else remove and add each channel again (`docket notify remove NAME`, then `docket notify add NAME --url -`)\n")
                && list.stderr.split(separator: "\n").count == 1, "\(list.stderr)")
        let hooks = try onRestored(["hook", "list"], at: "2026-11-06T22:01:20Z")
        #expect(hooks.stderr.hasPrefix("docket: warning: the sealed secrets of webhook source ninja cannot be opened: \(key) is missing"), "\(hooks.stderr)")
        let failed = try onRestored(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-06T22:02:00Z")
        #expect(failed.status == 6, "\(failed.stdout)")
        #expect(
            failed.stdout.contains(
                ": failed (T-1001, attempt 1): cannot open channel on-call's secret or URL: the key file \(key) the secrets are sealed under "
                    + "is missing (`docket backup` leaves it out): copy the one kept apart from the backups back there (mode 0600); if it is "
                    + "lost, give each channel a new secret and URL (`docket notify remove NAME`, then `docket notify add NAME --url -`)\n"),
            "\(failed.stdout)")
        #expect(!FileManager.default.fileExists(atPath: key), "no key made behind the operator's back")

        try FileManager.default.copyItem(atPath: store + "/hook-secrets.key", toPath: key)
        #expect(try onRestored(["notify", "list"], at: "2026-11-06T22:02:10Z").stderr.isEmpty)
        #expect(try onRestored(["hook", "list"], at: "2026-11-06T22:02:10Z").stderr.isEmpty)
        let sent = try onRestored(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-06T22:03:00Z")
        #expect(sent.status == 0 && sent.stdout.contains(": sent (T-1001, attempt 2)"), "\(sent.stdout)")
        #expect(try receiver.requests().compactMap { $0["path"] as? String } == ["/page"], "the whole URL, opened with the key put back")
    }

    /// A reaction's warning from a tick the server ran by itself (`serve --tick-every`) was written raw on the server's
    /// stderr (`docket: warning: T-1001: escalation rule …`) among the lines of its logger. It is now logged with the
    /// logger, as the tick's, at level warning, in the format of the tick's other lines.
    @Test func aTickInTheServerLogsItsWarningsWithTheServersLogger() throws {
        try setUp()
        let t = Self.setUpTime
        #expect(try docket(["notify", "add", "oncall", "--url", "http://127.0.0.1:9/oncall", "--on", "sla-warned"], at: t).status == 0)
        #expect(try definePagedPolicy().status == 0)
        try docket(["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "America/New_York", "--currency", "USD"], at: t)
        #expect(try docket(["contract", "add", "globex-2026", "--client", "globex", "--name", "Managed", "--effective", "2026-01-01", "--sla-policy", "paged"], at: t).status == 0)
        try docket(["user", "add", "scheduler", "--name", "Scheduler", "--email", "scheduler@msp.example", "--role", "dispatcher", "--kind", "service"], at: t)
        try docket(["ticket", "open", "--client", "globex", "--subject", "Server down", "--priority", "P1"], at: "2026-11-09T14:20:00Z", as: "bob")
        // The channel goes once the policy no longer pages it; T-1001's SLA, opened before, keeps the rule that does.
        let unpaged = pagingTerms("unpaged.yaml", ["{id: p1-page, priorities: [P1], untouchedMinutes: 15, action: {kind: notify-dispatchers}}"])
        #expect(try docket(["sla-policy", "amend", "paged", "--file", unpaged, "--effective", "2026-11-09T14:21:00Z"], at: "2026-11-09T14:21:00Z").status == 0)
        #expect(try docket(["notify", "remove", "oncall"], at: "2026-11-09T14:21:00Z").status == 0)

        let (server, _, output, errors) = try DocketProcess.start(
            ["serve", "--no-socket", "--listen", "127.0.0.1:0", "--tick-every", "1s", "--service-user", "scheduler"],
            store: store, environment: ["DOCKET_NOW": "2026-11-09T14:36:00Z", "LOG_LEVEL": "info"])
        defer {
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        }
        #expect(try ServerScope.firstLine(output.fileHandleForReading, within: 60).hasPrefix("docket: listening on http://"))
        // The tick's result is logged once its warnings are: read the log up to it.
        var lines: [String] = []
        while !lines.contains(where: { $0.contains("tick: T-1001: escalated by rule p1-page") }), lines.count < 100 {
            lines.append(try ServerScope.firstLine(errors.fileHandleForReading, within: 60))
        }
        server.terminate()
        server.waitUntilExit()
        let escalated = try #require(lines.first { $0.contains("tick: T-1001: escalated by rule p1-page") }, "\(lines)")
        let warning = try #require(
            lines.first {
                $0.contains(
                    "tick: T-1001: escalation rule p1-page pages notification channel oncall, which was removed: its page is queued and "
                        + "`docket outbox send` cancels it; add the channel again (`docket notify add oncall --url …`) or amend the SLA policy")
            }, "\(lines)")
        #expect(!lines.contains { $0.hasPrefix("docket: warning:") }, "nothing raw: \(lines)")
        let shape = { (line: String, level: String) in line.contains(" \(level) docket: [") && line.first?.isNumber == true }
        #expect(shape(warning, "warning") && shape(escalated, "info"), "the logger's format, with its level: \(lines)")
    }

    /// The server's routine options are checked before it listens: one line, exit 64 for a bad value, the user's own
    /// failure for a --service-user who cannot act (4 unknown, 5 a role that cannot tick).
    @Test func theServersRoutineOptionsAreCheckedAtStart() throws {
        try setUp()
        try docket(["user", "add", "bill", "--name", "Bill", "--email", "bill@msp.example", "--role", "billing"], at: Self.setUpTime)
        let cases: [([String], Int32, String)] = [
            (["--tick-every", "0s"], 64, "--tick-every takes an interval from 1s to 1h, e.g. 30s, 1m or 5m; not 0s"),
            (["--send-every", "2h"], 64, "--send-every takes an interval from 1s to 1h, e.g. 30s, 1m or 5m; not 2h"),
            (["--send-every", "30s"], 64, "--send-every needs --sendmail PATH"),
            (["--sendmail", "/bin/true"], 64, "--sendmail goes with --send-every"),
            (["--tick-every", "1m", "--service-user", "ghost"], 4, "--service-user ghost is not a Docket user; add it (`docket user add ghost"),
            (["--tick-every", "1m", "--service-user", "bill"], 5, "--service-user bill has role billing, which cannot run tick"),
        ]
        for (options, status, message) in cases {
            let run = try DocketProcess.runEmbedded(["serve", "--no-socket", "--listen", "127.0.0.1:0"] + options, store: store)
            #expect(run.status == status, "\(options): \(run.stderr)")
            #expect(run.stderr.contains(message) && run.stdout.isEmpty, "\(options): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "one line: \(options): \(run.stderr)")
        }
    }

    /// `ticket show` listed a page its channel refused among the ticket's mail: `mail T-1001.page-1.…@docket (page) to
    /// refuser UNDELIVERABLE after 1 attempts: …`. It is a page, to a channel, about an SLA event: it says so, with why.
    @Test func ticketShowNamesAnUndeliveredPageAsAPage() throws {
        try setUp()
        let receiver = try startReceiver(answering: "200")
        defer { receiver.stop() }
        let t = Self.setUpTime
        #expect(try docket(["notify", "add", "refuser", "--url", "http://127.0.0.1:\(receiver.port)/gone"], at: t).status == 0)
        #expect(try docket(["notify", "add", "old-pager", "--url", "http://127.0.0.1:\(receiver.port)/old"], at: t).status == 0)
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(try docket(["tick"], at: "2026-11-06T22:01:00Z", as: "dora").stdout.contains("SLA breached: response due"))
        #expect(try docket(["notify", "remove", "old-pager"], at: "2026-11-06T22:01:30Z").status == 0)
        #expect(try docket(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-06T22:02:00Z").status == 6)
        let pages = try #require(try json(try docket(["outbox", "list", "--json"], at: "2026-11-06T22:03:00Z")) as? [[String: Any]])
            .filter { $0["reason"] as? String == "page" }
        let refused = try #require(pages.first { $0["to"] as? [String] == ["refuser"] }?["messageId"] as? String)
        let cancelled = try #require(pages.first { $0["to"] as? [String] == ["old-pager"] }?["messageId"] as? String)
        let show = try docket(["ticket", "show", "T-1001"], at: "2026-11-06T22:03:00Z").stdout
        #expect(
            show.contains(
                "page \(refused) (sla-breached) to channel refuser UNDELIVERABLE after 1 attempt: HTTP 410 from "
                    + "http://127.0.0.1:\(receiver.port) (an admin can retry: `docket outbox retry \(refused)`)\n"), "\(show)")
        #expect(show.contains("page \(cancelled) (sla-breached) to channel old-pager cancelled: notification channel old-pager was removed\n"), "\(show)")
        #expect(!show.contains("mail \(refused)") && !show.contains("mail \(cancelled)"), "\(show)")
    }

    /// Paging through `docket serve` had no test: the server ignores the client's `$DOCKET_NOW`, so a breach could not be
    /// brought about there. The server here runs on a clock of its own, after the breach (the ticket was opened
    /// embedded before it started): `notify add`, the breach `tick` records and the page it queues, and the signed
    /// delivery by `outbox send` (which runs curl on the server's host) are the embedded ones, in both modes.
    @Test(arguments: DocketMode.allCases) func aBreachIsPagedThroughTheServerAsEmbedded(_ mode: DocketMode) throws {
        try setUp()
        let receiver = try startReceiver(answering: "200")
        defer { receiver.stop() }
        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        let now = "2026-11-06T22:01:00Z"
        try mode.run(serverEnvironment: ["DOCKET_NOW": now]) {
            let added = try docket(["notify", "add", "on-call", "--url", "http://127.0.0.1:\(receiver.port)/page"], at: now)
            #expect(added.status == 0, "\(added.stderr)")
            let secret = added.stdout.trimmingCharacters(in: .newlines)
            #expect(secret.hasPrefix("dkn_"), "\(secret)")
            let tick = try docket(["tick"], at: now, as: "dora")
            #expect(tick.stdout.contains("T-1001: SLA breached: response due 2026-11-06 22:00 UTC\n"), "\(tick.stdout) \(tick.stderr)")
            let outbox = try #require(try json(try docket(["outbox", "list", "--json"], at: now)) as? [[String: Any]])
            let page = try #require(outbox.first { $0["reason"] as? String == "page" }, "\(outbox)")
            #expect(page["to"] as? [String] == ["on-call"] && page["status"] as? String == "queued", "\(page)")
            let id = try #require(page["messageId"] as? String)
            let sent = try docket(["outbox", "send", "--sendmail", "/bin/true"], at: now)
            #expect(sent.status == 0 && sent.stdout.contains("\(id): sent (T-1001, attempt 1)\n"), "\(sent.stdout) \(sent.stderr)")
            let requests = try receiver.requests()
            #expect(requests.count == 1, "\(requests)")
            let headers = try #require(requests.first?["headers"] as? [String: String])
            let body = try #require(requests.first?["body"] as? String)
            #expect(headers["docket-delivery"] == id)
            let signedAt = try #require(Timestamp(iso8601: now))
            let verified = HookSignature.verify(header: headers["docket-signature"], body: Array(body.utf8), secrets: [secret], now: signedAt)
            #expect(try verified.get().timestamp == signedAt.millisecondsSinceEpoch / 1000, "signed with the printed secret at the clock of the store's process")
            #expect(body.contains("\"event\":\"sla-breached\"") && body.contains("\"dueAt\":\"2026-11-06T22:00:00.000Z\""), "\(body)")
            let after = try #require(try json(try docket(["outbox", "list", "--json"], at: now)) as? [[String: Any]])
            #expect(after.first { $0["messageId"] as? String == id }?["status"] as? String == "sent")
        }
    }

    /// A channel's URL (a Slack incoming webhook's path is a bearer secret: whoever has it posts to the channel) was kept
    /// in the log in clear, and each failed delivery's error repeated it. A new channel's URL is sealed under the key file
    /// with its secret: the log, `notify list` and the errors keep its scheme and host, the receiver still gets the whole
    /// URL. A channel added before (its URL in clear in its event) keeps working.
    @Test func aChannelsURLIsSealedAndAnOlderChannelKeepsWorking() throws {
        try setUp()
        let receiver = try startReceiver(answering: "500,200")
        defer { receiver.stop() }
        let t = Self.setUpTime
        let base = "http://127.0.0.1:\(receiver.port)"
        let path = "/services/T0001/B0002/sEcReTtOkEn42"
        #expect(try docket(["notify", "add", "chat", "--url", base + path], at: t).status == 0)
        // An older channel, as `notify add` wrote it before: the whole URL in clear.
        let key = try #require(try HookKey.load(inFolder: store, create: false))
        let legacySecret = HookKey.newSecret(prefix: "dkn_")
        let sealed = try key.seal(legacySecret)
        let payload = """
            {"name":"legacy","on":["sla-breached","escalated"],"secret":{"fingerprint":"\(HookKey.fingerprint(legacySecret))",\
            "keyId":"\(key.keyId)","sealed":"\(sealed)"},"url":"\(base)/legacy"}
            """
        let appended = try docket(["event", "append", "--repair", "--stream", "notify-legacy", "--type", "notify.channel-added", "--payload", payload], at: t)
        #expect(appended.status == 0, "\(appended.stderr)")
        let listed = try #require(try json(try docket(["notify", "list", "--json"], at: t)) as? [[String: Any]])
        #expect(listed.compactMap { $0["url"] as? String } == [base, base], "the scheme and host only: \(listed)")

        try docket(["ticket", "open", "--client", "acme", "--subject", "Backup failed", "--priority", "P2", "--assign", "bob"], at: "2026-11-06T21:00:00Z", as: "bob")
        #expect(try docket(["tick"], at: "2026-11-06T22:01:00Z", as: "dora").stdout.contains("SLA breached: response due"))
        let first = try docket(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-06T22:02:00Z")
        #expect(first.stdout.contains("failed (T-1001, attempt 1): HTTP 500 from \(base)\n"), "the error names no path: \(first.stdout)")
        let second = try docket(["outbox", "send", "--sendmail", "/bin/true"], at: "2026-11-06T22:03:00Z")
        #expect(second.stdout.contains("sent (T-1001, attempt 2)"), "\(second.stdout)")
        let requests = try receiver.requests()
        #expect(requests.compactMap { $0["path"] as? String } == [path, "/legacy", path], "the whole URL, sealed or not: \(requests)")
        let legacy = try #require(requests.first { $0["path"] as? String == "/legacy" })
        let headers = try #require(legacy["headers"] as? [String: String])
        let body = try #require(legacy["body"] as? String)
        let signedAt = try #require(Timestamp(iso8601: "2026-11-06T22:02:00Z"))
        #expect(throws: Never.self) {
            try HookSignature.verify(header: headers["docket-signature"], body: Array(body.utf8), secrets: [legacySecret], now: signedAt).get()
        }
        let log = try docket(["log", "--json", "--limit", "1000"], at: "2026-11-06T22:04:00Z").stdout.replacingOccurrences(of: "\\/", with: "/")
        #expect(!log.contains("sEcReTtOkEn42"), "the path is in no event: not the channel's, not a failure's")
        #expect(log.contains("\(base)/legacy"), "the older channel's event is as it was")
    }
}

/// A running ``SLACommandsTests/receiver``: its port, the file it records requests in, and its output (the paths it
/// answered, one a line).
struct PageReceiver {
    let process: Process
    let port: String
    let log: String
    let output: FileHandle

    /// Every request it got, in order.
    func requests() throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The path of the next request it answers, waiting at most `seconds` for it.
    func nextPath(within seconds: Double) throws -> String {
        try ServerScope.firstLine(output, within: seconds).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops it (by its PID: the test process blocks SIGTERM, and its children inherit the mask).
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

extension SLACommandsTests {
    /// Starts the loopback receiver, answering with `statuses` (e.g. `500,200`).
    func startReceiver(answering statuses: String) throws -> PageReceiver {
        let script = folder.child("receiver.py")
        if !FileManager.default.fileExists(atPath: script) { _ = file("receiver.py", Self.receiver) }
        let log = folder.child("requests-\(UUID().uuidString).ndjson")
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script, log, statuses]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        let receiver = PageReceiver(process: python, port: "", log: log, output: output.fileHandleForReading)
        do {
            let port = try ServerScope.firstLine(output.fileHandleForReading, within: 30).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Int(port) != nil, "\(port)")
            return PageReceiver(process: python, port: port, log: log, output: output.fileHandleForReading)
        } catch {
            receiver.stop()
            throw error
        }
    }
}
