import DocketTime

/// An instant that a read model keeps as milliseconds since the epoch, as JSON output writes it: an RFC 3339 string
/// in UTC with milliseconds (``Timestamp/iso8601``). For output views only; stored rows keep their own formats.
public struct RFC3339Instant: Encodable, Sendable, Equatable {
    public let timestamp: Timestamp

    public init(millisecondsSinceEpoch: Int64) {
        timestamp = Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(timestamp.iso8601)
    }
}
