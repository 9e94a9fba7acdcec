/// One stretch of business time within a local day: `[open, close)`, written `{"open": "09:00", "close": "17:00"}`.
///
/// A slot never crosses midnight; round-the-clock service is `00:00`–`24:00` on every day.
public struct BusinessSlot: Hashable, Sendable, CustomStringConvertible {
    /// When business time starts, local time.
    public let open: TimeOfDay
    /// When business time stops (excluded), local time; `24:00` for the end of the day.
    public let close: TimeOfDay

    /// The slot `[open, close)`; throws unless `open < close`.
    public init(open: TimeOfDay, close: TimeOfDay) throws(BusinessCalendarError) {
        guard open < close else {
            throw BusinessCalendarError(
                .emptySlot,
                "slot \(open)–\(close) does not open before it closes; a slot cannot cross midnight, "
                    + "so split it at 24:00 / 00:00")
        }
        self.open = open
        self.close = close
    }

    /// A slot whose order is evident from the call site (constants only).
    init(uncheckedOpen open: TimeOfDay, close: TimeOfDay) {
        self.open = open
        self.close = close
    }

    /// The slot `[open, close)` from `HH:MM` texts, such as `BusinessSlot("09:00", "17:00")`.
    public init(_ open: String, _ close: String) throws(BusinessCalendarError) {
        try self.init(open: TimeOfDay(parsing: open), close: TimeOfDay(parsing: close))
    }

    /// Length of the slot on a day without a clock change.
    public var nominalSeconds: Int64 { Int64(close.minutesSinceMidnight - open.minutesSinceMidnight) * 60 }

    /// `09:00–17:00`.
    public var description: String { "\(open)–\(close)" }

    /// Checks that `slots` are in increasing order and do not overlap (touching is fine); `label` names the day.
    static func validateDay(_ slots: [BusinessSlot], label: String) throws(BusinessCalendarError) {
        for (earlier, later) in zip(slots, slots.dropFirst()) {
            if later.open < earlier.open {
                throw BusinessCalendarError(
                    .unorderedSlots,
                    "\(label): slot \(later) is listed after \(earlier); list slots from earliest to latest")
            }
            if later.open < earlier.close {
                throw BusinessCalendarError(
                    .overlappingSlots, "\(label): slots \(earlier) and \(later) overlap; merge them or move one")
            }
        }
    }
}

extension BusinessSlot: Codable {
    private enum CodingKeys: String, CodingKey {
        case open, close
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            open: container.decode(TimeOfDay.self, forKey: .open),
            close: container.decode(TimeOfDay.self, forKey: .close))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(open, forKey: .open)
        try container.encode(close, forKey: .close)
    }
}
