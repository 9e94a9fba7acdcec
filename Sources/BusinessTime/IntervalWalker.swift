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
    /// The calendar's slots and daily totals (valid while `calendar` is held).
    private let days: DayTable
    /// The local day being walked (days since 1970-01-01).
    private(set) var day: Int64
    /// Nothing before this instant is handed out.
    private var cursor: Int64
    /// The day's slots, once loaded (`isLoaded`): a day is loaded when its intervals are first asked for, so a day
    /// moved past at once (`skipDays` and `skipWeeks` after `advanceDay`) is never loaded.
    private var slots = UnsafeBufferPointer<DayTable.Slot>(start: nil, count: 0)
    private var isLoaded = false
    private var index = 0
    /// The instant of the day's midnight when the whole day reads with one offset (the common, fast case).
    private(set) var regularOrigin: Int64?
    /// The day's intervals, resolved one by one, when a clock change is near (its storage kept from day to day).
    private var resolved: [(start: Int64, end: Int64)] = []
    /// One offset that holds for every day up to `stretch.lastDay`.
    private var stretch: (offset: Int64, lastDay: Int64)?
    /// The first holiday or replaced day at or after the day walked (`Int64.max` when none) and its index in the
    /// calendar's special days: the days before it have their weekday's hours, found without searching the special
    /// days again.
    private var nextSpecialDay = Int64.min
    private var nextSpecialIndex = 0

    /// A walk that starts at `instant`, in the local day whose window holds it.
    init(_ calendar: BusinessCalendar, from instant: Int64) {
        self.calendar = calendar
        self.days = calendar.days
        self.cursor = instant
        if let (day, stretch) = calendar.zone.regularDay(containing: instant) {
            self.day = day
            self.stretch = stretch
        } else {
            self.day = calendar.day(containing: instant)
        }
        enter()
    }

    /// The next interval of the current day, or nil when the day has no more.
    mutating func nextInDay() -> Interval? {
        if !isLoaded { load() }
        if let origin = regularOrigin {
            while index < slots.count {
                let slot = slots[index]
                index += 1
                let end = origin + slot.close
                if end <= cursor { continue }
                let start = max(origin + slot.open, cursor)
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
        enter()
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
        enter()
        return weeks
    }

    /// At the start of a day: skips the whole days, one by one, whose windows end at or before `end`, that read with one
    /// offset and are neither holidays nor replaced, as long as their business time stays below `budget` (a day whose
    /// business time reaches it is walked slot by slot: the amount runs out in it or at its last closing). Returns the
    /// business milliseconds skipped: each skipped day's weekday hours, without a look at its slots. Most stretches an
    /// SLA clock closes span days rather than weeks, and loading each day's slots was most of their walk.
    mutating func skipDays(until end: Int64, below budget: Int64) -> Int64 {
        guard index == 0, let stretch, var origin = regularOrigin else { return 0 }
        var next = day
        var skipped: Int64 = 0
        while next < nextSpecialDay, next <= stretch.lastDay, origin <= end - 86_400_000 {
            let milliseconds = days.dailyMilliseconds(BusinessCalendar.weekdayIndex(next))
            guard milliseconds < budget - skipped else { break }
            skipped += milliseconds
            next += 1
            origin += 86_400_000
        }
        guard next != day else { return 0 }
        day = next
        enter()
        return skipped
    }

    /// Moves to the start of `day` (set by the caller): its offset, where its special days stand; its slots are
    /// loaded when they are read (`load`).
    private mutating func enter() {
        index = 0
        isLoaded = false
        if nextSpecialDay < day { (nextSpecialDay, nextSpecialIndex) = calendar.nextSpecialDay(atOrAfter: day) }
        if let known = stretch, day <= known.lastDay {
        } else {
            stretch = calendar.zone.regularStretch(forDay: day)
        }
        if let stretch {
            regularOrigin = (day * 86_400 - stretch.offset) * 1000
        } else {
            regularOrigin = nil
        }
    }

    /// Loads the day's slots, and resolves them one by one when the day is near a clock change.
    private mutating func load() {
        slots = day == nextSpecialDay ? days.special(nextSpecialIndex) : days.weekday(BusinessCalendar.weekdayIndex(day))
        if regularOrigin == nil { calendar.resolveIntervals(day: day, slots: slots, into: &resolved) }
        isLoaded = true
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

    /// The intervals of `day` (its `slots`), each end resolved on its own, clipped to the day's window and to the slot
    /// before, in place of `intervals`.
    func resolveIntervals(day: Int64, slots: UnsafeBufferPointer<DayTable.Slot>, into intervals: inout [(start: Int64, end: Int64)]) {
        intervals.removeAll(keepingCapacity: true)
        let midnight = day * 86_400
        let table = zone.table(around: midnight)
        // Every time of the day is at or after `midnight`: its segments are found from those of midnight's.
        let hint = table.segment(containing: midnight - OffsetTable.margin)
        let windowEnd = table.resolve(local: midnight + 86_400, from: hint) * 1000
        var floor = table.resolve(local: midnight, from: hint) * 1000
        for slot in slots {
            let start = max(table.resolve(local: midnight + slot.open / 1000, from: hint) * 1000, floor)
            let end = min(table.resolve(local: midnight + slot.close / 1000, from: hint) * 1000, windowEnd)
            if start < end {
                intervals.append((start, end))
                floor = end
            }
        }
    }
}
