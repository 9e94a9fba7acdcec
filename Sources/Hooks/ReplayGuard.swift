import Crypto
import DocketTime

/// Remembers the signed requests a source delivered within the signature window, so the same request sent again
/// (a captured one, replayed while its timestamp is still fresh) is refused. Older requests need no memory: their
/// timestamp is already outside ``HookSignature/tolerance``.
///
/// A value type: the server keeps one behind a lock. It lives in memory, so a restart forgets it; a replay after a
/// restart must still come within the 5-minute window, and alert and mail intake are idempotent (a fingerprint or a
/// Message-ID seen before adds an occurrence at most, never a second ticket).
public struct ReplayGuard: Sendable {
    /// The most requests remembered; past it the oldest are forgotten first.
    public let capacity: Int
    private var seen: [[UInt8]: Int64] = [:]
    private var order: [(key: [UInt8], expires: Int64)] = []
    private var head = 0

    /// A guard remembering at most `capacity` requests.
    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    /// The key of one signed request: SHA-256 of the source, the signed time and the body.
    public static func key(source: String, timestamp: Int64, body: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(source.utf8) + [0] + Array("\(timestamp)".utf8) + [0])
        hasher.update(data: Array(body))
        return Array(hasher.finalize())
    }

    /// Takes `key` at `now`: false when it was taken within the window (a replay), else remembers it and returns true.
    public mutating func claim(_ key: [UInt8], now: Timestamp) -> Bool {
        let nowSeconds = now.millisecondsSinceEpoch / 1000
        expire(before: nowSeconds)
        if let expires = seen[key], expires >= nowSeconds { return false }
        let expires = nowSeconds + 2 * HookSignature.tolerance
        seen[key] = expires
        order.append((key, expires))
        while seen.count > capacity, head < order.count {
            let oldest = order[head]
            head += 1
            if seen[oldest.key] == oldest.expires { seen[oldest.key] = nil }
        }
        compact()
        return true
    }

    /// Forgets `key`: the delivery it belonged to was not taken (the store refused it), so the sender may retry it.
    public mutating func release(_ key: [UInt8]) {
        seen[key] = nil
    }

    /// How many requests are remembered.
    public var count: Int { seen.count }

    private mutating func expire(before nowSeconds: Int64) {
        while head < order.count, order[head].expires < nowSeconds {
            let oldest = order[head]
            head += 1
            if seen[oldest.key] == oldest.expires { seen[oldest.key] = nil }
        }
    }

    private mutating func compact() {
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
