import Foundation

/// The file `REPLAY` in a store folder made by `replay(through:asOf:into:projections:)` or
/// `linkedReplay(through:asOf:into:projections:)`: which log it replays and up to where. A store with this file is
/// always opened read-only.
///
/// Two formats: `docket-replay 1`, a standalone replay (the folder holds its own copy of the log, events 1 through
/// `position`), and `docket-replay 2`, which adds `link`: a linked replay, whose folder holds only the read models and
/// reads its log from the live store `source`, through `position`. Both open with this release.
public struct ReplayMarker: Codable, Sendable, Equatable {
    /// The marker's file name inside the store folder.
    public static let fileName = "REPLAY"
    static let standaloneFormat = "docket-replay 1"
    static let linkedFormat = "docket-replay 2"

    /// What a linked replay records of the live log it reads.
    public struct Link: Codable, Sendable, Equatable {
        /// The hash of the live log's event at `position` (hex) when the replay was made: checked on every open, so
        /// a live store rolled back, replaced or damaged before that position is refused, never read.
        public var hash: String
        /// The month of the snapshot whose file the folder's `data.mdb` is (a hard link to it, opened read-only, every
        /// model at `position`), or nil when the folder holds read models of its own (restored and folded).
        public var snapshot: String?
    }

    /// `docket-replay 1` (standalone) or `docket-replay 2` (linked).
    public var format: String
    /// The live store the events were copied from (as given); for a linked replay the absolute path it reads.
    public var source: String
    /// The last position replayed: the replay sees events 1 through this one.
    public var position: UInt64
    /// The moment asked for (RFC 3339), when the replay was made as of a time; nil for a position.
    public var asOf: String?
    /// The recorded-at time of the last event replayed (RFC 3339).
    public var lastRecordedAt: String
    /// Set for a linked replay: it holds no log and reads `source`'s through `position`.
    public var link: Link?

    /// A standalone replay's marker.
    public init(source: String, position: UInt64, asOf: Timestamp?, lastRecordedAt: Timestamp) {
        self.format = ReplayMarker.standaloneFormat
        self.source = source
        self.position = position
        self.asOf = asOf?.iso8601
        self.lastRecordedAt = lastRecordedAt.iso8601
    }

    /// A linked replay's marker: `source` is the live store's absolute path, `hash` its event's at `position`.
    init(linkedTo source: String, position: UInt64, hash: Digest, asOf: Timestamp?, lastRecordedAt: Timestamp, snapshot: String?) {
        self.init(source: source, position: position, asOf: asOf, lastRecordedAt: lastRecordedAt)
        self.format = ReplayMarker.linkedFormat
        self.link = Link(hash: hash.hex, snapshot: snapshot)
    }

    /// The marker in folder `path`, or nil when there is none.
    static func read(in path: String) throws -> ReplayMarker? {
        let file = path + "/" + fileName
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        guard let data = FileManager.default.contents(atPath: file),
            let marker = try? JSONDecoder().decode(ReplayMarker.self, from: data)
        else {
            throw EventLogError(.corrupt, "the replay marker \(file) is damaged; make the replay again with docket replay")
        }
        switch marker.format {
        case standaloneFormat where marker.link == nil, linkedFormat where marker.link != nil: return marker
        case standaloneFormat, linkedFormat:
            throw EventLogError(.corrupt, "the replay marker \(file) is damaged; make the replay again with docket replay")
        default:
            throw EventLogError(
                .corrupt, "the replay at \(path) is of format '\(marker.format)', made by a newer docket; open it with that release")
        }
    }

    func write(in path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(UInt8(ascii: "\n"))
        let file = path + "/" + ReplayMarker.fileName
        guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw EventLogError(.storeNotEmpty, "cannot write \(file); check the folder is writable")
        }
    }

    /// Whether the replay reads its log from the live store (`link`) instead of holding a copy.
    public var isLinked: Bool { link != nil }

    /// What a replay is, in words: `a replay of STORE as of T (positions 1…N)`, and `, linked to it` for a linked one;
    /// T in RFC 3339 UTC.
    public var summary: String { summary(time: \.iso8601) }

    /// ``summary`` with its moment written by `time` (for people: in their zone, named).
    public func summary(time: (Timestamp) -> String) -> String {
        let moment = asOf.map { text in "as of \(Timestamp(iso8601: text).map(time) ?? text)" } ?? "through position \(position)"
        return "a replay of \(source) \(moment) (positions 1…\(position))\(isLinked ? ", linked to it" : "")"
    }
}
