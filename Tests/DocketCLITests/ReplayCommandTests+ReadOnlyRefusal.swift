import Foundation
import TestSupport
import Testing

extension ReplayCommandTests {
    /// A write on a replay's folder is refused (exit 6, nothing written) naming the replay and its moment. The moment was
    /// RFC 3339 UTC (`a replay of STORE as of 2026-10-06T00:00:00.000Z`), where every other instant a refusal names is in
    /// the viewer's zone, named: it is now, as `replay` and `stats` give it. Embedded only: a replay's folder takes no
    /// token (a write), so no server serves one to a client.
    @Test func aWriteToAReplayNamesItsMomentInTheViewersZone() throws {
        try writeBeforeT1()
        let replay = folder.child("replay")
        let made = try docket(["replay", "--as-of", "2026-10-06T00:00:00Z", "--into", replay])
        #expect(made.status == 0, "\(made.stderr)")
        let size = try docket(["log", "--json"], store: replay).stdout.utf8.count
        let refused = try DocketProcess.run(
            ["ticket", "open", "--client", "acme", "--subject", "x"], store: replay,
            environment: ["DOCKET_USER": "bob", "DOCKET_NOW": "2026-12-01T12:00:00Z", "TZ": "America/New_York"])
        #expect(refused.status == 6)
        #expect(
            refused.stderr.hasPrefix("docket: error: the store at \(replay) is a replay of \(store) as of 2026-10-05 20:00 EDT (positions 1…"),
            "\(refused.stderr)")
        #expect(refused.stderr.hasSuffix(", linked to it and is read-only; write to the live store instead\n"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1 && !refused.stderr.contains(".000Z"), "\(refused.stderr)")
        #expect(try docket(["log", "--json"], store: replay).stdout.utf8.count == size, "nothing written")
        // Snapshot work, which opens the log alone, names the moment the same way.
        let snapshots = try DocketProcess.run(
            ["snapshot", "take"], store: replay, environment: ["DOCKET_USER": "ann", "DOCKET_NOW": "2026-12-01T12:00:00Z", "TZ": "America/New_York"])
        #expect(snapshots.status == 6)
        #expect(
            snapshots.stderr.hasPrefix("docket: error: the store at \(replay) is a replay of \(store) as of 2026-10-05 20:00 EDT (positions 1…")
                && snapshots.stderr.hasSuffix(", linked to it; take snapshots of the live store instead\n"), "\(snapshots.stderr)")
    }
}
