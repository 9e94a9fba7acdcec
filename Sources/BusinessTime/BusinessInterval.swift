import DocketTime

/// A stretch of business time `[start, end)` and the local date whose hours it comes from.
public struct BusinessInterval: Hashable, Sendable, CustomStringConvertible {
    /// When the stretch starts (included).
    public let start: Timestamp
    /// When the stretch ends (excluded).
    public let end: Timestamp
    /// The local date whose slot (weekly, or replacement) the stretch belongs to.
    public let date: LocalDate

    /// A stretch `[start, end)` on local date `date`.
    public init(start: Timestamp, end: Timestamp, date: LocalDate) {
        self.start = start
        self.end = end
        self.date = date
    }

    /// Length in milliseconds.
    public var milliseconds: Int64 { end.millisecondsSinceEpoch - start.millisecondsSinceEpoch }

    /// `2026-03-09 2026-03-09T13:00:00.000Z–2026-03-09T21:00:00.000Z`.
    public var description: String { "\(date) \(start)–\(end)" }
}
