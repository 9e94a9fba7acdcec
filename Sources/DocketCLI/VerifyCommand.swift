import ArgumentParser
import DocketApp
import Foundation

/// `docket verify`: recompute the hash chain, check the indexes, and check every read model against the log.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the SHA-256 hash chain, check every index, and check every read model against the log.",
        discussion: """
            Everything is read in one read transaction, so other processes may go on writing. Each read model is \
            rebuilt from the log in a scratch folder inside the store (removed afterwards) and its digest compared \
            with the live one; --log-only skips that (the quick check). Exits 0 when the store is sound, 2 when it \
            is damaged, naming the first bad position or the read model and the command that fixes it.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Check only the hash chain and the indexes, not the read models.") var logOnly = false
    @Option(name: .customLong("anchors"), help: "Also check the log against this copy of its anchors (docket anchor --to).")
    var anchorCopies: [String] = []
    @OptionGroup var actor: ActorOptions
    @Flag(help: "Admin: accept a store that looks rolled back as it is (records an event), then verify.")
    var acceptRollback = false
    @Option(help: "With --accept-rollback: why (kept in the event).") var reason: String = ""

    func validate() throws {
        // verify reads the store's files, whoever runs it; only accepting a rollback acts as a user.
        if actor.actor != nil, !acceptRollback {
            throw ValidationError("--as goes with --accept-rollback, the only part of verify that acts as a user; drop --as")
        }
    }

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            if let copy = anchorCopies.first {
                try HostFiles.requireAccess(to: "read --anchors \(copy)", instead: "run `docket verify --anchors` on the server's host")
            }
            let session = try StoreAccess.open(path, catchUp: false, checkPages: true, allowingRollback: true)
            let store = session.log
            if acceptRollback { try accept(session) }
            let report: VerifyReport
            var checks: [ReadModelCheck] = []
            if logOnly {
                report = try store.verify(anchorCopies: anchorCopies) { done, total in Terminal.progress("verifying", done, total) }
            } else {
                ScratchFolders.removeLeftOvers(in: path)  // of verifies that were killed
                let scratch = path + "/verify-scratch-\(ProcessInfo.processInfo.processIdentifier)"
                (report, checks) = try store.verify(readModelsRebuiltIn: scratch, anchorCopies: anchorCopies) { label, done, total in
                    Terminal.progress(label, done, total)
                }
            }
            let unbuilt = Set(checks.filter { Self.isNotBuiltYet($0, head: report.head) }.map(\.name))
            let differing = checks.filter { !$0.matches && !unbuilt.contains($0.name) }
            if output.json {
                try printReport(report, checks, unbuilt: unbuilt, replay: store.replay)
            } else if report.isClean && differing.isEmpty {
                let compared = checks.count - checks.filter { $0.skipped != nil }.count - unbuilt.count
                let models = checks.isEmpty ? "" : "; \(compared) read models match the log"
                let copies = anchorCopies.isEmpty ? "" : ", with \(anchorCopies.joined(separator: ", "))"
                Terminal.out(
                    "ok: \(report.eventsChecked) events in \(report.streamsChecked) streams, hash chain and indexes intact\(models); "
                        + "\(report.anchorsChecked) \(report.anchorsChecked == 1 ? "anchor holds" : "anchors hold")\(copies)\n")
            } else {
                for problem in report.problems { Terminal.out("\(problem)\n") }
                for check in differing { Terminal.out(describe(check, replay: store.replay) + "\n") }
            }
            for check in checks where check.skipped != nil && check.damage == nil && report.isClean {
                Terminal.error("docket: note: read model \(check.name) was not checked: \(check.skipped ?? "")")
            }
            for name in store.readModelNames where unbuilt.contains(name) && report.isClean {
                Terminal.error("docket: note: read model \(name) was not checked: \(Self.notBuiltYet(name))")
            }
            let behind = Dictionary(grouping: checks.filter { report.isClean && Self.isBehind($0, head: report.head) }) {
                $0.live?.checkpoint ?? 0
            }
            for (at, models) in behind.sorted(by: { $0.key < $1.key }) {
                let names = models.map(\.name).joined(separator: ", ")
                Terminal.error(
                    "docket: note: read model\(models.count == 1 ? "" : "s") \(names) \(models.count == 1 ? "is" : "are") behind the log "
                        + "(at position \(at) of \(report.head): a rebuild, import or catch-up was cut short) and match\(models.count == 1 ? "es" : "") "
                        + "it there; the next command that opens the store catches \(models.count == 1 ? "it" : "them") up")
            }
            if report.isClean, report.eventsChecked > 0, report.anchorsChecked == 0, store.replay == nil {
                // Every commit writes an anchor: a log without any had its anchors file removed or emptied.
                Terminal.error(
                    "docket: note: no anchor holds this log: \(path)/anchors is missing or empty, though every commit writes "
                        + "one, so a rollback of the log could not be told; keep anchors off this machine (`docket anchor --to "
                        + "FILE`) and check them with `docket verify --anchors FILE`")
            }
            if !report.isClean {
                let first = report.firstBadPosition.map { "the first bad position is \($0)" } ?? "an index is damaged"
                throw CLIError.damaged("the store at \(path) failed verification: \(first); restore from a backup")
            }
            if !differing.isEmpty {
                let names = differing.map(\.name)
                throw CLIError.damaged(
                    "the store at \(path) failed verification: read model\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")) "
                        + "differ\(names.count == 1 ? "s" : "") from the log; " + fix(names, replay: store.replay))
            }
        }
    }

    /// Whether `check` is of a read model this docket has not built yet: no checkpoint and no rows in a log that has
    /// events. That is a format new in this release (or a new model) on a store no command but verify has opened
    /// since the upgrade, which builds read models as it opens a store and verify does not: not damage.
    static func isNotBuiltYet(_ check: ReadModelCheck, head: UInt64) -> Bool {
        head > 0 && check.rebuilt == nil && check.live?.checkpoint == 0 && check.live?.entries == 0
    }

    /// True when `check` is of a model behind the log (a rebuild, import or catch-up cut short) that holds the bytes a
    /// rebuild gives at its checkpoint: no damage; the next open catches it up.
    static func isBehind(_ check: ReadModelCheck, head: UInt64) -> Bool {
        guard check.matches, let at = check.live?.checkpoint else { return false }
        return at > 0 && at < head && check.rebuilt?.checkpoint == at
    }

    /// What verify says of a read model that is not built yet.
    static func notBuiltYet(_ name: String) -> String {
        "it is not built yet in this release's format; the next command that opens the store builds it (or `docket rebuild \(name)`)"
    }

    /// `--accept-rollback`: an admin records that the store is to go on as it is.
    private func accept(_ session: Session) throws {
        let context = try session.app.context(for: actor.name)
        guard context.actor.role == .admin else {
            throw CLIError.forbidden("only an admin may accept a rollback; \(actor.name) is \(context.actor.role)")
        }
        guard let result = try session.log.acceptRollback(actor: actor.name, reason: reason) else {
            Terminal.error("docket: nothing to accept: the store does not look rolled back")
            return
        }
        Terminal.error("docket: recorded store.rollback-accepted at position \(result.positions.upperBound); writes are allowed again")
    }

    /// What mends read models `names` that differ from the log: a rebuild, or for a replay (which refuses one, exit 6)
    /// making the replay again.
    private func fix(_ names: [String], replay: ReplayMarker?) -> String {
        guard let replay else { return "run " + names.map { "`docket rebuild \($0)`" }.joined(separator: " and ") }
        return "this store is a replay, which is not rebuilt: make the replay again "
            + "(`docket replay --store \(replay.source) --as-of \(replay.asOf ?? replay.lastRecordedAt) --into NEW-FOLDER`)"
    }

    private func describe(_ check: ReadModelCheck, replay: ReplayMarker?) -> String {
        if let damage = check.damage {
            return "read model \(check.name) is damaged (\(damage)); \(fix([check.name], replay: replay))"
        }
        let live = check.live.map { "\($0.entries) entries, sha256 \($0.sha256.prefix(12))…" } ?? "unreadable"
        let rebuilt = check.rebuilt.map { "\($0.entries) entries, sha256 \($0.sha256.prefix(12))…" } ?? "not rebuilt"
        return "read model \(check.name) differs from the log (live: \(live); rebuilt from the log: \(rebuilt)); \(fix([check.name], replay: replay))"
    }

    private func printReport(_ report: VerifyReport, _ checks: [ReadModelCheck], unbuilt: Set<String>, replay: ReplayMarker?) throws {
        let models: [[String: Any]] = checks.map { check in
            if unbuilt.contains(check.name) { return ["name": check.name, "ok": true, "skipped": Self.notBuiltYet(check.name)] }
            var entry: [String: Any] = ["name": check.name, "ok": check.matches]
            if let live = check.live { entry["live"] = live.sha256 }
            if let rebuilt = check.rebuilt { entry["rebuilt"] = rebuilt.sha256 }
            if let skipped = check.skipped { entry["skipped"] = skipped }
            if let damage = check.damage { entry["damage"] = damage }
            if Self.isBehind(check, head: report.head) { entry["behindAt"] = check.live?.checkpoint }
            if !check.matches { entry["fix"] = replay == nil ? "docket rebuild \(check.name)" : "make the replay again with docket replay" }
            return entry
        }
        let object: [String: Any] = [
            "ok": report.isClean && checks.allSatisfy { $0.matches || unbuilt.contains($0.name) }, "events": report.eventsChecked,
            "streams": report.streamsChecked, "head": report.head, "anchors": report.anchorsChecked,
            "firstBadPosition": report.firstBadPosition.map { $0 as Any } ?? NSNull(),
            "problems": report.problems.map(\.description), "readModels": models,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        Terminal.out(String(decoding: data, as: UTF8.self) + "\n")
    }
}
