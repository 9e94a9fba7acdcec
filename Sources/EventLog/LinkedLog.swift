import Foundation
import LMDB

/// What a linked replay reads its log from: the live store, through the replay's position. Every log read of the
/// replay goes to `live` and sees no event after `position` (docs/architecture.md, "Linked replays").
struct LinkedLog {
    /// The live store (opened read-only by the replay, or the caller's own open store).
    let live: EventStore
    /// The last position the replay sees.
    let position: UInt64

    /// The live store a linked replay in `folder` reads, checked: it must be there and hold the replay's position with
    /// the hash recorded when the replay was made. Nil for a standalone replay (`marker` has no link). `given`: the
    /// live store when the caller has it open (it must be the marker's source).
    static func open(_ marker: ReplayMarker, at folder: String, given: EventStore?, options: Environment.Options) throws -> LinkedLog? {
        guard let link = marker.link else { return nil }
        let source = marker.source
        func unlinked(_ reason: String) -> EventLogError {
            EventLogError(
                .replayUnlinked,
                "the linked replay at \(folder) reads the live store \(source), \(reason); make it again from the live store "
                    + "(docket replay --store STORE --as-of \(marker.asOf ?? marker.lastRecordedAt)), or use a standalone replay "
                    + "(--standalone) to keep a copy that does not need it")
        }
        let live: EventStore
        if let given {
            guard FileSystem.samePlace(given.path, source) else { throw unlinked("but was opened with the store \(given.path)") }
            live = given
        } else {
            guard FileManager.default.fileExists(atPath: source + "/data.mdb") else {
                throw unlinked("which is gone (moved or removed)")
            }
            var liveOptions = Environment.Options()
            liveOptions.readOnly = true
            liveOptions.checkPages = options.checkPages
            live = try EventStore(path: source, options: liveOptions)
            if live.replay != nil { throw unlinked("which is itself a replay") }
        }
        let head = try live.head()
        guard head.position >= marker.position else {
            throw unlinked("which now ends at position \(head.position), before the replay's \(marker.position) (rolled back or restored from an older backup)")
        }
        let hash = try live.logEnvironment.read { txn in
            try txn.get(live.db.events, key: Key.u64(marker.position))?.withUnsafeBytes { try? RecordCodec.split($0).hash }
        }
        guard hash?.hex == link.hash else {
            throw unlinked("whose event at position \(marker.position) is not the one replayed (the store was replaced or damaged; run docket verify on it)")
        }
        return LinkedLog(live: live, position: marker.position)
    }
}

extension FileSystem {
    /// Whether `a` and `b` name the same folder (after resolving links and relative parts).
    static func samePlace(_ a: String, _ b: String) -> Bool {
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        return resolved(a) == resolved(b)
    }

    /// The absolute, resolved form of `path` (what a linked replay records of its live store).
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }
}
