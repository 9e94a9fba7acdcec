import DocketTime

/// A calendar month, `2026-11`: the unit of invoice runs and of monthly fees and allowances. Its instants here are
/// UTC; a client's billing months follow its time zone through ``BillingMonths``.
public struct BillingPeriod: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    /// The month `year`-`month` (1…12).
    public init?(year: Int, month: Int) {
        guard (1970...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`: four digits, a dash, two digits (no sign, no spaces: `Int` alone would read `+1` as 1).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let year = Int(parts[0]), let month = Int(parts[1])
        else {
            return nil
        }
        self.init(year: year, month: month)
    }

    /// The month (UTC) containing `instant`.
    public init(containing instant: Timestamp) {
        let days = instant.millisecondsSinceEpoch >= 0
            ? instant.millisecondsSinceEpoch / 86_400_000
            : (instant.millisecondsSinceEpoch - 86_399_999) / 86_400_000
        let date = CivilCalendar.date(fromDaysSinceEpoch: days)
        year = date.year
        month = date.month
    }

    /// The first instant of the month.
    public var start: Timestamp {
        Timestamp(millisecondsSinceEpoch: CivilCalendar.daysSinceEpoch(year: year, month: month, day: 1) * 86_400_000)
    }

    /// The first instant of the next month.
    public var end: Timestamp { next.start }

    /// The following month.
    public var next: BillingPeriod {
        month == 12 ? BillingPeriod(uncheckedYear: year + 1, month: 1) : BillingPeriod(uncheckedYear: year, month: month + 1)
    }

    /// The month before.
    public var previous: BillingPeriod {
        month == 1 ? BillingPeriod(uncheckedYear: year - 1, month: 12) : BillingPeriod(uncheckedYear: year, month: month - 1)
    }

    private init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public static func < (lhs: BillingPeriod, rhs: BillingPeriod) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

    /// Whether the period a charge or invoice records as `text` is this one or earlier, compared as a year and a month,
    /// never as text: a month of a year below 1000 is recorded without zero padding (`26-01`, as its charge key has it),
    /// and sorts after `2026-11` as text. Text that is not `year-month` compares as text, as it always did.
    public func includes(recorded text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), year >= 0, parts[0].first != "+" else {
            return text <= description
        }
        return (year, month) <= (self.year, self.month)
    }

    /// `2026-11`.
    public var description: String { "\(year)-" + (month < 10 ? "0" : "") + "\(month)" }
}
