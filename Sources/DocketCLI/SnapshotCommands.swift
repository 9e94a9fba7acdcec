import ArgumentParser
import DocketApp
import Domain
import Foundation

/// `docket snapshot list|take|remove`: the month-end snapshots of the read models that `docket replay --as-of`
/// starts from (docs/architecture.md, "Read-model snapshots").
struct SnapshotGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "List, take or remove the month-end snapshots of the read models that replays start from.",
        subcommands: [SnapshotListCommand.self, SnapshotTakeCommand.self, SnapshotRemoveCommand.self])
}

/// Opens the live store's log read-only for a snapshot command (inside the server, the store it holds open);
/// fails with `noStore` when there is none.
private func openLog(_ path: String) throws -> LogService {
    try StoreAccess.liveLog(path, foldThreads: try foldThreadsSetting())
}

struct SnapshotListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Each snapshot: its month, log position, size, read models and whether a replay can use it.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    /// One snapshot in `docket snapshot list --json`.
    struct Row: Encodable {
        let month: String
        let before: String?
        let position: UInt64?
        let hash: String?
        let lastRecordedAt: String?
        let bytes: Int64
        /// Whether a replay restores it (it matches this log); models not kept in their current format are folded.
        let usable: Bool
        let problem: String?
        let readModels: [SnapshotManifest.Model]
        /// Read models it does not hold in their current format.
        let foldedFromStart: [String]
    }

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let log = try openLog(path)
            let rows = try log.snapshots().map { listing in
                let manifest = listing.manifest
                return Row(
                    month: listing.name, before: manifest?.before, position: manifest?.position, hash: manifest?.hash,
                    lastRecordedAt: manifest?.lastRecordedAt, bytes: listing.bytes, usable: listing.problem == nil,
                    problem: listing.problem, readModels: manifest?.readModels ?? [],
                    foldedFromStart: manifest.map(log.modelsNotKept) ?? [])
            }
            if output.json { return try printJSON(rows) }
            guard !rows.isEmpty else {
                Terminal.out("no snapshots in \(log.snapshotsFolder); take them with docket snapshot take\n")
                return
            }
            Terminal.out(
                Terminal.table(
                    ["MONTH", "POSITION", "SIZE", "STATUS"],
                    rows.map { row in
                        let status = row.problem.map { "not used: \($0)" }
                            ?? (row.foldedFromStart.isEmpty ? "usable" : "usable; folds " + row.foldedFromStart.joined(separator: ", "))
                        return [row.month, row.position.map(String.init) ?? "-", megabytes(row.bytes), status]
                    }))
            Terminal.out("\(rows.count) snapshots, \(megabytes(rows.reduce(0) { $0 + $1.bytes })) in \(log.snapshotsFolder)\n")
        }
    }
}

struct SnapshotTakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "take",
        abstract: "Take the snapshot of every month end (UTC) of the log that has none, in one replay.",
        discussion: """
            A month's snapshot holds every read model as it stood after the last event recorded before the next \
            month began. A month is over once the log holds an event recorded after it. docket replay takes the \
            missing ones it passes by itself; this takes them all now. Admin only: a snapshot is a copy of the \
            read models.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let log = try openLog(path)
            try log.requireAdmin(actorOptions.name, to: "take snapshots of the read models")
            // On a replay's folder the refusal names the replay's moment: in the viewer's zone.
            let time = PeopleTime.viewer(actorOptions.name, in: log)
            let taken = try timesWritten(by: { time.text($0) }) {
                try log.takeSnapshots { done, total in Terminal.progress("snapshotting", done, total) }
            }
            if output.json { return try printJSON(["taken": taken]) }
            Terminal.out(taken.isEmpty ? "every month end has its snapshot\n" : "took \(taken.joined(separator: ", "))\n")
        }
    }
}

struct SnapshotRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete one month's snapshot (replays then fold from the one before; take it again with snapshot take).")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Argument(help: ArgumentHelp("The snapshot's month, as docket snapshot list shows it.", valueName: "yyyy-mm"))
    var month: String

    func validate() throws {
        guard BillingPeriod(month) != nil else {
            throw ValidationError("'\(month)' is not a month; give it as YYYY-MM, e.g. 2026-10, as docket snapshot list shows it")
        }
    }

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let log = try openLog(path)
            try log.requireAdmin(actorOptions.name, to: "remove a snapshot")
            try log.removeSnapshot(month)
            Terminal.out("removed the snapshot of \(month)\n")
        }
    }
}

/// `12.3 MiB`.
func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f MiB", Double(bytes) / 1_048_576)
}
