import EventLog
import Foundation

/// Month-end snapshots of the read models (docs/architecture.md, "Read-model snapshots"): what `docket snapshot`
/// lists, takes and removes. A replay (`replay(through:asOf:into:snapshots:progress:)`) uses them by itself.
extension LogService {
    /// The folder the snapshots live in (`<store>/snapshots`).
    public var snapshotsFolder: String { store.snapshotsFolder }

    /// Every snapshot, in month order, each checked against this log.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func snapshots() throws -> [SnapshotListing] { try store.snapshots() }

    /// The read models of this Docket that `manifest` does not hold in their current format (a snapshot taken
    /// before a model changed format): a replay folds those from the first event.
    public func modelsNotKept(in manifest: SnapshotManifest) -> [String] {
        ReadModels().all.filter { manifest.model(matching: $0) == nil }.map(\.name)
    }

    /// The month ends (UTC) of the log that are over, each with its last position.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func monthEnds() throws -> [MonthEnd] { try store.monthEnds(after: 0, through: store.head().position) }

    /// Takes the snapshot of every month end that has none, or one without every read model in its current
    /// format, in one replay into a scratch folder beside them (removed after). Returns the months written.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func takeSnapshots(progress: (UInt64, UInt64) -> Void = { _, _ in }) throws -> [String] {
        let scratch = store.snapshotsFolder + "/.scratch-\(getpid())"
        return try store.takeSnapshots(projections: ReadModels().all, scratch: scratch, progress: progress)
    }

    /// Deletes the snapshot of `month` (`2026-10`); fails with `.notFound` naming the snapshots there are.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func removeSnapshot(_ month: String) throws {
        let names = try store.snapshots().map(\.name)
        guard names.contains(month) else {
            let known = names.isEmpty ? "the store has none" : "there are: " + names.joined(separator: ", ")
            throw ApplicationFailure(.notFound, "there is no snapshot '\(month)' (\(known)); see docket snapshot list")
        }
        try FileManager.default.removeItem(atPath: store.snapshotsFolder + "/" + month)
    }
}
