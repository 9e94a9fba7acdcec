import BusinessTime
import DocketTime
import Testing

/// Seeded random instants and amounts: `add` and `businessSeconds` must agree with each other and with the
/// intervals they are built on.
@Suite struct PropertyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var make: @Sendable () throws -> BusinessCalendar
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "New York office hours with holidays") {
            try officeHours(
                "America/New_York", holidays: ["2026-01-19", "2026-11-26", "2026-12-25", "2027-01-01"],
                replacements: ["2026-12-24": [("09:00", "13:00")], "2026-03-07": [("10:00", "14:00")]])
        },
        Case(name: "Berlin split days and a late Sunday") {
            let split = [("08:00", "12:00"), ("13:00", "17:30")]
            return try makeCalendar(
                "Europe/Berlin",
                [
                    .mon: split, .tue: split, .wed: split, .thu: split, .fri: split,
                    .sun: [("00:00", "03:00"), ("20:00", "24:00")],
                ],
                holidays: ["2026-10-25", "2027-03-28"])
        },
        Case(name: "New York round the clock") { try roundTheClock("America/New_York") },
        Case(name: "Sao Paulo, changes at midnight") {
            try makeCalendar(
                "America/Sao_Paulo",
                Dictionary(
                    uniqueKeysWithValues: Weekday.allCases.map { ($0, [("00:00", "01:30"), ("07:00", "24:00")]) }))
        },
        Case(name: "Lord Howe, half-hour changes") {
            try makeCalendar("Australia/Lord_Howe", [.sun: [("01:00", "03:00")], .sat: [("00:00", "24:00")]])
        },
        Case(name: "24/7 UTC") { BusinessCalendar.twentyFourSeven },
    ]

    /// Random instants between 2014 and 2028, with milliseconds.
    static func randomInstant(_ generator: inout SeededGenerator) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: Int64.random(in: 1_388_534_400_000...1_830_297_600_000, using: &generator))
    }

    @Test(arguments: cases)
    func addThenMeasureGivesTheAmountBack(_ setting: Case) throws {
        let calendar = try setting.make()
        var generator = SeededGenerator(seed: 0xB05)
        for _ in 0..<400 {
            let start = Self.randomInstant(&generator)
            let amount = Int64.random(in: 0...(400 * 3600), using: &generator)
            let due = calendar.add(businessSeconds: amount, to: start)
            #expect(due >= start)
            #expect(calendar.businessMilliseconds(from: start, to: due) == amount * 1000, "\(start) + \(amount)s")
            if amount > 0 {
                // The deadline is the first instant at which the amount has run.
                let justBefore = Timestamp(millisecondsSinceEpoch: due.millisecondsSinceEpoch - 1)
                #expect(calendar.businessMilliseconds(from: start, to: justBefore) == amount * 1000 - 1)
            } else {
                #expect(due == calendar.nextOpening(atOrAfter: start))
            }
        }
    }

    @Test(arguments: cases)
    func measureThenAddLandsAtOrBeforeTheEnd(_ setting: Case) throws {
        let calendar = try setting.make()
        var generator = SeededGenerator(seed: 0xD0C3)
        for _ in 0..<400 {
            let a = Self.randomInstant(&generator)
            let b = Timestamp(
                millisecondsSinceEpoch: a.millisecondsSinceEpoch
                    + Int64.random(in: 0...(40 * 86_400_000), using: &generator))
            let measured = calendar.businessMilliseconds(from: a, to: b)
            let back = calendar.add(businessMilliseconds: measured, to: a)
            #expect(calendar.businessMilliseconds(from: a, to: back) == measured)
            // b's equivalent point: b itself, or the next opening when b is outside hours.
            #expect(back <= calendar.nextOpening(atOrAfter: b), "\(a) → \(b)")
            if measured > 0 { #expect(back <= b) }
            #expect(calendar.businessSeconds(from: a, to: b) == measured / 1000)
        }
    }

    @Test(arguments: cases)
    func measuringIsAdditiveAndMatchesTheIntervals(_ setting: Case) throws {
        let calendar = try setting.make()
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<150 {
            var points = (0..<3).map { _ in Self.randomInstant(&generator) }
            points[2] = Timestamp(
                millisecondsSinceEpoch: points[0].millisecondsSinceEpoch
                    + Int64.random(in: 0...(120 * 86_400_000), using: &generator))
            points[1] = Timestamp(
                millisecondsSinceEpoch: points[0].millisecondsSinceEpoch
                    + Int64.random(
                        in: 0...(points[2].millisecondsSinceEpoch - points[0].millisecondsSinceEpoch), using: &generator
                    ))
            let (a, b, c) = (points[0], points[1], points[2])
            let whole = calendar.businessMilliseconds(from: a, to: c)
            #expect(
                whole == calendar.businessMilliseconds(from: a, to: b) + calendar.businessMilliseconds(from: b, to: c))

            // The listed intervals (walked day by day, never skipping weeks) add up to the same total.
            let intervals = calendar.intervals(from: a, to: c)
            #expect(intervals.reduce(0) { $0 + $1.milliseconds } == whole)
            for (earlier, later) in zip(intervals, intervals.dropFirst()) {
                #expect(earlier.end <= later.start)
                #expect(earlier.date <= later.date)
            }
            for interval in intervals {
                #expect(interval.start < interval.end)
                #expect(calendar.isOpen(at: interval.start))
                #expect(calendar.isOpen(at: Timestamp(millisecondsSinceEpoch: interval.end.millisecondsSinceEpoch - 1)))
                #expect(calendar.localDate(containing: interval.start) == interval.date)
            }
        }
    }

    @Test(arguments: cases)
    func addIsMonotonic(_ setting: Case) throws {
        let calendar = try setting.make()
        var generator = SeededGenerator(seed: 0x7)
        for _ in 0..<200 {
            let start = Self.randomInstant(&generator)
            let first = Int64.random(in: 0...(200 * 3600), using: &generator)
            let second = first + Int64.random(in: 0...(200 * 3600), using: &generator)
            #expect(calendar.add(businessSeconds: first, to: start) <= calendar.add(businessSeconds: second, to: start))
            // Adding in two steps is adding once, when the first step ends in business time.
            let midway = calendar.add(businessSeconds: first, to: start)
            if first > 0, calendar.isOpen(at: midway) {
                #expect(
                    calendar.add(businessSeconds: second - first, to: midway)
                        == calendar.add(businessSeconds: second, to: start))
            }
        }
    }

    /// One walk that measures a span and places amounts in it answers what `businessMilliseconds` and `add` answer
    /// (spans up to ten weeks, so whole weeks are skipped; amounts inside, at the ends of and beyond the span).
    @Test(arguments: cases)
    func measuringAndPlacingInOneWalkAgreesWithBoth(_ setting: Case) throws {
        let calendar = try setting.make()
        var generator = SeededGenerator(seed: 0x5A1C)
        for _ in 0..<300 {
            let from = Self.randomInstant(&generator)
            let to = Timestamp(
                millisecondsSinceEpoch: from.millisecondsSinceEpoch + Int64.random(in: -86_400_000...(70 * 86_400_000), using: &generator))
            let measured = calendar.businessMilliseconds(from: from, to: to)
            var amounts = (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                Int64.random(in: -1_000...(measured + 7 * 86_400_000), using: &generator)
            }
            amounts += [0, 1, measured, measured + 1, measured - 1, measured / 2]
            amounts.shuffle(using: &generator)
            var instants = [Timestamp?](repeating: Timestamp(millisecondsSinceEpoch: 0), count: amounts.count)
            let total = amounts.withUnsafeBufferPointer { amounts in
                instants.withUnsafeMutableBufferPointer { calendar.businessMilliseconds(from: from, to: to, placing: amounts, into: $0) }
            }
            #expect(total == measured, "\(from) to \(to)")
            for (amount, instant) in zip(amounts, instants) {
                if amount >= 1, amount <= measured {
                    #expect(instant == calendar.add(businessMilliseconds: amount, to: from), "\(from) + \(amount) ms")
                } else {
                    #expect(instant == nil, "\(from) + \(amount) ms of \(measured)")
                }
            }
        }
    }

    /// Whole days are skipped without a look at their slots (`IntervalWalker.skipDays`): amounts that run out at a
    /// closing time, a millisecond before or after one, and spans that end at a closing, an opening or a local midnight
    /// must land where the day-by-day intervals say (convention 1: an amount that runs out at a closing is that
    /// closing). Spans of up to three weeks, so most days are skipped whole.
    @Test(arguments: cases)
    func skippedDaysAgreeWithTheDayByDayIntervals(_ setting: Case) throws {
        let calendar = try setting.make()
        var generator = SeededGenerator(seed: 0xDA75)
        for _ in 0..<60 {
            let from = Self.randomInstant(&generator)
            let horizon = Timestamp(millisecondsSinceEpoch: from.millisecondsSinceEpoch + 21 * 86_400_000)
            let intervals = calendar.intervals(from: from, to: horizon)
            var before: Int64 = 0
            for (place, interval) in intervals.enumerated() {
                let after = before + interval.milliseconds
                let nextStart = place + 1 < intervals.count ? intervals[place + 1].start : nil
                // Measured to the closing, to the next opening and to the next local midnight.
                #expect(calendar.businessMilliseconds(from: from, to: interval.end) == after, "\(from) to \(interval.end)")
                if let nextStart { #expect(calendar.businessMilliseconds(from: from, to: nextStart) == after) }
                let midnight = calendar.instant(on: interval.date.adding(days: 1), at: .startOfDay)
                if midnight <= horizon, midnight >= interval.end, nextStart.map({ $0 >= midnight }) ?? true {
                    #expect(calendar.businessMilliseconds(from: from, to: midnight) == after, "\(from) to \(midnight)")
                }
                // Added: at the closing, a millisecond before it, a millisecond into the next opening.
                #expect(calendar.add(businessMilliseconds: after, to: from) == interval.end, "\(from) + \(after) ms")
                if interval.milliseconds > 1 {
                    #expect(
                        calendar.add(businessMilliseconds: after - 1, to: from)
                            == Timestamp(millisecondsSinceEpoch: interval.end.millisecondsSinceEpoch - 1))
                }
                if let nextStart {
                    #expect(
                        calendar.add(businessMilliseconds: after + 1, to: from)
                            == Timestamp(millisecondsSinceEpoch: nextStart.millisecondsSinceEpoch + 1))
                }
                // Placed in one walk to the horizon.
                let amounts: [Int64] = [after, after - 1, after + 1]
                var instants = [Timestamp?](repeating: nil, count: amounts.count)
                let measured = amounts.withUnsafeBufferPointer { amounts in
                    instants.withUnsafeMutableBufferPointer { calendar.businessMilliseconds(from: from, to: horizon, placing: amounts, into: $0) }
                }
                #expect(measured == intervals.reduce(0) { $0 + $1.milliseconds })
                #expect(instants[0] == interval.end, "\(from) + \(after) ms placed")
                if interval.milliseconds > 1 { #expect(instants[1] == Timestamp(millisecondsSinceEpoch: interval.end.millisecondsSinceEpoch - 1)) }
                if let nextStart { #expect(instants[2] == Timestamp(millisecondsSinceEpoch: nextStart.millisecondsSinceEpoch + 1)) }
                before = after
            }
        }
    }

    /// A span's business time and instants worked out without a walk (`regularMilliseconds`: days of one offset, none
    /// special) are the walk's: spans from a few hours to three weeks that end at a closing, at the next opening, at a
    /// local midnight or inside a slot, with amounts that run out at each closing of the span, a millisecond either
    /// side, and the whole span, many of them over holidays and replaced days; `businessMilliseconds(from:to:)` and
    /// `add` walk the days.
    @Test(arguments: cases)
    func workedOutSpansAgreeWithTheWalk(_ setting: Case) throws {
        let calendar = try setting.make()
        var generator = SeededGenerator(seed: 0xF01D)
        for round in 0..<160 {
            // Half of them in 2026, among the holidays and replaced days of the cases.
            let from =
                round % 2 == 0
                ? Self.randomInstant(&generator)
                : Timestamp(millisecondsSinceEpoch: Int64.random(in: 1_767_225_600_000...1_798_761_600_000, using: &generator))
            let horizon = Timestamp(
                millisecondsSinceEpoch: from.millisecondsSinceEpoch + Int64.random(in: 3_600_000...(21 * 86_400_000), using: &generator))
            let intervals = calendar.intervals(from: from, to: horizon)
            var ends = [horizon]
            if let last = intervals.last {
                ends += [last.end, Timestamp(millisecondsSinceEpoch: (last.start.millisecondsSinceEpoch + last.end.millisecondsSinceEpoch) / 2)]
                ends.append(calendar.instant(on: last.date.adding(days: 1), at: .startOfDay))
            }
            if intervals.count > 1 { ends.append(intervals[intervals.count - 1].start) }
            for to in ends {
                let measured = calendar.businessMilliseconds(from: from, to: to)
                var amounts: [Int64] = [measured, measured - 1, measured + 1, 1]
                var closed: Int64 = 0
                for interval in intervals where interval.end <= to {
                    closed += interval.milliseconds
                    amounts += [closed - 1, closed, closed + 1]
                }
                var instants = [Timestamp?](repeating: nil, count: amounts.count)
                let total = amounts.withUnsafeBufferPointer { amounts in
                    instants.withUnsafeMutableBufferPointer { calendar.businessMilliseconds(from: from, to: to, placing: amounts, into: $0) }
                }
                #expect(total == measured, "\(from) to \(to)")
                for (amount, instant) in zip(amounts, instants) {
                    let expected = amount >= 1 && amount <= measured ? calendar.add(businessMilliseconds: amount, to: from) : nil
                    #expect(instant == expected, "\(from) to \(to): \(amount) ms")
                }
            }
        }
    }
}
