import Foundation

/// The file `SNAPSHOT` in a read-model snapshot's folder (`<store>/snapshots/<month>/`, beside the snapshot's own
/// LMDB file): which log position the read models in it were built from, and each model's digest.
public struct SnapshotManifest: Codable, Sendable, Equatable {
    /// The manifest's file name inside a snapshot folder.
    public static let fileName = "SNAPSHOT"
    static let formatName = "docket-snapshot 1"

    /// One read model kept in the snapshot.
    public struct Model: Codable, Sendable, Equatable {
        /// The read model's name.
        public var name: String
        /// Its checkpoint key, which names its row format (`queue-v5`): a model of another format is never restored.
        public var checkpointKey: String
        /// Its databases, in declaration order (`rm.queue5.tickets`, …).
        public var databases: [String]
        /// Its key/value entries across those databases.
        public var entries: Int
        /// Its digest at `position` (`EventStore.readModelDigest`), checked again after every restore.
        public var sha256: String
    }

    /// `docket-snapshot 1`.
    public var format: String
    /// The month whose end it is, `2026-10` (months in UTC).
    public var month: String
    /// The first instant after that month (RFC 3339): the snapshot holds every event recorded before it.
    public var before: String
    /// The last position folded into the models.
    public var position: UInt64
    /// The hash of the event at `position` (hex): the snapshot is used only for a log that has this event there.
    public var hash: String
    /// The recorded-at time of the event at `position` (RFC 3339).
    public var lastRecordedAt: String
    /// The read models, in the order the store applies them.
    public var readModels: [Model]
    /// The digest of the snapshot's `data.mdb` as it was written, hashed in pieces on several threads (`PieceDigest`),
    /// checked before the file is linked into a replay; nil in manifests written before it was recorded.
    public var fileDigest: PieceDigest?
    /// The plain SHA-256 (hex) of the snapshot's `data.mdb`, as manifests recorded it before `fileDigest` (one
    /// sequential pass to check: 3 s for a 10M-event store's 2 GiB); nil in newer manifests, and in manifests older
    /// still, whose models' digests are checked instead.
    public var fileSHA256: String?

    init(month: MonthEnd, hash: Digest, lastRecordedAt: Timestamp, readModels: [Model], fileDigest: PieceDigest?) {
        self.format = SnapshotManifest.formatName
        self.month = month.month
        self.before = month.before.iso8601
        self.position = month.position
        self.hash = hash.hex
        self.lastRecordedAt = lastRecordedAt.iso8601
        self.readModels = readModels
        self.fileDigest = fileDigest
        self.fileSHA256 = nil
    }

    /// The manifest in `folder`; throws a one-line reason when it is missing or damaged.
    static func read(in folder: String) throws -> SnapshotManifest {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName) else {
            throw EventLogError(.corrupt, "it has no \(fileName) file")
        }
        guard let manifest = try? JSONDecoder().decode(SnapshotManifest.self, from: data), manifest.format == formatName
        else { throw EventLogError(.corrupt, "its \(fileName) file is damaged") }
        return manifest
    }

    func write(in folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(UInt8(ascii: "\n"))
        let file = folder + "/" + SnapshotManifest.fileName
        guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw EventLogError(.storeNotEmpty, "cannot write \(file); check the folder is writable")
        }
    }
}

/// A month end of the log: the month, the first instant after it (UTC), and the last position recorded before it.
public struct MonthEnd: Sendable, Equatable {
    /// `2026-10`.
    public let month: String
    /// `2026-11-01T00:00:00Z`: every event of the snapshot was recorded before this instant.
    public let before: Timestamp
    /// The last position recorded before `before`.
    public let position: UInt64

    /// The month holding `instant` (UTC) and the first instant of the month after it.
    static func month(of instant: Timestamp) -> (name: String, next: Timestamp) {
        let dayMs: Int64 = 86_400_000
        let ms = instant.millisecondsSinceEpoch
        let days = ms >= 0 ? ms / dayMs : (ms - dayMs + 1) / dayMs
        let date = CivilCalendar.date(fromDaysSinceEpoch: days)
        let (year, month) = date.month == 12 ? (date.year + 1, 1) : (date.year, date.month + 1)
        let next = Timestamp(millisecondsSinceEpoch: CivilCalendar.daysSinceEpoch(year: year, month: month, day: 1) * dayMs)
        let name = String(format: "%04d-%02d", date.year, date.month)
        return (name, next)
    }
}

/// What one snapshot folder holds, for `docket snapshot list`.
public struct SnapshotListing: Sendable {
    /// The folder's name (the month, `2026-10`).
    public let name: String
    /// The folder.
    public let folder: String
    /// Its manifest, nil when it cannot be read (`problem` says why).
    public let manifest: SnapshotManifest?
    /// Why the snapshot would not be used (damaged, another log), nil when it matches this log.
    public let problem: String?
    /// The bytes its files take.
    public let bytes: Int64
}

extension FileSystem {
    /// The total size of the files under `folder` (0 when it is missing).
    static func bytes(under folder: String) -> Int64 {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return 0 }
        var total: Int64 = 0
        while let relative = walker.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + relative)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            }
        }
        return total
    }
}
