/// Walks the business intervals of a calendar forward in time, one local day after another.
///
/// Each local day D owns the instants from its midnight to the next one (its window). Its slots are turned into
/// instants (with the DST rules of `OffsetTable.resolve(local:)`), clipped to the window and to the end of the
/// slot before, so the intervals of all days are disjoint and increasing. Intervals are also clipped to start
/// no earlier than `cursor`, which is where the walk began or the end of the last interval handed out.
/// All instants are milliseconds since the epoch.
struct IntervalWalker {
    /// One business interval `[start, end)` and the local date it belongs to.
    struct Interval {
        var start: Int64
        var end: Int64
        var day: Int64
    }

    private let calendar: BusinessCalendar
    /// The local day being walked (days since 1970-01-01).
    private(set) var day: Int64
    /// Nothing before this instant is handed out.
    private var cursor: Int64
    private var slots: [BusinessSlot] = []
    private var index = 0
    /// The instant of the day's midnight when the whole day reads with one offset (the common, fast case).
    private(set) var regularOrigin: Int64?
    /// The day's intervals, resolved one by one, when a clock change is near.
    private var resolved: [(start: Int64, end: Int64)] = []
    /// One offset that holds for every day up to `stretch.lastDay`.
    private var stretch: (offset: Int64, lastDay: Int64)?
    /// The first holiday or replaced day at or after the last one loaded (`Int64.max` when none): the days before it
    /// have their weekday's hours, found without searching the special days again.
    private var nextSpecialDay = Int64.min

    /// A walk that starts at `instant`, in the local day whose window holds it.
    init(_ calendar: BusinessCalendar, from instant: Int64) {
        self.calendar = calendar
        self.day = calendar.day(containing: instant)
        self.cursor = instant
        load()
    }

    /// The next interval of the current day, or nil when the day has no more.
    mutating func nextInDay() -> Interval? {
        if let origin = regularOrigin {
            while index < slots.count {
                let slot = slots[index]
                index += 1
                let end = origin + Int64(slot.close.minutesSinceMidnight) * 60_000
                if end <= cursor { continue }
                let start = max(origin + Int64(slot.open.minutesSinceMidnight) * 60_000, cursor)
                cursor = end
                return Interval(start: start, end: end, day: day)
            }
        } else {
            while index < resolved.count {
                let (start, end) = resolved[index]
                index += 1
                if end <= cursor { continue }
                let clipped = max(start, cursor)
                cursor = end
                return Interval(start: clipped, end: end, day: day)
            }
        }
        return nil
    }

    /// The next interval, on whichever day it falls. The validated weekly hours guarantee there is one.
    mutating func next() -> Interval {
        while true {
            if let interval = nextInDay() { return interval }
            advanceDay()
        }
    }

    /// Moves to the start of the next local day.
    mutating func advanceDay() {
        day += 1
        load()
    }

    /// At the start of a day: skips up to `limit` whole weeks whose days all read with one offset and hold no
    /// holiday or replaced date, so each holds exactly the nominal weekly business time. Returns the weeks skipped.
    mutating func skipWeeks(upTo limit: Int64) -> Int64 {
        guard limit > 0, index == 0, let stretch else { return 0 }
        let regularWeeks = (stretch.lastDay - day + 1) / 7
        let plainWeeks = (nextSpecialDay - day) / 7
        let weeks = min(limit, regularWeeks, plainWeeks)
        guard weeks > 0 else { return 0 }
        day += weeks * 7
        load()
        return weeks
    }

    /// At the start of a day: skips the whole days, one by one, whose windows end at or before `end`, that read with one
    /// offset and are neither holidays nor replaced, as long as their business time stays below `budget` (a day whose
    /// business time reaches it is walked slot by slot: the amount runs out in it or at its last closing). Returns the
    /// business milliseconds skipped: each skipped day's weekday hours, without a look at its slots. Most stretches an
    /// SLA clock closes span days rather than weeks, and loading each day's slots was most of their walk.
    mutating func skipDays(until end: Int64, below budget: Int64) -> Int64 {
        guard index == 0, let stretch, var origin = regularOrigin else { return 0 }
        let daily = calendar.dailyMilliseconds
        var next = day
        var skipped: Int64 = 0
        while next < nextSpecialDay, next <= stretch.lastDay, origin <= end - 86_400_000 {
            let milliseconds = daily[BusinessCalendar.weekdayIndex(next)]
            guard milliseconds < budget - skipped else { break }
            skipped += milliseconds
            next += 1
            origin += 86_400_000
        }
        guard next != day else { return 0 }
        day = next
        load()
        return skipped
    }

    private mutating func load() {
        if nextSpecialDay < day { nextSpecialDay = calendar.nextSpecialDay(atOrAfter: day) }
        slots = day == nextSpecialDay ? calendar.slots(forDay: day) : calendar.weeklySlots(forDay: day)
        index = 0
        if let known = stretch, day <= known.lastDay {
        } else {
            stretch = calendar.zone.regularStretch(forDay: day)
        }
        if let stretch {
            regularOrigin = (day * 86_400 - stretch.offset) * 1000
        } else {
            regularOrigin = nil
            resolved = calendar.resolvedIntervals(day: day, slots: slots)
        }
    }
}

extension BusinessCalendar {
    /// The local day (days since 1970-01-01) whose window holds `instant` (milliseconds).
    func day(containing instant: Int64) -> Int64 {
        let second = ZoneRules.floorDivide(instant, 1000)
        var day = ZoneRules.floorDivide(second + zone.offset(at: second), 86_400)
        if zone.regularStretch(forDay: day) != nil { return day }
        // Near a clock change the local date and the window can disagree (a skip across midnight):
        // settle on the window.
        while instant < zone.resolve(local: day * 86_400) * 1000 { day -= 1 }
        while instant >= zone.resolve(local: (day + 1) * 86_400) * 1000 { day += 1 }
        return day
    }

    /// The intervals of `day`, each end resolved on its own, clipped to the day's window and to the slot before.
    func resolvedIntervals(day: Int64, slots: [BusinessSlot]) -> [(start: Int64, end: Int64)] {
        let midnight = day * 86_400
        let table = zone.table(around: midnight)
        let windowEnd = table.resolve(local: midnight + 86_400) * 1000
        var floor = table.resolve(local: midnight) * 1000
        var intervals: [(start: Int64, end: Int64)] = []
        for slot in slots {
            let start = max(table.resolve(local: midnight + Int64(slot.open.minutesSinceMidnight) * 60) * 1000, floor)
            let end = min(
                table.resolve(local: midnight + Int64(slot.close.minutesSinceMidnight) * 60) * 1000, windowEnd)
            if start < end {
                intervals.append((start, end))
                floor = end
            }
        }
        return intervals
    }
}
