import Foundation

/// The offsets of one IANA zone, read once from Foundation's `TimeZone` and kept as an `OffsetTable`.
///
/// This file is the only Foundation boundary of the module: `Date` counts seconds in a floating-point
/// `TimeInterval`, so whole seconds go in and come out here, and everything else stays in integers.
final class ZoneRules: Sendable {
    /// Where the precomputed table starts and stops: 1900-01-01 and 2400-01-01 (UTC). Outside it each day is
    /// resolved from Foundation on demand (correct, only slower).
    static let tableStart: Int64 = -2_208_988_800
    static let tableEnd: Int64 = 13_569_465_600

    let identifier: String
    private let timeZone: TimeZone?
    let table: OffsetTable

    /// UTC without Foundation (for `BusinessCalendar.twentyFourSeven`).
    static let utc = ZoneRules(identifier: "UTC", timeZone: nil, table: .fixed(offset: 0))

    private init(identifier: String, timeZone: TimeZone?, table: OffsetTable) {
        self.identifier = identifier
        self.timeZone = timeZone
        self.table = table
    }

    /// The rules for `identifier`, or nil if the system does not know the zone. Built once per zone and process.
    static func named(_ identifier: String) -> ZoneRules? {
        cache.rules(for: identifier)
    }

    /// The offset in force at `instant` (seconds).
    func offset(at instant: Int64) -> Int64 {
        if table.covers(instant, instant) { return table.offset(at: instant) }
        guard let timeZone else { return table.offset(at: instant) }
        return Int64(timeZone.secondsFromGMT(for: Self.date(instant)))
    }

    /// A table that covers `local ± OffsetTable.margin` and a day after it: the shared one when it does, else
    /// one built for the occasion.
    func table(around local: Int64) -> OffsetTable {
        if table.covers(local - OffsetTable.margin, local + 86_400 + OffsetTable.margin) { return table }
        guard let timeZone else { return table }
        let span = OffsetTable.margin + 86_400
        return Self.buildTable(timeZone, from: local - span, until: local + 86_400 + span)
    }

    /// The instant at which the local clock reads `local`, by the rules of `OffsetTable.resolve(local:)`.
    func resolve(local: Int64) -> Int64 {
        table(around: local).resolve(local: local)
    }

    /// When every local time of day `day` (days since 1970-01-01) reads with one offset: that offset, and the last
    /// day for which the same holds. Nil near a clock change or outside the table.
    func regularStretch(forDay day: Int64) -> (offset: Int64, lastDay: Int64)? {
        let midnight = day * 86_400
        let first = midnight - OffsetTable.margin
        let last = midnight + 86_400 + OffsetTable.margin
        guard table.covers(first, last) else { return nil }
        let index = table.segment(containing: first)
        let end = table.segmentEnd(index)
        guard last < end else { return nil }
        let lastDay = Self.floorDivide(end - 1 - 86_400 - OffsetTable.margin, 86_400)
        return (table.offsets[index], lastDay)
    }

    /// The local day whose date `instant` (milliseconds) reads on the wall clock, and its `regularStretch` when it
    /// has one: with one search of the table where `offset(at:)` and `regularStretch(forDay:)` made one each. Nil
    /// when that day is not regular (the caller settles the day as `BusinessCalendar.day(containing:)` does).
    func regularDay(containing instant: Int64) -> (day: Int64, stretch: (offset: Int64, lastDay: Int64))? {
        let second = Self.floorDivide(instant, 1000)
        guard table.covers(second, second) else { return nil }
        let index = table.segment(containing: second)
        let offset = table.offsets[index]
        let day = Self.floorDivide(second + offset, 86_400)
        // The day's span in the same segment as the instant: then that segment is the one `regularStretch` finds.
        let midnight = day * 86_400
        let first = midnight - OffsetTable.margin
        let last = midnight + 86_400 + OffsetTable.margin
        guard table.covers(first, last), table.segmentStart(index) <= first, last < table.segmentEnd(index) else {
            return nil
        }
        return (day, (offset, Self.floorDivide(table.segmentEnd(index) - 1 - 86_400 - OffsetTable.margin, 86_400)))
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    // MARK: - Foundation

    private static let cache = ZoneCache()

    fileprivate static func load(_ identifier: String) -> ZoneRules? {
        guard let timeZone = TimeZone(identifier: identifier) else { return nil }
        let table = buildTable(timeZone, from: tableStart, until: tableEnd)
        return ZoneRules(identifier: identifier, timeZone: timeZone, table: table)
    }

    private static func buildTable(_ timeZone: TimeZone, from start: Int64, until end: Int64) -> OffsetTable {
        var transitions: [Int64] = []
        var offsets: [Int64] = [Int64(timeZone.secondsFromGMT(for: date(start)))]
        var cursor = start
        while let next = timeZone.nextDaylightSavingTimeTransition(after: date(cursor)) {
            let instant = seconds(next)
            if instant >= end { break }
            guard instant > cursor else {
                cursor += 1
                continue
            }
            let offset = Int64(timeZone.secondsFromGMT(for: date(instant)))
            if let previous = offsets.last, offset != previous {
                transitions.append(instant)
                offsets.append(offset)
            }
            cursor = instant
        }
        return OffsetTable(coverageStart: start, coverageEnd: end, transitions: transitions, offsets: offsets)
    }

    private static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }
}

/// Zone rules by identifier, shared by every calendar in the process.
// @unchecked Sendable: the dictionary is only touched while `lock` is held.
private final class ZoneCache: @unchecked Sendable {
    private let lock = NSLock()
    private var rules: [String: ZoneRules] = [:]

    func rules(for identifier: String) -> ZoneRules? {
        lock.lock()
        defer { lock.unlock() }
        if let known = rules[identifier] { return known }
        guard let loaded = ZoneRules.load(identifier) else { return nil }
        rules[identifier] = loaded
        return loaded
    }
}
