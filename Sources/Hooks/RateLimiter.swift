import DocketTime

/// Per-key request limits (a token bucket per key: a webhook source, a client address, a portal e-mail address):
/// `burst` requests at once, refilled at `perMinute`. A value type with an injected time, so it is tested as a pure
/// function; the server keeps one behind a lock. Keys idle long enough to be full again are forgotten, so the table
/// stays bounded by the keys active in the last refill period (and by `maxKeys`).
public struct RateLimiter: Sendable {
    /// Requests allowed at once.
    public let burst: Int
    /// Requests refilled per minute.
    public let perMinute: Int
    /// The most keys remembered; past it, the least recently seen are dropped first.
    public let maxKeys: Int
    private var buckets: [String: (tokens: Double, at: Int64)] = [:]

    /// A limiter allowing `burst` at once and `perMinute` sustained, per key.
    public init(burst: Int, perMinute: Int, maxKeys: Int = 50_000) {
        self.burst = max(1, burst)
        self.perMinute = max(1, perMinute)
        self.maxKeys = max(1, maxKeys)
    }

    /// Takes one request for `key` at `now`: nil when allowed, else the seconds to wait before the next one may pass.
    public mutating func take(_ key: String, now: Timestamp) -> Int? {
        let ms = now.millisecondsSinceEpoch
        let rate = Double(perMinute) / 60_000
        var bucket = buckets[key] ?? (Double(burst), ms)
        bucket.tokens = min(Double(burst), bucket.tokens + Double(max(0, ms - bucket.at)) * rate)
        bucket.at = ms
        guard bucket.tokens >= 1 else {
            buckets[key] = bucket
            return max(1, Int(((1 - bucket.tokens) / rate / 1000).rounded(.up)))
        }
        bucket.tokens -= 1
        buckets[key] = bucket
        if buckets.count > maxKeys { forgetFull(now: ms) }
        return nil
    }

    /// How many keys are remembered.
    public var count: Int { buckets.count }

    private mutating func forgetFull(now: Int64) {
        let refill = Int64(Double(burst) / (Double(perMinute) / 60_000))
        buckets = buckets.filter { now - $0.value.at < refill }
        while buckets.count > maxKeys, let oldest = buckets.min(by: { $0.value.at < $1.value.at })?.key { buckets[oldest] = nil }
    }
}
