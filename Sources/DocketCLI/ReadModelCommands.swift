import ArgumentParser
import DocketApp
import Foundation

/// `docket rebuild [NAME]`: drop a read model and replay the log into it.
struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Drop a read model (or all of them) and replay it from the log.",
        discussion: "Admin only. Safe while others write: their appends are picked up before the rebuild ends.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Argument(help: "The read model to rebuild (default: all).") var name: String?
    @OptionGroup var foldThreads: FoldThreadsOptions

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let store = try StoreAccess.open(path, checkPages: true, foldThreads: try foldThreads.resolved()).log
            try store.requireAdmin(actorOptions.name, to: "rebuild read models")
            let names = name.map { [$0] } ?? store.readModelNames
            // All of them in one scan of the log: each event is read and decoded once for every model.
            let label = name ?? "all read models"
            try store.rebuild(names) { done, total in Terminal.progress("rebuilding \(label)", done, total) }
            for model in names {
                Terminal.out("rebuilt \(model) through position \(try store.checkpoint(of: model))\n")
            }
        }
    }
}

/// `docket stats`: what the store holds, from the stream-counts read model.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count events and streams per stream category and per event type.",
        discussion: "With --read-models: each read model's checkpoint, entries and SHA-256 digest, to compare stores.")

    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "Print each read model's digest instead (equal digests: byte-identical read models).")
    var readModels = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let session = try StoreAccess.open(path, checkPages: readModels)
            if readModels { return try printReadModelDigests(session.log, json: output.json) }
            let (categories, types) = try session.log.streamCounts(session.app.models)
            let head = try session.log.head()
            let snapshots = try session.log.snapshots()
            let snapshotBytes = snapshots.reduce(0) { $0 + $1.bytes }
            if output.json {
                let object: [String: Any] = [
                    "head": head.position,
                    "snapshots": ["count": snapshots.count, "bytes": snapshotBytes],
                    "categories": categories.map { ["category": $0.name, "events": $0.events, "streams": $0.streams] },
                    "types": types.map { ["type": $0.name, "events": $0.events] },
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                Terminal.out(String(decoding: data, as: UTF8.self) + "\n")
            } else {
                Terminal.out("\(head.position) events\n")
                Terminal.out("\(snapshots.count) read-model snapshots, \(megabytes(snapshotBytes)) (docket snapshot list)\n\n")
                Terminal.out(Terminal.table(["CATEGORY", "STREAMS", "EVENTS"], categories.map { [$0.name, String($0.streams), String($0.events)] }))
                Terminal.out("\n")
                Terminal.out(Terminal.table(["TYPE", "EVENTS"], types.map { [$0.name, String($0.events)] }))
            }
        }
    }
}
