import Foundation
import TestSupport
import Testing

/// The reads of time, SLA clocks, invoices, the audit and the reports call the services directly (``ReadRoutes``)
/// and answer exactly what their CLI command prints with `--json` (`--format json`); what the command line would
/// refuse is a 400 naming the field.
@Suite(.serialized) struct ReadRoutesTests {
    @Test func eachReadAnswersWhatItsCommandPrints() throws {
        let served = ServedStore()
        let env = ["DOCKET_NOW": AuthenticationTests.t0]
        let policy = served.folder.child("std.yaml")
        let targets = (1...4).map { "  P\($0): {responseMinutes: \(60 * $0), resolutionMinutes: \(240 * $0)}" }.joined(separator: "\n")
        try "calendar: 24x7\ntargets:\n\(targets)\nwarnAtPercent: [75, 90]\n".write(toFile: policy, atomically: true, encoding: .utf8)
        for arguments in [
            ["init"], ["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"],
            ["sla-policy", "define", "std", "--name", "Standard", "--file", policy, "--effective", "2026-01-01"],
            ["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--sla-policy", "std",
             "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":9000}}"#],
            ["ticket", "open", "--client", "acme", "--subject", "Printer"], ["ticket", "open", "--client", "acme", "--subject", "Mail", "--priority", "P1"],
            ["time", "log", "T-1001", "50m", "--at", "2026-10-20T14:00:00Z", "--note", "fixed"],
            ["time", "log", "T-1002", "1h", "--at", "2026-10-21T09:00:00Z", "--non-billable"],
            ["invoice", "run", "--period", "2026-10"], ["invoice", "finalize", "acme-D1"],
            ["ticket", "close", "T-1002", "--resolution", "done", "--no-time", "--reason", "duplicate"], ["time", "start", "T-1001"],
        ] {
            let run = try served.docket(arguments, environment: env)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
        let token = try served.docket(["token", "create", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start(environment: ["DOCKET_NOW": AuthenticationTests.later], socket: false)
        let later = ["DOCKET_NOW": AuthenticationTests.later]
        let window = "from=2026-10-01&to=2026-12-01"
        let pairs: [(path: String, command: [String])] = [
            ("/v1/time?ticket=T-1001", ["time", "list", "--ticket", "T-1001", "--json"]),
            ("/v1/time?client=acme", ["time", "list", "--client", "acme", "--json"]),
            ("/v1/tickets?search=MAIL", ["ticket", "list", "--search", "MAIL", "--json"]),
            ("/v1/time?from=2026-10-21&to=2026-10-22", ["time", "list", "--from", "2026-10-21", "--to", "2026-10-22", "--json"]),
            ("/v1/time/timers", ["time", "status", "--json"]), ("/v1/time/timers?all=true", ["time", "status", "--all", "--json"]),
            ("/v1/alerts?resolved=true", ["alert", "list", "--resolved", "--json"]),
            ("/v1/sla", ["sla", "--json"]), ("/v1/sla?breached=true", ["sla", "--breached", "--json"]),
            ("/v1/sla?client=acme&atRisk=false", ["sla", "--client", "acme", "--json"]),
            ("/v1/invoices", ["invoice", "list", "--json"]), ("/v1/invoices?period=2026-10&status=final", ["invoice", "list", "--period", "2026-10", "--status", "final", "--json"]),
            ("/v1/invoices/INV-2026-0001", ["invoice", "show", "INV-2026-0001", "--json"]),
            ("/v1/invoices/acme-D1", ["invoice", "show", "acme-D1", "--json"]),
            ("/v1/audit/invoices/INV-2026-0001", ["audit", "invoice", "INV-2026-0001", "--json"]),
            ("/v1/reports/sla?\(window)&by=priority", ["report", "sla", "--from", "2026-10-01", "--to", "2026-12-01", "--by", "priority", "--format", "json"]),
            ("/v1/reports/closed-without-time?\(window)&tech=ann", ["report", "closed-without-time", "--from", "2026-10-01", "--to", "2026-12-01", "--tech", "ann", "--format", "json"]),
            ("/v1/reports/profitability?\(window)&by=issued", ["report", "profitability", "--from", "2026-10-01", "--to", "2026-12-01", "--by", "issued", "--format", "json"]),
            ("/v1/reports/leakage?\(window)", ["report", "leakage", "--from", "2026-10-01", "--to", "2026-12-01", "--format", "json"]),
            ("/v1/reports/utilization?\(window)&capacityHoursPerWeek=32", ["report", "utilization", "--from", "2026-10-01", "--to", "2026-12-01", "--capacity-hours-per-week", "32", "--format", "json"]),
            ("/v1/reports/volume?from=2026-10-01T00:00:00Z&to=2026-12-01", ["report", "volume", "--from", "2026-10-01T00:00:00Z", "--to", "2026-12-01", "--format", "json"]),
        ]
        var rows = 0
        for (path, command) in pairs {
            let answer = try served.curl("GET", path, token: token)
            #expect(answer.status == 200, "\(path): \(answer.body)")
            let printed = try served.docket(command, environment: later)
            #expect(printed.status == 0, "\(command): \(printed.stderr)")
            let api = try JSONSerialization.jsonObject(with: Data(answer.body.utf8), options: [.fragmentsAllowed])
            let cli = try JSONSerialization.jsonObject(with: Data(printed.stdout.utf8), options: [.fragmentsAllowed])
            let items = (api as? [String: Any])?["items"] ?? api
            #expect(try canonical(items) == canonical(cli), "\(path) answered \(answer.body), the CLI printed \(printed.stdout)")
            rows += (cli as? [Any])?.count ?? 1
        }
        #expect(rows > pairs.count, "the answers had rows")
        for (path, field) in [
            ("/v1/reports/leakage?from=2026-12-01&to=2026-10-01", "from must be before to"),
            ("/v1/reports/leakage?from=yesterday&to=2026-10-01", "from"), ("/v1/reports/volume?from=2026-10-01", "to is required"),
            ("/v1/reports/sla?\(window)&by=colour", "by"), ("/v1/reports/profitability?\(window)&by=moon", "by"),
            ("/v1/reports/utilization?\(window)&capacityHoursPerWeek=169", "capacityHoursPerWeek"),
            ("/v1/invoices?period=october", "period"), ("/v1/invoices?status=paid", "status"), ("/v1/time?ticket=1001", "ticket"),
            ("/v1/sla?breached=maybe", "breached"), ("/v1/time/timers?all=maybe", "all"), ("/v1/alerts?resolved=maybe", "resolved"),
        ] {
            let answer = try served.curl("GET", path, token: token)
            #expect(answer.status == 400, "\(path): \(answer.body)")
            #expect(answer.body.contains(field), "\(path): \(answer.body)")
        }
        let badTime = try served.curl("GET", "/v1/time?from=soon", token: token)
        #expect(badTime.status == 422 && badTime.body.contains("from \\\"soon\\\" is not a time"), "\(badTime.body)")
        let missing = try served.curl("GET", "/v1/audit/invoices/INV-2026-0404", token: token)
        #expect(missing.status == 404, "\(missing.body)")
        let unknownAlertClient = try served.curl("GET", "/v1/alerts?client=ghost", token: token)
        #expect(unknownAlertClient.status == 404 && unknownAlertClient.body.contains("ghost"), "\(unknownAlertClient.body)")
        let unknownClient = try served.curl("GET", "/v1/time?client=ghost", token: token)
        #expect(unknownClient.status == 404 && unknownClient.body.contains("ghost"), "the client filter is read: \(unknownClient.body)")
        // With client=, a zoneless from/to is that client's (the caller has no zone of their own), as in `time list --client`:
        // 2026-10-20 12:00 in New York is 16:00 UTC, after TE-1's start at 14:00 UTC.
        #expect(try served.docket(["client", "update", "acme", "--time-zone", "America/New_York"]).status == 0)
        let newYork = try served.curl("GET", "/v1/time?client=acme&from=2026-10-20&to=2026-10-20%2012:00", token: token)
        let items = (try JSONSerialization.jsonObject(with: Data(newYork.body.utf8)) as? [String: Any])?["items"] as? [[String: Any]]
        #expect(items?.compactMap { $0["entryId"] as? String } == ["TE-1"], "\(newYork.body)")
        let blankSearch = try served.curl("GET", "/v1/tickets?search=%20", token: token)
        #expect(blankSearch.status == 400 && blankSearch.body.contains("search needs at least one word"), "\(blankSearch.body)")
        #expect(served.stop() == 0)
    }

    /// A parsed JSON value as text with sorted keys, to compare two values.
    func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }
}
