/// A day of the week, keyed `mon` … `sun` in JSON.
public enum Weekday: String, CaseIterable, Codable, Sendable {
    case mon, tue, wed, thu, fri, sat, sun

    /// The weekday of the date `daysSinceEpoch` days after 1970-01-01 (a Thursday).
    public init(daysSinceEpoch days: Int64) {
        let mondayBased = ((days % 7) + 7 + 3) % 7
        self = Weekday.allCases[Int(mondayBased)]
    }

    /// 0 for Monday … 6 for Sunday.
    var index: Int {
        switch self {
        case .mon: 0
        case .tue: 1
        case .wed: 2
        case .thu: 3
        case .fri: 4
        case .sat: 5
        case .sun: 6
        }
    }
}
