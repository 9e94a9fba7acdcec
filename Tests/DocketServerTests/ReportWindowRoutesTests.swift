import Foundation
import TestSupport
import Testing

/// The report routes read their window as `docket report` does (docs/cli.md, "Report windows"): a date is midnight
/// where the client is, `timeZone` reads it in one zone for every row, an instant typed with an offset (seconds
/// optional) is exact. They read a date as midnight UTC, took no zone, and refused `2026-11-01T00:00-05:00`.
@Suite(.serialized) struct ReportWindowRoutesTests {
    /// acme is in New York; bob worked 60 minutes at 23:00 on 31 October New York time (03:00Z on 1 November) and 30
    /// minutes at 21:00 on 30 November (02:00Z on 1 December): New York's November holds the 30, UTC's the 60.
    @Test func theReportRoutesReadTheirWindowAsTheCommandDoes() throws {
        let served = ServedStore()
        let setUp = ["DOCKET_NOW": "2026-12-02T12:00:00Z"]
        for arguments in [
            ["init"], ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"],
            ["client", "add", "acme", "--name", "Acme", "--time-zone", "America/New_York", "--currency", "USD"],
            ["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01",
             "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":12000}}"#],
            ["ticket", "open", "--client", "acme", "--subject", "VPN down"],
            ["time", "log", "T-1001", "60m", "--at", "2026-10-31T23:00:00-04:00", "--for", "bob", "--work-type", "remote"],
            ["time", "log", "T-1001", "30m", "--at", "2026-11-30T21:00:00-05:00", "--for", "bob", "--work-type", "remote"],
        ] {
            let run = try served.docket(arguments, environment: setUp)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
        let token = try served.docket(["token", "create", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start(environment: setUp, socket: false)
        defer { _ = served.stop() }
        func billable(_ path: String) throws -> Int? {
            let answer = try served.curl("GET", path, token: token)
            #expect(answer.status == 200, "\(path): \(answer.body)")
            let rows = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]]
            return rows?.first { $0["client"] as? String == "acme" }?["billableMinutes"] as? Int
        }
        func printed(_ arguments: [String]) throws -> Int? {
            let run = try served.docket(["report", "leakage", "--format", "json"] + arguments, environment: setUp)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            let rows = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]
            return rows?.first { $0["client"] as? String == "acme" }?["billableMinutes"] as? Int
        }
        // Dates: New York's November, as the command reads them.
        #expect(try billable("/v1/reports/leakage?from=2026-11-01&to=2026-12-01") == 30)
        #expect(try printed(["--from", "2026-11-01", "--to", "2026-12-01"]) == 30)
        // One zone for every row: UTC's November.
        #expect(try billable("/v1/reports/leakage?from=2026-11-01&to=2026-12-01&timeZone=UTC") == 60)
        #expect(try printed(["--from", "2026-11-01", "--to", "2026-12-01", "--time-zone", "UTC"]) == 60)
        // An offset without seconds is exact: 05:00Z on 1 November to 05:00Z on 1 December.
        #expect(try billable("/v1/reports/leakage?from=2026-11-01T00:00-05:00&to=2026-12-01T00:00-05:00") == 30)
        // The time route and asOf take the same short form.
        let time = try served.curl("GET", "/v1/time?from=2026-11-30T00:00-05:00&to=2026-12-01T00:00-05:00", token: token)
        #expect(time.status == 200 && time.body.contains("TE-2") && !time.body.contains("TE-1\""), "\(time.body)")
        for (path, field) in [
            ("/v1/reports/leakage?from=2026-11-01&to=2026-12-01&timeZone=Mars/Olympus", "timeZone"),
            ("/v1/reports/leakage?from=2026-11-01&to=2026-12-01T00:00-05:00x", "to"),
        ] {
            let answer = try served.curl("GET", path, token: token)
            #expect(answer.status == 400 && answer.body.contains(field), "\(path): \(answer.body)")
        }
    }
}
