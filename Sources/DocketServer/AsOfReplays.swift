import DocketApp
import DocketTime
import Domain
import Foundation

/// The served store as it stood at a moment, for `?asOf=` on the API: a linked replay of the log through the last
/// event recorded at or before the moment (`docket replay`), built once per moment in a folder of the server's and
/// read with the same routes and commands as the live store, on a clock fixed at the moment. Linked, because the live
/// store is open right here: the replay holds only the read models (at a month end, the snapshot's file itself) and
/// reads the server's own open log through its position. Billing and admins only (``Action/readPast``: settling a
/// billing dispute), each reading in it what their role reads now; `docket replay --into`, which copies the whole
/// log, stays admin-only.
public enum AsOfReplays {
    /// The way round a refusal: `only billing or an admin may read the store as of a moment (asOf); bob is tech: <fix>`.
    public static let fix = "ask billing or an admin"

    /// How many replays stay open; the oldest is dropped (closed and removed) beyond it.
    static let capacity = 4
    private static let lock = NSLock()
    nonisolated(unsafe) private static var open: [(key: String, folder: String, app: DocketApplication)] = []
    nonisolated(unsafe) private static var roots: Set<String> = []

    /// Where the replays of `live` are made: beside its snapshots (`<store>/snapshots/.as-of-<pid>`, hidden from the
    /// snapshot list and left out of backups), on the store's own file system, so a replay at a month end can be a hard
    /// link to the snapshot's file rather than a copy.
    static func root(of live: DocketApplication) -> String { live.log.snapshotsFolder + "/.as-of-\(getpid())" }

    /// The replay of `live` as of `moment`, for `actor` (billing or an admin of the live store). `progress` is called as the
    /// replay folds the log after its snapshot (events done, events to do); not at all when it is open already.
    @available(*, noasync, message: "replays the log")
    public static func app(
        asOf moment: Timestamp, live: DocketApplication, actor: String, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws -> DocketApplication {
        try live.log.require(actor, mayPerform: .readPast, what: "read the store as of a moment (asOf)", fix: fix)
        let position = try live.log.position(atOrBefore: moment)
        guard position > 0 else {
            throw ApplicationFailure(.notFound, "nothing was recorded at or before \(moment.iso8601); give a later asOf")
        }
        let key = "\(position)-\(moment.millisecondsSinceEpoch)"
        return try lock.withLock {
            if let found = open.first(where: { $0.key == key }) { return found.app }
            let root = root(of: live)
            let folder = root + "/" + key
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            roots.insert(root)
            _ = try live.log.linkedReplay(through: position, asOf: moment, into: folder, progress: progress)
            let app = try DocketApplication.open(folder, clock: FixedClock(moment), linkedTo: live)
            open.append((key, folder, app))
            if open.count > capacity {
                let dropped = open.removeFirst()
                try? FileManager.default.removeItem(atPath: dropped.folder)
            }
            return app
        }
    }

    /// Closes every replay and removes their folders (the server is stopping).
    public static func removeAll() {
        lock.withLock {
            open.removeAll()
            for root in roots { try? FileManager.default.removeItem(atPath: root) }
            roots.removeAll()
        }
    }
}
