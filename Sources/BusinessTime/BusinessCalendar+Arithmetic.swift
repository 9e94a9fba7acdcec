import DocketTime

extension BusinessCalendar {
    private static let millisecondsPerWeek: Int64 = 7 * 86_400_000

    // MARK: - Adding business time

    /// The instant at which `businessSeconds` of business time have run, counting from `start`.
    ///
    /// Convention 1 (deadline on a closing time): when the amount runs out exactly at a closing time, the result
    /// is that closing instant, not the next opening. Convention 2 (zero): adding zero returns `start` when the
    /// calendar is open then, else the next opening. In general: move to `nextOpening(atOrAfter: start)`, then
    /// stop as soon as the amount has run. Negative amounts count as zero; amounts above
    /// `maximumBusinessSeconds` are clamped to it.
    public func add(businessSeconds: Int64, to start: Timestamp) -> Timestamp {
        add(businessMilliseconds: min(max(businessSeconds, 0), Self.maximumBusinessSeconds) * 1000, to: start)
    }

    /// `add(businessSeconds: businessMinutes * 60, to: start)`.
    public func add(businessMinutes: Int64, to start: Timestamp) -> Timestamp {
        add(businessSeconds: min(max(businessMinutes, 0), Self.maximumBusinessSeconds / 60) * 60, to: start)
    }

    /// `add(businessSeconds:to:)` with millisecond precision.
    public func add(businessMilliseconds: Int64, to start: Timestamp) -> Timestamp {
        let amount = min(max(businessMilliseconds, 0), Self.maximumBusinessSeconds * 1000)
        var walker = IntervalWalker(self, from: start.millisecondsSinceEpoch)
        if amount == 0 { return Timestamp(millisecondsSinceEpoch: walker.next().start) }
        var remaining = amount
        while true {
            while let interval = walker.nextInDay() {
                let available = interval.end - interval.start
                if available >= remaining { return Timestamp(millisecondsSinceEpoch: interval.start + remaining) }
                remaining -= available
            }
            walker.advanceDay()
            if remaining > weeklyMilliseconds {
                remaining -= walker.skipWeeks(upTo: (remaining - 1) / weeklyMilliseconds) * weeklyMilliseconds
            }
            remaining -= walker.skipDays(until: .max, below: remaining)
        }
    }

    // MARK: - Measuring business time

    /// Whole seconds of business time in `[from, to)` (rounded down); 0 when `to <= from`.
    public func businessSeconds(from: Timestamp, to: Timestamp) -> Int64 {
        ZoneRules.floorDivide(businessMilliseconds(from: from, to: to), 1000)
    }

    /// Milliseconds of business time in `[from, to)`; 0 when `to <= from`.
    public func businessMilliseconds(from: Timestamp, to: Timestamp) -> Int64 {
        let end = to.millisecondsSinceEpoch
        guard end > from.millisecondsSinceEpoch else { return 0 }
        var walker = IntervalWalker(self, from: from.millisecondsSinceEpoch)
        var total: Int64 = 0
        while true {
            while let interval = walker.nextInDay() {
                if interval.start >= end { return total }
                total += min(interval.end, end) - interval.start
                if interval.end >= end { return total }
            }
            walker.advanceDay()
            if let origin = walker.regularOrigin {
                if origin >= end { return total }
                let weeks = walker.skipWeeks(upTo: (end - origin) / Self.millisecondsPerWeek)
                total += weeks * weeklyMilliseconds
                total += walker.skipDays(until: end, below: .max)
            }
        }
    }

