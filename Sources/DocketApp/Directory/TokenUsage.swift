import DocketTime
import Foundation

/// When each API token was last used. A use is not an event (one per request would swamp the log), so the server
/// keeps this read model beside the log, in `<store>/token-usage.json` (owner-only): updated in memory on every
/// authenticated request, written at most once a second and when the server stops. `docket token list` shows it.
public final class TokenUsage: @unchecked Sendable {
    // @unchecked Sendable: `lastUsed` and `lastWrite` are only touched while holding `lock`.
    private let path: String
    private let lock = NSLock()
    private var lastUsed: [String: Int64]
    private var lastWrite: Int64 = 0
    private var dirty = false

    /// The usage kept for the store at `storePath` (what was last written, or nothing).
    @available(*, noasync, message: "reads the usage file; from async code call it inside a blocking-work closure")
    public init(storePath: String) {
        path = storePath + "/token-usage.json"
        lastUsed = Self.read(path)
    }

    /// Notes that `tokenId` was used at `instant`; writes the file when the last write is over a second old.
    @available(*, noasync, message: "may write the usage file; from async code call it inside a blocking-work closure")
    public func record(_ tokenId: String, at instant: Timestamp) {
        let due = lock.withLock { () -> Bool in
            lastUsed[tokenId] = max(lastUsed[tokenId] ?? 0, instant.millisecondsSinceEpoch)
            dirty = true
            return instant.millisecondsSinceEpoch - lastWrite >= 1_000
        }
        if due { try? write(at: instant.millisecondsSinceEpoch) }
    }

    /// Writes what changed since the last write, as of `now` (the server calls it when it stops).
    @available(*, noasync, message: "writes the usage file; from async code call it inside a blocking-work closure")
    public func flush(at now: Timestamp) throws { try write(at: now.millisecondsSinceEpoch) }

    /// The last use of each token, by id.
    public var snapshot: [String: Timestamp] {
        lock.withLock { lastUsed.mapValues { Timestamp(millisecondsSinceEpoch: $0) } }
    }

    private func write(at now: Int64) throws {
        let data = try lock.withLock { () -> Data? in
            guard dirty else { return nil }
            dirty = false
            lastWrite = now
            return try JSONEncoder().encode(lastUsed)
        }
        guard let data else { return }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        _ = rename(temporary, path)
    }

    private static func read(_ path: String) -> [String: Int64] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return (try? JSONDecoder().decode([String: Int64].self, from: data)) ?? [:]
    }
}
