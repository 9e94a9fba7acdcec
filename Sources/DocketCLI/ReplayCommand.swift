import ArgumentParser
import DocketApp
import Foundation

/// `docket replay --as-of TIME [--into DIR] [--standalone]`: the read models as they stood at a moment, in a new store.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Show the store as it stood at a moment: a read-only store of every read model as of TIME.",
        discussion: """
            Builds in DIR the read models from the events recorded at or before TIME (inclusive); the live store \
            is only read. DIR is then a read-only Docket store: read it with any command and --store DIR \
            (e.g. docket invoice show ID --store DIR); writes to it are refused. Compare it with another store \
            with `docket stats --read-models`. Default DIR: <store>-as-of-<time>, next to the store; it must be \
            new or empty.

            Linked (the default): DIR holds only the read models and reads the log from the live store, through \
            that moment's last event, whenever it is opened. Exactly at a month end it is made in well under a \
            second, whatever the store's size: the month-end snapshot's file is the read models (a hard link, \
            no copy). DIR needs the live store to stay where it is: if the store is moved, restored from an older \
            backup or damaged before that event, DIR refuses to open (it never shows a wrong answer); make the \
            replay again.

            --standalone: DIR is a whole store on its own (its own copy of the log up to TIME), for an archive \
            that must outlive the live store or go to another machine. It costs a copy of the log and the models.

            Either way the read models start from the nearest month-end snapshot at or before TIME (docket \
            snapshot list), and only the later events are folded; month ends passed without a snapshot get one. \
            --no-snapshots folds every event (the same bytes, slower). Admin only: the replay shows the whole log.

            Examples:
              docket replay --as-of 2026-10-31T23:59:59.999Z    # the end of October, linked
              docket replay --as-of 2026-11-01 --standalone \\
                  --into /archive/dispute-1042                 # midnight, your zone
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "The moment: RFC 3339, or a date or local time without a zone (2026-10-31, 2026-10-31 18:00), read in your "
                + "time zone (docket user time-zone), else this machine's.", valueName: "time"),
        transform: MomentArgument.parse)
    var asOf: MomentArgument
    @Option(help: ArgumentHelp("The folder to build the replay in (new or empty).", valueName: "dir"))
    var into: String?
    @Flag(help: "Copy the log into DIR too, so the replay stands alone (an archive that outlives the live store).")
    var standalone = false
    @Flag(help: "Fold every event from the first, using and taking no snapshot (to check them).")
    var noSnapshots = false
    @OptionGroup var foldThreads: FoldThreadsOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            // A standalone replay walks the whole log prefix: every page is checked first (not inside the server, whose
            // store is open already). A linked one reads only the events it folds, as any command on the live store does.
            let live = try StoreAccess.liveLog(path, checkPages: standalone, foldThreads: try foldThreads.resolved())
            try live.requireAdmin(actorOptions.name, to: "replay the log into a new store")
            // A time without a zone is the viewer's, as `time list --from` reads it: a date was midnight UTC here alone.
            // Said at once, before the replay's long work (a refusal after it is about the moment as read).
            let moment = try asOf.exact ?? {
                let read = try parseTime(asOf.text, flag: "--as-of", in: PeopleTime.viewer(actorOptions.name, in: live))
                read.announce()
                return read.instant
            }()
            let destination = into ?? ReplayCommand.defaultFolder(store: path, asOf: moment)
            try ReplayCommand.checkUsable(destination, given: into != nil)
            let position = try live.position(atOrBefore: moment)
            guard position > 0 else {
                // In the viewer's zone, as the note about reading --as-of gives the moment.
                let time = PeopleTime.viewer(actorOptions.name, in: live)
                let first = try live.event(at: 1).map { "its first event was recorded at \(time.text($0.recordedAt))" }
                throw CLIError.notFound(
                    "nothing was recorded at or before \(time.text(moment)) in \(path) (\(first ?? "it holds no events")); "
                        + "give a later --as-of")
            }
            let progress = { (done: UInt64, total: UInt64) in Terminal.progress("replaying", done, total) }
            let result = standalone
                ? try live.replay(through: position, asOf: moment, into: destination, snapshots: !noSnapshots, progress: progress)
                : try live.linkedReplay(through: position, asOf: moment, into: destination, snapshots: !noSnapshots, progress: progress)
            try ReplayCommand.report(result, into: destination, json: output.json, time: PeopleTime.viewer(actorOptions.name, in: live))
        }
    }

    /// `<store>-as-of-20261031T235959Z`, next to the store.
    static func defaultFolder(store: String, asOf: Timestamp) -> String {
        var base = store
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        var compact = asOf.iso8601.filter { $0 != "-" && $0 != ":" }
        if compact.hasSuffix(".000Z") { compact = String(compact.dropLast(5)) + "Z" }
        return "\(base)-as-of-\(compact)"
    }

    /// Refuses a destination that exists and is not an empty folder, before any work is done. A folder holding only
    /// what a replay killed half way left is usable: the replay clears it (``StagedFolder/leftOver(in:)``).
    static func checkUsable(_ destination: String, given: Bool) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination, isDirectory: &isFolder) else { return }
        let fix = given ? "give --into a new or empty folder" : "remove it or give --into a new or empty folder"
        guard isFolder.boolValue else { throw CLIError.destination("\(destination) is a file; \(fix)") }
        let isEmpty = (try? FileManager.default.contentsOfDirectory(atPath: destination).isEmpty) == true
        guard isEmpty || StagedFolder.leftOver(in: destination) != nil else {
            throw CLIError.destination("\(destination) is not empty; \(fix)")
        }
    }

    /// What the replay made: its moment and last event's time in the viewer's zone (`time`), as `log` gives times;
    /// `--json` keeps RFC 3339 UTC.
    static func report(_ result: ReplayResult, into destination: String, json: Bool, time: PeopleTime) throws {
        let marker = result.marker
        if json {
            try printJSON(
                ReplayReport(
                    source: marker.source, asOf: marker.asOf, position: marker.position, events: result.events,
                    lastRecordedAt: marker.lastRecordedAt, into: destination, linked: marker.isLinked, readModels: result.digests,
                    snapshot: result.snapshot, snapshotsTaken: result.snapshotsTaken))
            return
        }
        Terminal.out("replayed \(marker.source) as of \(marker.asOf.map(time.text(iso8601:)) ?? "-")\n")
        Terminal.out("  last position  \(marker.position) (recorded at \(time.text(iso8601: marker.lastRecordedAt)))\n")
        Terminal.out("  events         \(result.events)\n")
        if let used = result.snapshot {
            Terminal.out("  from snapshot  \(used.month) (position \(used.position); folded \(marker.position - used.position) events after it)\n")
        }
        if !result.snapshotsTaken.isEmpty {
            Terminal.out("  took snapshots \(result.snapshotsTaken.joined(separator: ", "))\n")
        }
        if let link = marker.link {
            let models = link.snapshot.map { "the snapshot \($0)'s file, linked" } ?? "its own"
            Terminal.out("  into           \(destination) (read-only; read models: \(models))\n")
            Terminal.out("  linked to      \(marker.source): its log is read through position \(marker.position) (keep the store there; --standalone makes a copy that stands alone)\n\n")
        } else {
            Terminal.out("  into           \(destination) (read-only, standalone)\n\n")
        }
        Terminal.out(digestTable(result.digests))
        Terminal.out("\nread it with --store, e.g.: docket invoice show ID --store \(shellQuoted(destination))\n")
    }

    /// What `docket replay --json` prints.
    struct ReplayReport: Encodable {
        let source: String
        let asOf: String?
        let position: UInt64
        let events: UInt64
        let lastRecordedAt: String
        let into: String
        /// True when the replay reads its log from the live store (the default), false for `--standalone`.
        let linked: Bool
        let readModels: [ReadModelDigest]
        /// The snapshot the read models started from, nil when every event was folded.
        let snapshot: SnapshotUse?
        /// The months whose snapshots this replay took.
        let snapshotsTaken: [String]
    }
}

/// The table of read-model digests shared by `docket replay` and `docket stats --read-models`.
func digestTable(_ digests: [ReadModelDigest]) -> String {
    Terminal.table(
        ["READ MODEL", "CHECKPOINT", "ENTRIES", "SHA-256"],
        digests.map { [$0.name, String($0.checkpoint), String($0.entries), $0.sha256] })
}

/// `docket stats --read-models`: each read model's digest, to compare two stores (a replay and a backup).
func printReadModelDigests(_ store: LogService, json: Bool) throws {
    let head = try store.head().position
    let digests = try store.readModelDigests()
    if json {
        struct Report: Encodable {
            let head: UInt64
            let replay: ReplayMarker?
            let readModels: [ReadModelDigest]
            /// Databases of read-model formats no longer used (none once the store was opened for writing).
            let staleDatabases: [String]
        }
        try printJSON(
            Report(head: head, replay: store.replay, readModels: digests, staleDatabases: try store.staleReadModelDatabases()))
        return
    }
    Terminal.out("\(head) events\n")
    // `stats` reads no user's data (no --as): its moment in this machine's zone, named, as the rest of the CLI writes times.
    if let replay = store.replay { Terminal.out("\(replay.summary(time: PeopleTime.machine().text(_:))), read-only\n") }
    Terminal.out("\n" + digestTable(digests))
    let stale = try store.staleReadModelDatabases()
    Terminal.out("\nleft-over read-model databases: \(stale.isEmpty ? "none" : stale.joined(separator: ", "))\n")
}

/// `path` as one shell word.
private func shellQuoted(_ path: String) -> String {
    let safe = path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@%,".contains($0) }
    return safe ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