    /// `businessMilliseconds(from:to:)`, and for each of `amounts` that is in `1...` that total (and not above
    /// `maximumBusinessSeconds`), the instant `add(businessMilliseconds: amount, to: from)` written to `instants` at
    /// its index (nil for the others; `instants` is as long as `amounts`): what an SLA clock needs when a running
    /// stretch ends (its business time and the instants of the thresholds it crossed), in one walk instead of one per
    /// threshold. The answers are those of the two functions: the same walk, with whole weeks skipped only short of
    /// the next amount to place. Buffers rather than arrays, so that a clock's close allocates nothing for them.
    public func businessMilliseconds(
        from: Timestamp, to: Timestamp, placing amounts: UnsafeBufferPointer<Int64>,
        into instants: UnsafeMutableBufferPointer<Timestamp?>
    ) -> Int64 {
        precondition(instants.count == amounts.count, "an instant for each amount")
        instants.initialize(repeating: nil)
        let end = to.millisecondsSinceEpoch
        guard end > from.millisecondsSinceEpoch else { return 0 }
        if let total = regularMilliseconds(from: from.millisecondsSinceEpoch, to: end, placing: amounts, into: instants) {
            return total
        }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: amounts.count) { slots in
            // The amounts to place, smallest first (each ≥ 1: the instant at which a zero amount has run is not in a
            // walk). (`add` clamps an amount above `maximumBusinessSeconds`: such an amount is left to it.)
            let count = Self.placingOrder(of: amounts, upTo: Self.maximumBusinessSeconds * 1000, into: slots)
            let order = UnsafeBufferPointer(rebasing: slots[..<count])
            var next = 0
            var walker = IntervalWalker(self, from: from.millisecondsSinceEpoch)
            var total: Int64 = 0
            walk: while true {
                while let interval = walker.nextInDay() {
                    if interval.start >= end { break walk }
                    let available = min(interval.end, end) - interval.start
                    // An amount runs out in this interval (or at its end: a deadline on a closing time is that instant).
                    while next < order.count, amounts[order[next]] - total <= available {
                        instants[order[next]] = Timestamp(millisecondsSinceEpoch: interval.start + amounts[order[next]] - total)
                        next += 1
                    }
                    total += available
                    if interval.end >= end { break walk }
                }
                walker.advanceDay()
                if let origin = walker.regularOrigin {
                    if origin >= end { break walk }
                    var weeks = (end - origin) / Self.millisecondsPerWeek
                    if next < order.count { weeks = min(weeks, (amounts[order[next]] - total - 1) / weeklyMilliseconds) }
                    total += walker.skipWeeks(upTo: weeks) * weeklyMilliseconds
                    total += walker.skipDays(until: end, below: next < order.count ? amounts[order[next]] - total : .max)
                }
            }
            return total
        }
    }

    /// Writes to `order` the indexes of `amounts` in `1...limit`, smallest amount first (equal ones in index order:
    /// sorted by insertion, for a handful of thresholds), and returns how many there are.
    static func placingOrder(of amounts: UnsafeBufferPointer<Int64>, upTo limit: Int64, into order: UnsafeMutableBufferPointer<Int>) -> Int {
        var count = 0
        for index in amounts.indices where amounts[index] > 0 && amounts[index] <= limit {
            var place = count
            while place > 0, amounts[order[place - 1]] > amounts[index] {
                order[place] = order[place - 1]
                place -= 1
            }
            order[place] = index
            count += 1
        }
        return count
    }

    /// `businessMilliseconds(from:to:placing:into:)` worked out rather than walked, when every local day from the one
    /// holding `from` to the one holding `end` reads with one offset (an SLA clock's stretch, nearly always): those
    /// days' intervals are their slots — a holiday's or replaced day's, else their weekday's — all shifted by that one
    /// offset, so the business time up to an instant is whole weeks, whole days (the special days among them counted
    /// with their own slots) and the part of its own day, and an amount runs out in the first day and slot at which
    /// that sum reaches it (at a closing when it reaches it there, as the walk places it). Nil when a day is not
    /// regular: the walk answers then. A walk of the days cost ~2,800 instructions a closed clock, most of a ticket's
    /// fold.
    func regularMilliseconds(
        from: Int64, to end: Int64, placing amounts: UnsafeBufferPointer<Int64>, into instants: UnsafeMutableBufferPointer<Timestamp?>
    ) -> Int64? {
        guard let (firstDay, stretch) = zone.regularDay(containing: from) else { return nil }
        // Local milliseconds: an instant plus the offset; day `d` is `[d, d + 1)` × 86,400,000 of them.
        let shift = stretch.offset * 1000
        let lastDay = ZoneRules.floorDivide(end + shift, 86_400_000)
        guard lastDay <= stretch.lastDay else { return nil }
        let specialDays = self.specialDays
        let firstSpecial = nextSpecialDay(atOrAfter: firstDay).index
        let firstWeekday = Self.weekdayIndex(firstDay)
        // The whole days before the last one, each special one with its own slots.
        var wholeDays = wholeDays(lastDay - firstDay, from: firstWeekday)
        var lastSpecial = firstSpecial
        while lastSpecial < specialDays.count, specialDays[lastSpecial] < lastDay {
            wholeDays -=
                days.dailyMilliseconds(Self.weekdayIndex(specialDays[lastSpecial])) - DayTable.total(days.special(lastSpecial))
            lastSpecial += 1
        }
        // Business milliseconds from the first day's midnight to `from`, and to `end`.
        let before = DayTable.elapsed(
            slots(ofDay: firstDay, weekday: firstWeekday, special: firstSpecial, in: specialDays),
            at: from + shift - firstDay * 86_400_000)
        let upToEnd =
            wholeDays
            + DayTable.elapsed(
                slots(ofDay: lastDay, weekday: Self.weekdayIndex(lastDay), special: lastSpecial, in: specialDays),
                at: end + shift - lastDay * 86_400_000)
        let total = upToEnd - before
        // The amounts the span holds, smallest first, each placed from where the one before it was (a handful of
        // thresholds, sorted by insertion; placed from the first day each, they cost ~280 instructions apiece).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: amounts.count) { order in
            let count = Self.placingOrder(of: amounts, upTo: min(Self.maximumBusinessSeconds * 1000, total), into: order)
            var cursor = PlacingCursor(day: firstDay, weekday: firstWeekday, special: firstSpecial, consumed: 0)
            for index in order[..<count] {
                let local = reaching(before + amounts[index], from: &cursor, in: specialDays)
                instants[index] = Timestamp(millisecondsSinceEpoch: local - shift)
            }
        }
        return total
    }

    /// Where `reaching` stands: the midnight of regular day `day` (of weekday `weekday`; `special` the index in
    /// `specialDays` of the first special day at or after it), `consumed` business milliseconds after the span's
    /// first midnight.
    private struct PlacingCursor {
        var day: Int64
        var weekday: Int
        var special: Int
        var consumed: Int64
    }

    /// The slots of `day` (of weekday `weekday`): those of the special day at `special` in `specialDays` (the first at
    /// or after `day`) when it is that day, else its weekday's.
    private func slots(ofDay day: Int64, weekday: Int, special: Int, in specialDays: [Int64]) -> UnsafeBufferPointer<DayTable.Slot> {
        special < specialDays.count && specialDays[special] == day ? days.special(special) : days.weekday(weekday)
    }

    /// Business milliseconds of `count` days from one of weekday `weekday` (Monday-based), each with its weekday's.
    private func wholeDays(_ count: Int64, from weekday: Int) -> Int64 {
        var total = count / 7 * weeklyMilliseconds
        var day = weekday
        for _ in 0..<(count % 7) {
            total += days.dailyMilliseconds(day)
            day = day == 6 ? 0 : day + 1
        }
        return total
    }

    /// The local instant (milliseconds, see `regularMilliseconds`) at which `amount` (more than `cursor.consumed`, and
    /// reached) business milliseconds have run from the span's first midnight: the first at which they have. The
    /// cursor moves to the midnight of the day it falls in (a larger amount falls there or later).
    private func reaching(_ amount: Int64, from cursor: inout PlacingCursor, in specialDays: [Int64]) -> Int64 {
        while true {
            let nextSpecial = cursor.special < specialDays.count ? specialDays[cursor.special] : Int64.max
            // Whole weeks before the next special day, leaving 1 to a week's worth.
            if amount - cursor.consumed > weeklyMilliseconds, nextSpecial == .max || nextSpecial - cursor.day >= 7 {
                let plainWeeks = nextSpecial == .max ? Int64.max : (nextSpecial - cursor.day) / 7
                let weeks = min((amount - cursor.consumed - 1) / weeklyMilliseconds, plainWeeks)
                cursor.day += weeks * 7
                cursor.consumed += weeks * weeklyMilliseconds
            }
            let isSpecial = cursor.day == nextSpecial
            let slots = isSpecial ? days.special(cursor.special) : days.weekday(cursor.weekday)
            let total = isSpecial ? DayTable.total(slots) : days.dailyMilliseconds(cursor.weekday)
            var remaining = amount - cursor.consumed
            if remaining <= total {
                for slot in slots {
                    if remaining <= slot.close - slot.open { return cursor.day * 86_400_000 + slot.open + remaining }
                    remaining -= slot.close - slot.open
                }
            }
            cursor.consumed += total
            if isSpecial { cursor.special += 1 }
            cursor.day += 1
            cursor.weekday = cursor.weekday == 6 ? 0 : cursor.weekday + 1
        }
    }

    // MARK: - Openings

    /// Whether `instant` is business time (slots are `[open, close)`: open at the opening, closed at the closing).
    public func isOpen(at instant: Timestamp) -> Bool {
        var walker = IntervalWalker(self, from: instant.millisecondsSinceEpoch)
        return walker.nextInDay()?.start == instant.millisecondsSinceEpoch
    }

    /// `instant` itself when the calendar is open then, else the next instant at which it opens.
    public func nextOpening(atOrAfter instant: Timestamp) -> Timestamp {
        var walker = IntervalWalker(self, from: instant.millisecondsSinceEpoch)
        return Timestamp(millisecondsSinceEpoch: walker.next().start)
    }

    /// The business intervals within `[from, to)`, in order and clipped to it, one per slot and local day (a
    /// deadline can be explained line by line from them). Empty when `to <= from`.
    public func intervals(from: Timestamp, to: Timestamp) -> [BusinessInterval] {
        let end = to.millisecondsSinceEpoch
        guard end > from.millisecondsSinceEpoch else { return [] }
        var walker = IntervalWalker(self, from: from.millisecondsSinceEpoch)
        var result: [BusinessInterval] = []
        while true {
            let interval = walker.next()
            if interval.start >= end { return result }
            result.append(
                BusinessInterval(
                    start: Timestamp(millisecondsSinceEpoch: interval.start),
                    end: Timestamp(millisecondsSinceEpoch: min(interval.end, end)),
                    date: LocalDate(daysSinceEpoch: interval.day)))
            if interval.end >= end { return result }
        }
    }

    // MARK: - Local time

    /// The instant at which the calendar's wall clock reads `time` on `date` (`24:00` is the next midnight).
    ///
    /// A time that happens twice (clock set back) means its first occurrence; a time that never happens (clock
    /// set forward) moves forward by the length of the skip, so 02:30 on a spring-forward night is 03:30.
    public func instant(on date: LocalDate, at time: TimeOfDay) -> Timestamp {
        let local = date.daysSinceEpoch * 86_400 + Int64(time.minutesSinceMidnight) * 60
        return Timestamp(millisecondsSinceEpoch: zone.resolve(local: local) * 1000)
    }

    /// The local date whose day holds `instant` (its business hours are the ones that apply then).
    public func localDate(containing instant: Timestamp) -> LocalDate {
        LocalDate(daysSinceEpoch: day(containing: instant.millisecondsSinceEpoch))
    }
}
