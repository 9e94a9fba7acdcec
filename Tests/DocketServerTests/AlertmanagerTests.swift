import Foundation
import TestSupport
import Testing

/// Where Debian puts Alertmanager.
enum AlertmanagerBinary {
    static let path = ["/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Issue 13, "a real Alertmanager": Debian's `prometheus-alertmanager` (installed by scripts/ensure-deps.sh) with a
/// config whose receiver is Docket's webhook; alerts posted to Alertmanager's own API open a ticket, a repeat
/// notification adds an occurrence, and resolving the alert in Alertmanager auto-resolves the ticket. Loopback only,
/// each wait bounded.
@Suite(.serialized, .enabled(if: AlertmanagerBinary.path != nil, "prometheus-alertmanager is not installed (scripts/ensure-deps.sh installs it)"))
struct AlertmanagerTests {
    static var binary: String? { AlertmanagerBinary.path }

    static func freePort() throws -> Int {
        let out = try ServedStore.run(
            "/usr/bin/env", ["python3", "-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"])
        return try #require(Int(out.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Polls `check` every 200 ms for up to `seconds`; true once it holds.
    static func eventually(within seconds: Double, _ check: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try check() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return try check()
    }

    static func iso(_ date: Date) -> String {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return format.string(from: date)
    }

    @Test func alertmanagerOpensAddsAnOccurrenceAndAutoResolves() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"]).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        let hook = try served.docket(["hook", "create", "prom", "--format", "alertmanager", "--acts-as", "intake", "--default-client", "acme"])
        #expect(hook.status == 0, "\(hook.stderr)")
        let secret = hook.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start(socket: false)

        let port = try Self.freePort()
        let config = served.folder.child("alertmanager.yml")
        try """
            route:
              receiver: docket
              group_by: [alertname, instance]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 3s
            receivers:
              - name: docket
                webhook_configs:
                  - url: \(served.address)/hooks/alertmanager/prom
                    send_resolved: true
                    http_config:
                      authorization:
                        type: Bearer
                        credentials: \(secret)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let manager = Process()
        manager.executableURL = URL(fileURLWithPath: try #require(Self.binary))
        manager.arguments = [
            "--config.file=\(config)", "--storage.path=\(served.folder.child("am-data"))", "--web.listen-address=127.0.0.1:\(port)",
            "--cluster.listen-address=",
        ]
        manager.standardOutput = FileHandle.nullDevice
        manager.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try manager.run()
        defer {
            manager.terminate()
            manager.waitUntilExit()
        }
        let api = "http://127.0.0.1:\(port)"
        #expect(try Self.eventually(within: 20) { try ServedStore.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", api + "/-/ready"]) == "200" })

        func post(endsAt: Date) throws {
            let alert = #"[{"labels":{"alertname":"DiskFull","instance":"srv1","severity":"critical"},"annotations":{"summary":"Disk full on srv1"},"startsAt":"\#(Self.iso(Date(timeIntervalSinceNow: -5)))","endsAt":"\#(Self.iso(endsAt))"}]"#
            let status = try ServedStore.run(
                "/usr/bin/curl",
                ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json", "--data-binary", alert, api + "/api/v2/alerts"])
            #expect(status == "200", "Alertmanager took the alert: \(status)")
        }
        func received() throws -> [String] {
            try served.docket(["export"]).stdout.split(separator: "\n").filter { $0.contains(#""type":"ticket.alert-received""#) }.map(String.init)
        }
        func ticket() throws -> [String: Any]? {
            let show = try served.docket(["ticket", "show", "T-1001", "--json"])
            guard show.status == 0 else { return nil }
            return (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])?["ticket"] as? [String: Any]
        }

        try post(endsAt: Date(timeIntervalSinceNow: 3600))
        #expect(try Self.eventually(within: 30) { try ticket() != nil }, "Alertmanager's notification opened a ticket")
        let opened = try #require(try ticket())
        #expect((opened["subject"] as? String)?.contains("DiskFull") == true, "\(opened)")
        #expect(opened["priority"] as? String == "P1", "severity critical")
        #expect(opened["client"] as? String == "acme")

        #expect(try Self.eventually(within: 30) { try received().count >= 2 }, "the repeat notification added an occurrence")
        #expect(try served.docket(["ticket", "show", "T-1002"]).status != 0, "and no second ticket")

        try post(endsAt: Date(timeIntervalSinceNow: -1))
        #expect(try Self.eventually(within: 30) { try ticket()?["status"] as? String == "closed" }, "resolving in Alertmanager auto-resolved it")
        #expect(try received().last?.contains(#""status":"resolved""#) == true)
        #expect(try served.docket(["verify"]).status == 0)
    }
}
