import Foundation
import TestSupport
import Testing

/// Issue 13 §1–§3, §5 through a real `docket serve` and a real HTTP client (curl): the RMM's signed alerts, the
/// Alertmanager webhook, raw mail; wrong secrets, stale or replayed signatures and oversized bodies are refused with
/// nothing written.
@Suite(.serialized) struct HookRoutesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A store with an intake user, clients acme and triage, and three webhook sources; their secrets.
    func setUp(_ served: ServedStore) throws -> [String: String] {
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"]).status == 0)
        for code in ["acme", "triage"] {
            #expect(try served.docket(["client", "add", code, "--name", code, "--domain", "\(code).example", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        }
        var secrets: [String: String] = [:]
        for (source, format, client) in [("ninja", "generic", "acme"), ("prom", "alertmanager", "acme"), ("mail", "mail", "triage")] {
            let run = try served.docket(["hook", "create", source, "--format", format, "--acts-as", "intake", "--default-client", client])
            #expect(run.status == 0, "\(run.stderr)")
            secrets[source] = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return secrets
    }

    /// HMAC-SHA256 by Python's hmac module (independent of the server's code).
    static func signature(secret: String, timestamp: Int, body: String) throws -> String {
        let script = "import sys,hmac,hashlib;print(hmac.new(sys.argv[1].encode(),(sys.argv[2]+'.'+sys.argv[3]).encode(),hashlib.sha256).hexdigest())"
        let hex = try ServedStore.run("/usr/bin/env", ["python3", "-c", script, secret, String(timestamp), body])
        return "t=\(timestamp),v1=" + hex.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func generic(_ id: String, status: String = "firing") -> String {
        #"{"client":"acme","device":"srv1","check":"disk-space","severity":"critical","status":"\#(status)","id":"\#(id)","message":"C: below 5%"}"#
    }

    @Test func signedRMMAlertsAreTakenAndWrongStaleOrReplayedSignaturesAreRefusedWithNothingWritten() throws {
        let served = ServedStore()
        let secrets = try setUp(served)
        try served.start(socket: false)
        let now = Int(Date().timeIntervalSince1970)
        let body = Self.generic("disk-srv1")
        let good = try Self.signature(secret: secrets["ninja"]!, timestamp: now, body: body)
        let taken = try served.curl("POST", "/hooks/alerts/ninja", json: body, headers: ["Docket-Signature: \(good)"])
        #expect(taken.status == 200, "\(taken.body)")
        #expect(taken.body.contains(#""outcome":"opened""#) && taken.body.contains(#""ticket":"T-1001""#), "\(taken.body)")
        let after = try served.eventCount()

        let other = try Self.signature(secret: "dkh_" + String(repeating: "00", count: 32), timestamp: now, body: Self.generic("b"))
        let stale = try Self.signature(secret: secrets["ninja"]!, timestamp: now - 600, body: Self.generic("c"))
        let future = try Self.signature(secret: secrets["ninja"]!, timestamp: now + 600, body: Self.generic("d"))
        let otherSource = try Self.signature(secret: secrets["prom"]!, timestamp: now, body: Self.generic("e"))
        let cases: [(String, String, [String], String)] = [
            ("wrong secret", Self.generic("b"), ["Docket-Signature: \(other)"], "does not match"),
            ("stale timestamp", Self.generic("c"), ["Docket-Signature: \(stale)"], "old"),
            ("future timestamp", Self.generic("d"), ["Docket-Signature: \(future)"], "in the future"),
            ("another source's secret", Self.generic("e"), ["Docket-Signature: \(otherSource)"], "does not match"),
            ("replayed body", body, ["Docket-Signature: \(good)"], "already received"),
            ("altered body", Self.generic("disk-srv2"), ["Docket-Signature: \(good)"], "does not match"),
            ("no signature", Self.generic("f"), [], "no Docket-Signature"),
            ("malformed signature", Self.generic("g"), ["Docket-Signature: sha256=abc"], "must be t="),
        ]
        for (name, payload, headers, reason) in cases {
            let refused = try served.curl("POST", "/hooks/alerts/ninja", json: payload, headers: headers)
            #expect(refused.status == 401, "\(name): \(refused.status) \(refused.body)")
            #expect(refused.body.contains(reason), "\(name): \(refused.body)")
        }
        let unknown = try served.curl("POST", "/hooks/alerts/nobody", json: body, headers: ["Docket-Signature: \(good)"])
        #expect(unknown.status == 401)
        #expect(try served.eventCount() == after, "nothing written by any refused delivery")
    }

    /// A notification cut by the receiver's `max_alerts` (`truncatedAlerts`) left no trace through the server: the
    /// count was only in the webhook's answer, which Alertmanager does not read, so two failing backups of four opened
    /// two tickets and nobody knew of the other two. It is now in the server's log and on the delivery's tickets.
    @Test func aTruncatedNotificationIsLoggedAndSaidOnItsTickets() throws {
        let served = ServedStore()
        let secrets = try setUp(served)
        try served.start(environment: ["LOG_LEVEL": "warning"], socket: false)
        let fixture = try String(
            contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/alerts/alertmanager/001-truncated-max_alerts2-firing.json"), encoding: .utf8)
        let delivered = try served.curl("POST", "/hooks/alertmanager/prom", json: fixture, headers: ["Authorization: Bearer \(secrets["prom"]!)"])
        #expect(delivered.status == 200, "\(delivered.body)")
        #expect(delivered.body.components(separatedBy: #""outcome":"opened""#).count == 3, "\(delivered.body)")
        let log = served.stopReadingLog()
        #expect(
            log.contains(#"webhook delivery to prom: the sender left 2 alerts out of this delivery (truncatedAlerts, group {}/{team="truncate-demo"}:{alertname="BackupJobFailed"}): they opened, updated or closed no ticket; raise its max_alerts (0: no limit)"#),
            "\(log)")
        for ticket in ["T-1001", "T-1002"] {
            let shown = try served.docket(["ticket", "show", ticket])
            #expect(shown.stdout.contains("its delivery left 2 more alerts out (truncatedAlerts)"), "\(ticket): \(shown.stdout)")
        }
        let exported = try served.docket(["export"]).stdout.split(separator: "\n").filter { $0.contains("ticket.alert-received") }
        #expect(exported.count == 2 && exported.allSatisfy { $0.contains(#""truncatedAlerts":2"#) }, "\(exported)")
        #expect(try served.docket(["verify"]).status == 0)
    }

    @Test func alertmanagerDeliveriesTakeBearerOrBasicAndAreOneTransaction() throws {
        let served = ServedStore()
        let secrets = try setUp(served)
        let anchorsBefore = try String(contentsOfFile: served.store + "/anchors", encoding: .utf8).split(separator: "\n").count
        try served.start(socket: false)
        let fixture = try String(
            contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/alerts/alertmanager/002-grouped-3-firing.json"), encoding: .utf8)
        // The fixture's alerts name cluster "globex", which is no client here: the source's default client takes them.
        let bearer = try served.curl("POST", "/hooks/alertmanager/prom", json: fixture, headers: ["Authorization: Bearer \(secrets["prom"]!)"])
        #expect(bearer.status == 200, "\(bearer.body)")
        #expect(bearer.body.components(separatedBy: #""outcome":"opened""#).count == 4, "\(bearer.body)")
        let anchors = try String(contentsOfFile: served.store + "/anchors", encoding: .utf8).split(separator: "\n").count
        #expect(anchors == anchorsBefore + 1, "three tickets in one commit")
        let basic = "Authorization: Basic " + Data("alertmanager:\(secrets["prom"]!)".utf8).base64EncodedString()
        let again = try served.curl("POST", "/hooks/alertmanager/prom", json: fixture, headers: [basic])
        #expect(again.status == 200)
        #expect(again.body.components(separatedBy: #""outcome":"occurrence""#).count == 4, "\(again.body)")
        let count = try served.eventCount()
        for header in ["Authorization: Bearer \(secrets["ninja"]!)", "Authorization: Bearer nope", ""] {
            let refused = try served.curl("POST", "/hooks/alertmanager/prom", json: fixture, headers: header.isEmpty ? [] : [header])
            #expect(refused.status == 401, "\(header): \(refused.body)")
        }
        let garbage = try served.curl("POST", "/hooks/alertmanager/prom", json: "{\"nope\":1}", headers: ["Authorization: Bearer \(secrets["prom"]!)"])
        #expect(garbage.status == 422, "\(garbage.body)")
        // A fingerprint that cannot key the condition is a permanent error (422, which Alertmanager does not retry), not 503.
        let fingerprint = String(repeating: "f", count: 600)
        let unusable = try served.curl(
            "POST", "/hooks/alertmanager/prom",
            json: #"{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"x"},"fingerprint":"\#(fingerprint)"}]}"#,
            headers: ["Authorization: Bearer \(secrets["prom"]!)"])
        #expect(unusable.status == 422, "\(unusable.body)")
        #expect(unusable.body.contains("fingerprint is over 200 bytes"), "\(unusable.body)")
        let big = served.folder.child("big.json")
        try Data(("{\"pad\":\"" + String(repeating: "x", count: 5 << 20) + "\"}").utf8).write(to: URL(fileURLWithPath: big))
        let tooBig = try ServedStore.run(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(secrets["prom"]!)",
             "--data-binary", "@" + big, served.address + "/hooks/alertmanager/prom"])
        #expect(tooBig == "413", "\(tooBig)")
        #expect(try served.eventCount() == count)
    }

    @Test func rawMailIsTakenAsIntakeEmailTakesIt() throws {
        let served = ServedStore()
        let secrets = try setUp(served)
        try served.start(socket: false)
        let message = Self.root.appendingPathComponent("Tests/Fixtures/mail/cpython-test_email/msg_01.txt.eml").path
        func post(_ path: String, _ auth: String) throws -> (status: Int, body: String) {
            let out = try ServedStore.run(
                "/usr/bin/curl",
                ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", "-H", "Content-Type: message/rfc822", "-H", auth,
                 "--data-binary", "@" + message, served.address + path])
            let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
        let taken = try post("/hooks/mail", "Authorization: Bearer \(secrets["mail"]!)")
        #expect(taken.status == 200, "\(taken.body)")
        #expect(taken.body.contains("opened T-1001"), "\(taken.body)")
        let again = try post("/hooks/mail/mail", "Authorization: Bearer \(secrets["mail"]!)")
        #expect(again.body.contains("duplicate, already on T-1001"), "\(again.body)")
        #expect(try post("/hooks/mail", "Authorization: Bearer \(secrets["prom"]!)").status == 401)
    }

    @Test func aSourceOverItsRateGets429AndNothingWritten() throws {
        let served = ServedStore()
        let secrets = try setUp(served)
        try served.start(socket: false, arguments: ["--hook-rate", "1"])
        let body = #"[{"labels":{"alertname":"A","severity":"warning"},"status":"firing","fingerprint":"f1","startsAt":"2026-12-03T10:00:00Z"}]"#
        let notification = #"{"version":"4","status":"firing","alerts":"# + body + "}"
        var statuses: [Int] = []
        for _ in 0..<7 {
            statuses.append(try served.curl("POST", "/hooks/alertmanager/prom", json: notification, headers: ["Authorization: Bearer \(secrets["prom"]!)"]).status)
        }
        // One a minute, a burst of 5 (the least): refilling takes a minute, far longer than this test under load.
        #expect(statuses.prefix(5).allSatisfy { $0 == 200 }, "a burst of 5 passes: \(statuses)")
        #expect(statuses.suffix(2) == [429, 429], "\(statuses)")
        let count = try served.eventCount()
        #expect(try served.curl("POST", "/hooks/alertmanager/prom", json: notification, headers: ["Authorization: Bearer \(secrets["prom"]!)"]).status == 429)
        #expect(try served.eventCount() == count)
    }

    /// A hook key the server cannot use gave a bare 500 with an empty body, and a missing one read as "unknown webhook
    /// source or wrong secret": each now answers 503 with problem+json naming the cause and the fix.
    @Test func aHookKeyTheServerCannotUseIsNamedWithItsFix() throws {
        let served = ServedStore()
        let secrets = try setUp(served)
        let key = served.store + "/hook-secrets.key"
        let original = try Data(contentsOf: URL(fileURLWithPath: key))
        func deliver() throws -> (status: Int, body: String) {
            try served.curl("POST", "/hooks/alertmanager/prom", json: #"{"alerts":[]}"#, headers: ["Authorization: Bearer \(secrets["prom"]!)"])
        }
        let cases: [(String, Data?, [String])] = [
            ("too long", original + Data("1 abc\n".utf8), ["is not usable", "must be 32 bytes, not 38", "hook rotate"]),
            ("another key", Data((0..<32).map { UInt8($0) }), ["was sealed under hook key", "rotate the secret"]),
            ("missing", nil, ["is missing", "hook rotate"]),
        ]
        for (name, bytes, expected) in cases {
            if let bytes { try bytes.write(to: URL(fileURLWithPath: key)) } else { try FileManager.default.removeItem(atPath: key) }
            try served.start(socket: false)
            let answer = try deliver()
            #expect(answer.status == 503, "\(name): \(answer.status) \(answer.body)")
            for text in expected { #expect(answer.body.contains(text), "\(name): \(answer.body)") }
            #expect(answer.body.contains("urn:docket:problem"), "\(name): problem+json")
            _ = served.stop()
        }
        try original.write(to: URL(fileURLWithPath: key))
        try served.start(socket: false)
        #expect(try deliver().status != 503, "the key put back is used again")
    }
}
