import Foundation
import TestSupport
import Testing

/// `docket time list --from A --to B` with B not after A is a typo to report (exit 65, one line), embedded and through
/// the server alike (the check is the service's, so `GET /v1/time` refuses it too); it printed an empty list.
@Suite struct TimeListWindowTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    @Test(arguments: DocketMode.allCases) func aWindowEndingBeforeItStartsIsRefused(_ mode: DocketMode) throws {
        try mode.run(aWindowEndingBeforeItStartsIsRefused)
    }
    func aWindowEndingBeforeItStartsIsRefused() throws {
        try docket(["init"])
        try docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"])
        try docket(["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"])
        #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "VPN"], as: "bob").status == 0)
        let logged = try docket(["time", "log", "T-1001", "30m", "--work-type", "remote", "--at", "2026-11-10T09:00:00Z"], as: "bob")
        #expect(logged.status == 0, "\(logged.stderr)")
        let found = try docket(["time", "list", "--from", "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00Z", "--json"])
        #expect(found.status == 0 && found.stdout.contains("TE-1"), "\(found.stdout) \(found.stderr)")
        for (from, to) in [("2026-12-01T00:00:00Z", "2026-11-01T00:00:00Z"), ("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z")] {
            let swapped = try docket(["time", "list", "--from", from, "--to", to])
            #expect(swapped.status == 65, "\(swapped.stdout) \(swapped.stderr)")
            #expect(swapped.stdout.isEmpty)
            #expect(swapped.stderr.hasPrefix("docket: error: the window from ") && swapped.stderr.hasSuffix("give a start (--from) before the end (--to)\n"))
            #expect(swapped.stderr.split(separator: "\n").count == 1, "\(swapped.stderr)")
        }
    }
}
