import BusinessTime
import DocketTime

/// A ticket's SLA: the response and resolution clocks, folded from the ticket's events in stream order.
///
/// Pure and deterministic: every answer comes from the events, their instants and the calendar frozen in
/// `ticket.sla-started`. The rules (also in `docs/sla.md`):
///
/// 1. **Start.** Both clocks start running at `startedAt` (intake) with the targets of the priority at intake.
/// 2. **Response** is met by the MSP's first public reply (every public `ticket.commented` that is neither
///    ``TicketCommented/isAutomatic`` nor ``TicketCommented/isFromClient`` counts), or when the ticket is closed or
///    merged without one. Internal comments, Docket's automatic replies (a routing rule's template) and the client's
///    own replies (a portal contact's) do not meet it.
/// 3. **Pause.** While the ticket is Waiting on client, both unmet clocks are paused. They resume when the status
///    changes to anything else, or when the ticket is reopened.
/// 4. **Resolution** is met when the ticket is closed or merged. Reopening resumes it: `metAt` is cleared and the
///    business time banked before the close is kept.
/// 5. **Priority change re-targets from that moment.** Each unmet clock gets the new priority's target measured
///    from the change instant: its banked time is reset to 0 and, if it was running, it runs from the change
///    instant. Raising the urgency never moves a deadline later: the new target is capped at the business time
///    the old one had left (the earlier of the two deadlines wins). Business time used before the change stays
///    visible in ``SLATimer/intervals``, and a breach of an earlier target stays a breach
///    (``SLATimerStatus/state``); the new target's own outcome is ``SLATimerStatus/targetState``. Met clocks keep
///    their target.
/// 6. **Business time** is measured with the frozen calendar of the priority the clock is targeting (the policy's, or
///    the priority's own: ``TicketSLAStarted/calendars``): a stretch counts that calendar's business time in
///    `[start, end)`; a deadline is the instant at which the remaining business time has run with the current
///    target's calendar (`BusinessCalendar.add`: a deadline that runs out at a closing time is that closing instant).
///    When priorities have calendars of their own, rule 5's caps compare instants, not business minutes.
/// 7. **Thresholds.** A clock reaches a threshold (a warning percentage, or 100 % = breach) at the instant its
///    used business time equals the threshold. A clock is breached when its used time reaches its target before it
///    is met, so a clock met exactly at its due instant is breached. An escalation rule fires when the response
///    clock (unmet, current priority among the rule's) has used `untouchedMinutes`. After a re-target every
///    threshold counts afresh against the new target.
public struct SLAClock: Codable, Sendable, Equatable {
    /// The frozen policy, calendar and targets.
    public let started: TicketSLAStarted
    /// The ticket's priority now.
    public private(set) var priority: Priority
    /// The response clock.
    public private(set) var response: SLATimer
    /// The resolution clock.
    public private(set) var resolution: SLATimer
    /// Whether the ticket is Waiting on client (both unmet clocks paused).
    public private(set) var isWaitingOnClient: Bool
    /// Whether the ticket is closed or merged.
    public private(set) var isClosed: Bool
    /// Thresholds crossed during finished stretches, with their exact instants (recorded or not).
    public private(set) var reached: [SLAAlarm]
    /// Thresholds recorded by `ticket.sla-warned`, `ticket.sla-breached` and `ticket.escalated`.
    public private(set) var recorded: [SLAAlarm]

    /// The policy's calendar, which measures business time for this ticket at each priority without one of its own
    /// (``TicketSLAStarted/calendars``).
    public var calendar: BusinessCalendar { started.calendar }

    /// The calendar of the priority `timer`'s current target is for (`targetPriority`): the policy's when no priority
    /// has a calendar of its own, as for every policy before per-priority calendars (then nothing else is read).
    @inline(__always)
    static func calendar(of timer: SLATimer, _ started: TicketSLAStarted) -> BusinessCalendar {
        started.calendars.isEmpty ? started.calendar : started.calendar(for: targetPriority(of: timer, started))
    }

    /// The priority `timer`'s current target is for: the one named by the last stretch that began a target (`opened`:
    /// the starting priority; `priority P4→P1…`: the one after the arrow). A met clock keeps its target through a
    /// priority change, so a resolution clock reopened after one still counts for the priority it was met under.
    static func targetPriority(of timer: SLATimer, _ started: TicketSLAStarted) -> Priority {
        for interval in timer.intervals.reversed() {
            if let priority = retargeted(interval) { return priority }
        }
        return started.priority
    }

    /// The priority a stretch re-targeted its clock for (`priority P4→P1…` → P1); nil for a stretch that began no target.
    static func retargeted(_ interval: SLAInterval) -> Priority? {
        guard interval.reason.hasPrefix("priority "), let arrow = interval.reason.firstIndex(of: "→") else { return nil }
        return Priority(rawValue: String(interval.reason[interval.reason.index(after: arrow)...].prefix(2)))
    }

    /// The clocks of a ticket whose SLA just started: both running from `startedAt`.
    ///
    /// A priority without targets (impossible in a decoded event, which requires all four) counts as a zero target.
    public static func start(_ started: TicketSLAStarted) -> SLAClock {
        let target = target(of: started.priority, in: started.targets) ?? SLATarget(responseMinutes: 0, resolutionMinutes: 0)
        func timer(_ kind: SLAClockKind) -> SLATimer {
            let seconds = Int64(target.minutes(for: kind)) * 60
            // Room for the stretch that ends this one (a reply, a pause, the close): a one-element array grew into a
            // new allocation at the first change of nearly every clock.
            var intervals: [SLAInterval] = []
            intervals.reserveCapacity(2)
            intervals.append(
                SLAInterval(
                    start: started.startedAt, end: nil, mode: .running, reason: "opened", targetSeconds: seconds,
                    countedMilliseconds: nil))
            return SLATimer(
                kind: kind, targetSeconds: seconds, bankedMilliseconds: 0, runningSince: started.startedAt, metAt: nil,
                targetSince: started.startedAt, breachedAt: nil, intervals: intervals)
        }
        return SLAClock(
            started: started, priority: started.priority, response: timer(.response), resolution: timer(.resolution),
            isWaitingOnClient: false, isClosed: false, reached: [], recorded: [])
    }

    /// `targets[priority]`, found by comparing the (four) keys by case: hashing the priority (its raw value, a
    /// string) cost more than the rest of a clock's start.
    static func target(of priority: Priority, in targets: [Priority: SLATarget]) -> SLATarget? {
        let place = priority.place
        for (key, target) in targets where key.place == place { return target }
        return nil
    }

    private init(
        started: TicketSLAStarted, priority: Priority, response: SLATimer, resolution: SLATimer,
        isWaitingOnClient: Bool, isClosed: Bool, reached: [SLAAlarm], recorded: [SLAAlarm]
    ) {
        self.started = started
        self.priority = priority
        self.response = response
        self.resolution = resolution
        self.isWaitingOnClient = isWaitingOnClient
        self.isClosed = isClosed
        self.reached = reached
        self.recorded = recorded
    }

    /// The clocks of a ticket stream: from its first `ticket.sla-started` on, every ticket and SLA event applied
    /// with its instant (the envelope's `recordedAt`). Nil when the stream has no `ticket.sla-started`.
    public static func replay(_ events: some Sequence<(event: DocketEvent, at: Timestamp)>) -> SLAClock? {
        var clock: SLAClock?
        for (event, instant) in events {
            switch event {
            case .ticketSLA(.started(let started)) where clock == nil:
                clock = start(started)
            case .ticketSLA(let e):
                clock?.apply(e, at: instant)
            case .ticket(let e):
                clock?.apply(e, at: instant)
            default:
                continue
            }
        }
        return clock
    }

    /// The clock of `kind`.
    public private(set) subscript(kind: SLAClockKind) -> SLATimer {
        get {
            switch kind {
            case .response: response
            case .resolution: resolution
            }
        }
        set {
            switch kind {
            case .response: response = newValue
            case .resolution: resolution = newValue
            }
        }
    }

    // MARK: - Folding

    /// Applies a ticket event that happened at `instant` (events must come in stream order); events that do not
    /// move a clock change nothing.
    public mutating func apply(_ event: TicketEvent, at instant: Timestamp) {
        switch event {
        case .commented(let e) where e.visibility == .public && !e.isAutomatic && !e.isFromClient:
            if !response.isMet { transition(.response, to: .met, reason: "first public reply", at: instant) }
        case .statusChanged(let e):
            if e.status == .waitingOnClient, !isWaitingOnClient {
                isWaitingOnClient = true
                transitionUnmet(to: .paused, reason: "waiting on client", at: instant)
            } else if e.status != .waitingOnClient, isWaitingOnClient {
                isWaitingOnClient = false
                transitionUnmet(to: .running, reason: "resumed", at: instant)
            }
        case .closed:
            finish(reason: "closed", at: instant)
        case .merged:
            finish(reason: "merged", at: instant)
        case .reopened:
            isClosed = false
            isWaitingOnClient = false
            // The response stays met (a close without a reply met it); an unmet paused one resumes.
            if response.isPaused { transition(.response, to: .running, reason: "reopened", at: instant) }
            if resolution.isMet || resolution.isPaused {
                transition(.resolution, to: .running, reason: "reopened", at: instant)
            }
        case .priorityChanged(let e):
            guard e.priority != priority else { return }
            let previous = priority
            let unmet = SLAClockKind.allCases.filter { !self[$0].isMet }
            let modes = unmet.map { self[$0].isRunning ? SLAIntervalMode.running : .paused }
            // Close the stretches under the old priority (its escalations count), then re-target from this instant.
            closeUnmetStretches(at: instant)
            priority = e.priority
            let target = started.targets[e.priority] ?? SLATarget(responseMinutes: 0, resolutionMinutes: 0)
            for (kind, mode) in zip(unmet, modes) {
                let old = self[kind]
                var seconds = Int64(target.minutes(for: kind)) * 60
                var reason = "priority \(previous)→\(e.priority)"
                // Raising the urgency never gives more time: the old deadline stands when it comes first, and so
                // does the earliest deadline the clock had at the new priority or a more urgent one before (P1 → P4 →
                // P1 does not start a fresh P1 target).
                if !started.calendars.isEmpty {
                    // Priorities with calendars of their own: minutes of two calendars do not compare, instants do.
                    if e.priority < previous,
                        let capped = SLAClock.cappedTarget(seconds, of: old, raisedTo: e.priority, at: instant, started: started)
                    {
                        seconds = capped
                        reason += ", earlier deadline kept"
                    }
                } else {
                    var remaining = max(0, old.targetMilliseconds - old.bankedMilliseconds) / 1000
                    if e.priority < previous,
                        let left = SLAClock.timeLeftUnderEarlierTargets(of: old, atOrAbove: e.priority, started: started)
                    {
                        remaining = min(remaining, left / 1000)
                    }
                    if e.priority < previous, remaining < seconds {
                        seconds = remaining
                        reason += ", earlier deadline kept"
                    }
                }
                self[kind].targetSeconds = seconds
                self[kind].bankedMilliseconds = 0
                // A target already used up stays breached from its breach instant; else the new target starts clean.
                self[kind].breachedAt = seconds == 0 ? (old.breachedAt ?? instant) : nil
                self[kind].targetSince = instant
                openStretch(kind, mode: mode, reason: reason, at: instant)
            }
        default:
            // The clocks move only on the events above (public replies, status, close, reopen, merge, priority):
            // the rest, and any ticket event added later, leave them as they are.
            break
        }
    }

    /// The target (business seconds of the calendar of `priority`, from `instant`) of `timer` re-targeted for the more
    /// urgent `priority` at `instant` when its priorities have calendars of their own, or nil when `seconds`, the new
    /// priority's own target, stands. The deadline is the earlier of the new target counted from `instant` with the new
    /// priority's calendar, the old deadline (the old target's time left counted from `instant` with the calendar of the
    /// priority it was for) and each earlier deadline at `priority` or a more urgent one
    /// (``earliestEarlierDeadline(of:atOrAbove:at:started:)``): an earlier instant becomes the business time of the new
    /// calendar up to it (whole seconds, rounded down). A target used up (the old one, or an earlier one) gives 0.
    /// `timer`'s stretches must all be closed (the change instant ends them first).
    static func cappedTarget(
        _ seconds: Int64, of timer: SLATimer, raisedTo priority: Priority, at instant: Timestamp, started: TicketSLAStarted
    ) -> Int64? {
        let left = timer.targetMilliseconds - timer.bankedMilliseconds
        var cap = left <= 0 ? instant : SLAClock.calendar(of: timer, started).add(businessMilliseconds: left, to: instant)
        if let earlier = earliestEarlierDeadline(of: timer, atOrAbove: priority, at: instant, started: started) {
            cap = min(cap, earlier)
        }
        let newCalendar = started.calendar(for: priority)
        guard cap < newCalendar.add(businessMilliseconds: seconds * 1000, to: instant) else { return nil }
        return cap <= instant ? 0 : min(seconds, newCalendar.businessMilliseconds(from: instant, to: cap) / 1000)
    }

    /// The earliest deadline, as an instant, of the targets `timer` had while the ticket was at `priority` or a more
    /// urgent one (nil when it never was), each target's time left counted on from `instant` with the calendar of the
    /// priority it was for. A target's time used is the business time of that calendar in every running stretch since
    /// it began (time waiting on the client does not count), whatever calendar the clock counted with then; a target
    /// used up gives `instant`. The multi-calendar form of ``timeLeftUnderEarlierTargets(of:atOrAbove:started:)``.
    static func earliestEarlierDeadline(
        of timer: SLATimer, atOrAbove priority: Priority, at instant: Timestamp, started: TicketSLAStarted
    ) -> Timestamp? {
        var earliest: Timestamp?
        for (index, interval) in timer.intervals.enumerated() {
            guard let targetPriority = index == 0 ? started.priority : retargeted(interval), targetPriority <= priority else { continue }
            let calendar = started.calendar(for: targetPriority)
            var used: Int64 = 0
            for stretch in timer.intervals[index...] where stretch.mode == .running {
                used += calendar.businessMilliseconds(from: stretch.start, to: stretch.end ?? instant)
            }
            let left = interval.targetSeconds * 1000 - used
            let due = left <= 0 ? instant : calendar.add(businessMilliseconds: left, to: instant)
            earliest = min(earliest ?? due, due)
        }
        return earliest
    }

    /// The business milliseconds (at least 0) left, from now, under the earliest deadline `timer` had while the ticket
    /// was at `priority` or a more urgent one: nil when it never was. Each target a timer had is the high-water mark
    /// of its business time used: the target it got at the start or at a re-target, counted from the business time
    /// it had used by then (the sum of its stretches, so time waiting on the client does not count, as for a paused
    /// clock's time left). The priority of each target is read from the stretch that began it: `opened` is the
    /// starting priority, `priority P4→P1…` the one after the arrow (the clock's own reasons, stored as written).
    /// `timer`'s stretches must all be closed (the change instant ends them first).
    static func timeLeftUnderEarlierTargets(of timer: SLATimer, atOrAbove priority: Priority, started: TicketSLAStarted) -> Int64? {
        var used: Int64 = 0
        var left: Int64?
        for (index, interval) in timer.intervals.enumerated() {
            if let targetPriority = index == 0 ? started.priority : retargeted(interval), targetPriority <= priority {
                let budget = used + interval.targetSeconds * 1000
                left = min(left ?? budget, budget)
            }
            used += interval.countedMilliseconds ?? 0
        }
        return left.map { max(0, $0 - used) }
    }

    /// Applies an SLA event that happened at `instant`: recorded warnings, breaches and escalations remove their
    /// alarm. A second `ticket.sla-started` changes nothing (the first one froze the terms).
    public mutating func apply(_ event: TicketSLAEvent, at instant: Timestamp) {
        switch event {
        case .started:
            break
        case .warned(let e):
            recorded.append(SLAAlarm(clock: e.clock, kind: .warning(percent: e.percent), dueAt: e.dueAt))
        case .breached(let e):
            recorded.append(SLAAlarm(clock: e.clock, kind: .breach, dueAt: e.dueAt))
        case .escalated(let e):
            recorded.append(
                SLAAlarm(clock: .response, kind: .escalation(rule: e.rule, action: e.action), dueAt: e.dueAt))
        }
    }

    private mutating func finish(reason: String, at instant: Timestamp) {
        isClosed = true
        isWaitingOnClient = false
        transitionUnmet(to: .met, reason: reason, at: instant)
    }

    private mutating func transition(
        _ kind: SLAClockKind, to mode: SLAIntervalMode, reason: String, at instant: Timestamp
    ) {
        closeStretch(kind, at: instant)
        openStretch(kind, mode: mode, reason: reason, at: instant)
    }

    /// `transition` of every unmet clock, response first. The stretches are all closed before any is opened: a
    /// close changes only its own timer and appends to `reached`, an open only its own timer, so the order is the
    /// one clock after the other's.
    private mutating func transitionUnmet(to mode: SLAIntervalMode, reason: String, at instant: Timestamp) {
        let (responseUnmet, resolutionUnmet) = (!isMet(.response), !isMet(.resolution))
        closeUnmetStretches(at: instant)
        if responseUnmet { openStretch(.response, mode: mode, reason: reason, at: instant) }
        if resolutionUnmet { openStretch(.resolution, mode: mode, reason: reason, at: instant) }
    }

    /// `closeStretch` of every unmet clock, response first. Two clocks running since the same instant (both
    /// started at intake and never paused apart: the common case) have the same business time to bank, so the
    /// calendar is walked once for both, placing the thresholds of each (the walk's answers for an amount do not
    /// depend on the other amounts it places).
    private mutating func closeUnmetStretches(at instant: Timestamp) {
        if let since = response.runningSince, since == resolution.runningSince, !isMet(.response), !isMet(.resolution),
            started.calendars.isEmpty
                || started.calendarId(for: SLAClock.targetPriority(of: response, started))
                    == started.calendarId(for: SLAClock.targetPriority(of: resolution, started))
        {
            // Each stored property passed on its own (see `closeStretch`): the terms read where they are, not copied.
            SLAClock.closeBoth(
                &response, &resolution, since: since, at: instant, started: started, priority: priority, reached: &reached)
            return
        }
        if !isMet(.response) { closeStretch(.response, at: instant) }
        if !isMet(.resolution) { closeStretch(.resolution, at: instant) }
    }

    /// `close` of both clocks, running since the same instant, with one walk of the calendar.
    private static func closeBoth(
        _ response: inout SLATimer, _ resolution: inout SLATimer, since: Timestamp, at instant: Timestamp,
        started: TicketSLAStarted, priority: Priority, reached: inout [SLAAlarm]
    ) {
        let scratch = Scratch(capacity: thresholdCapacity(.response, started) + thresholdCapacity(.resolution, started))
        defer { scratch.deallocate() }
        let (thresholds, amounts, instants) = (scratch.thresholds, scratch.amounts, scratch.instants)
        let responseCount = self.thresholds(of: response, started: started, priority: priority, into: thresholds)
        let count =
            responseCount
            + self.thresholds(
                of: resolution, started: started, priority: priority,
                into: UnsafeMutableBufferPointer(rebasing: thresholds[responseCount...]))
        for index in 0..<count {
            amounts[index] =
                thresholds[index].milliseconds - (index < responseCount ? response.bankedMilliseconds : resolution.bankedMilliseconds)
        }
        let total = SLAClock.calendar(of: response, started).businessMilliseconds(
            from: since, to: instant, placing: UnsafeBufferPointer(rebasing: amounts[..<count]),
            into: UnsafeMutableBufferPointer(rebasing: instants[..<count]))
        let responseThresholds = UnsafeBufferPointer(rebasing: thresholds[..<responseCount])
        let resolutionThresholds = UnsafeBufferPointer(rebasing: thresholds[responseCount..<count])
        reached.reserveCapacity(
            reached.count + crossed(responseThresholds, by: total, from: response.bankedMilliseconds)
                + crossed(resolutionThresholds, by: total, from: resolution.bankedMilliseconds))
        bank(
            &response, .response, total, thresholds: responseThresholds,
            placed: UnsafeBufferPointer(rebasing: instants[..<responseCount]), started: started, reached: &reached)
        bank(
            &resolution, .resolution, total, thresholds: resolutionThresholds,
            placed: UnsafeBufferPointer(rebasing: instants[responseCount..<count]), started: started, reached: &reached)
        endStretch(&response, at: instant, counted: total)
        endStretch(&resolution, at: instant, counted: total)
    }

    /// Ends the open stretch of `kind` at `instant`: a running one banks its business time and records the
    /// thresholds it crossed, with their exact instants.
    private mutating func closeStretch(_ kind: SLAClockKind, at instant: Timestamp) {
        // The timer and `reached` change in place, the terms are only read: each is a stored property passed on
        // its own, since a method or computed property called on `self` here copied the whole clock.
        switch kind {
        case .response: SLAClock.close(&response, kind, at: instant, started: started, priority: priority, reached: &reached)
        case .resolution: SLAClock.close(&resolution, kind, at: instant, started: started, priority: priority, reached: &reached)
        }
    }

    private static func close(
        _ timer: inout SLATimer, _ kind: SLAClockKind, at instant: Timestamp, started: TicketSLAStarted,
        priority: Priority, reached: inout [SLAAlarm]
    ) {
        var counted: Int64 = 0
        if let since = timer.runningSince {
            let before = timer.bankedMilliseconds
            // The stretch's business time and the instant each threshold was reached, in one walk of the calendar.
            let scratch = Scratch(capacity: thresholdCapacity(kind, started))
            defer { scratch.deallocate() }
            let count = thresholds(of: timer, started: started, priority: priority, into: scratch.thresholds)
            for index in 0..<count { scratch.amounts[index] = scratch.thresholds[index].milliseconds - before }
            counted = SLAClock.calendar(of: timer, started).businessMilliseconds(
                from: since, to: instant, placing: UnsafeBufferPointer(rebasing: scratch.amounts[..<count]),
                into: UnsafeMutableBufferPointer(rebasing: scratch.instants[..<count]))
            let reachable = UnsafeBufferPointer(rebasing: scratch.thresholds[..<count])
            reached.reserveCapacity(reached.count + crossed(reachable, by: counted, from: before))
            bank(
                &timer, kind, counted, thresholds: reachable, placed: UnsafeBufferPointer(rebasing: scratch.instants[..<count]),
                started: started, reached: &reached)
        }
        endStretch(&timer, at: instant, counted: counted)
    }

    /// Room for `capacity` thresholds, their amounts and the instants a walk places them at, in one allocation:
    /// closing a stretch made an array of each (and the walk one more), and a closure that lends stack memory instead
    /// copied the frozen terms it read (six references) at each use.
    private struct Scratch {
        let thresholds: UnsafeMutableBufferPointer<Threshold>
        let amounts: UnsafeMutableBufferPointer<Int64>
        let instants: UnsafeMutableBufferPointer<Timestamp?>
        private let memory: UnsafeMutableRawPointer

        init(capacity: Int) {
            let thresholdBytes = MemoryLayout<Threshold>.stride * capacity
            let amountBytes = MemoryLayout<Int64>.stride * capacity
            memory = .allocate(
                byteCount: thresholdBytes + amountBytes + MemoryLayout<Timestamp?>.stride * capacity,
                alignment: max(MemoryLayout<Threshold>.alignment, MemoryLayout<Int64>.alignment, MemoryLayout<Timestamp?>.alignment))
            // Each region's offset is a multiple of the strides before it, which are multiples of the alignment.
            thresholds = UnsafeMutableBufferPointer(start: memory.bindMemory(to: Threshold.self, capacity: capacity), count: capacity)
            amounts = UnsafeMutableBufferPointer(
                start: (memory + thresholdBytes).bindMemory(to: Int64.self, capacity: capacity), count: capacity)
            instants = UnsafeMutableBufferPointer(
                start: (memory + thresholdBytes + amountBytes).bindMemory(to: Timestamp?.self, capacity: capacity), count: capacity)
        }

        /// Frees the memory (the elements are plain values: nothing to deinitialize).
        func deallocate() { memory.deallocate() }
    }

    /// Banks `counted` business milliseconds of the running stretch of `timer` and records the thresholds it crossed
    /// (`placed`: the instant the walk found for each of `thresholds`, in order), then stops the timer.
    private static func bank(
        _ timer: inout SLATimer, _ kind: SLAClockKind, _ counted: Int64, thresholds: UnsafeBufferPointer<Threshold>,
        placed: UnsafeBufferPointer<Timestamp?>, started: TicketSLAStarted, reached: inout [SLAAlarm]
    ) {
        guard let since = timer.runningSince else { return }
        let before = timer.bankedMilliseconds
        let after = before + counted
        for (threshold, placed) in zip(thresholds, placed)
        where before < threshold.milliseconds && threshold.milliseconds <= after {
            let dueAt = placed ?? SLAClock.calendar(of: timer, started).add(businessMilliseconds: threshold.milliseconds - before, to: since)
            reached.append(SLAAlarm(clock: kind, kind: threshold.alarm.kind(in: started), dueAt: dueAt))
            if case .breach = threshold.alarm { timer.breachedAt = dueAt }
        }
        timer.bankedMilliseconds = after
        timer.runningSince = nil
    }

    /// How many of `thresholds` a stretch of `counted` business milliseconds crosses after `before` were banked:
    /// the alarms `bank` appends to `reached` (room for them is made at once, not one growth after another).
    private static func crossed(_ thresholds: UnsafeBufferPointer<Threshold>, by counted: Int64, from before: Int64) -> Int {
        var count = 0
        for threshold in thresholds where before < threshold.milliseconds && threshold.milliseconds <= before + counted {
            count += 1
        }
        return count
    }

    /// Ends the open stretch of `timer` at `instant`, with the business time that counted in it.
    private static func endStretch(_ timer: inout SLATimer, at instant: Timestamp, counted: Int64) {
        if let last = timer.intervals.indices.last, timer.intervals[last].end == nil {
            timer.intervals[last].end = instant
            timer.intervals[last].countedMilliseconds = counted
        }
    }

    private mutating func openStretch(
        _ kind: SLAClockKind, mode: SLAIntervalMode, reason: String, at instant: Timestamp
    ) {
        changeTimer(kind) { timer in
            switch mode {
            case .running:
                timer.runningSince = instant
                timer.metAt = nil
            case .paused:
                timer.runningSince = nil
                timer.metAt = nil
            case .met:
                timer.runningSince = nil
                timer.metAt = instant
            }
            timer.intervals.append(
                SLAInterval(
                    start: instant, end: nil, mode: mode, reason: reason, targetSeconds: timer.targetSeconds,
                    countedMilliseconds: nil))
        }
    }

    /// Changes the timer of `kind` in place: a copy taken out and put back (`self[kind]`) would share its
    /// `intervals` with the original while it changes them, so every change copied the whole array.
    private mutating func changeTimer(_ kind: SLAClockKind, _ body: (inout SLATimer) -> Void) {
        switch kind {
        case .response: body(&response)
        case .resolution: body(&resolution)
        }
    }

    /// The thresholds of `timer` in business milliseconds of its current target: each warning percentage, the
    /// breach, and for the response clock the escalation rules of the current priority.
    func thresholds(of timer: SLATimer) -> [(Int64, SLAAlarm.Kind)] {
        SLAClock.thresholds(of: timer, started: started, priority: priority).map {
            ($0.milliseconds, $0.alarm.kind(in: started))
        }
    }

    /// A threshold of a timer (see `thresholds(of:)`) as a stretch's close walks them: an escalation by its rule's
    /// place in the terms, so that the list holds nothing to retain and release (the alarm's kind, with the rule's
    /// id and action, is made only for a threshold reached).
    struct Threshold {
        enum Alarm {
            case warning(percent: Int)
            case breach
            case escalation(ruleIndex: Int)

            func kind(in started: TicketSLAStarted) -> SLAAlarm.Kind {
                switch self {
                case .warning(let percent): .warning(percent: percent)
                case .breach: .breach
                case .escalation(let index):
                    .escalation(rule: started.escalations[index].id, action: started.escalations[index].action)
                }
            }
        }

        let milliseconds: Int64
        let alarm: Alarm
    }

    static func thresholds(of timer: SLATimer, started: TicketSLAStarted, priority: Priority) -> [Threshold] {
        [Threshold](unsafeUninitializedCapacity: thresholdCapacity(timer.kind, started)) { buffer, count in
            count = thresholds(of: timer, started: started, priority: priority, into: buffer)
        }
    }

    /// The most thresholds a timer of `kind` has under `started`: each warning percentage, the breach, and for the
    /// response clock each escalation rule.
    static func thresholdCapacity(_ kind: SLAClockKind, _ started: TicketSLAStarted) -> Int {
        started.warnAtPercent.count + 1 + (kind == .response ? started.escalations.count : 0)
    }

    /// `thresholds(of:started:priority:)` written into `buffer` (at least `thresholdCapacity` long); returns how many.
    static func thresholds(
        of timer: SLATimer, started: TicketSLAStarted, priority: Priority, into buffer: UnsafeMutableBufferPointer<Threshold>
    ) -> Int {
        precondition(buffer.count >= thresholdCapacity(timer.kind, started), "room for every threshold of the timer")
        let target = timer.targetMilliseconds
        var count = 0
        func add(_ threshold: Threshold) {
            buffer.initializeElement(at: count, to: threshold)
            count += 1
        }
        for percent in started.warnAtPercent where target * Int64(percent) / 100 > 0 {
            add(Threshold(milliseconds: target * Int64(percent) / 100, alarm: .warning(percent: percent)))
        }
        if target > 0 { add(Threshold(milliseconds: target, alarm: .breach)) }
        if timer.kind == .response {
            for (index, rule) in started.escalations.enumerated() where rule.priorities.contains(priority) && rule.untouchedMinutes > 0 {
                add(Threshold(milliseconds: Int64(rule.untouchedMinutes) * 60_000, alarm: .escalation(ruleIndex: index)))
            }
        }
        return count
    }

    /// Whether the clock of `kind` is met, read from the stored timer (no copy of the clock).
    private func isMet(_ kind: SLAClockKind) -> Bool {
        switch kind {
        case .response: response.metAt != nil
        case .resolution: resolution.metAt != nil
        }
    }

    // MARK: - Canonical JSON

    /// The clock as canonical JSON (sorted keys, RFC 3339 times): the same clock always gives the same bytes.
    public func canonicalJSON() -> [UInt8] { EventCodec.encode(self) }

    private enum CodingKeys: String, CodingKey {
        case started, priority, response, resolution, isWaitingOnClient, isClosed, reached, recorded
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        started = try c.decode(TicketSLAStarted.self, forKey: .started)
        priority = try c.decode(Priority.self, forKey: .priority)
        response = try c.decode(SLATimer.self, forKey: .response)
        resolution = try c.decode(SLATimer.self, forKey: .resolution)
        isWaitingOnClient = try c.decode(Bool.self, forKey: .isWaitingOnClient)
        isClosed = try c.decode(Bool.self, forKey: .isClosed)
        reached = try c.decode([SLAAlarm].self, forKey: .reached)
        recorded = try c.decode([SLAAlarm].self, forKey: .recorded)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(started, forKey: .started)
        try c.encode(priority, forKey: .priority)
        try c.encode(response, forKey: .response)
        try c.encode(resolution, forKey: .resolution)
        try c.encode(isWaitingOnClient, forKey: .isWaitingOnClient)
        try c.encode(isClosed, forKey: .isClosed)
        try c.encode(reached, forKey: .reached)
        try c.encode(recorded, forKey: .recorded)
    }
}

/// A clock's state without its frozen terms (`started`: policy, targets, whole calendar): what a read model
/// that keeps the terms elsewhere stores. `SLAClock(started:progress:)` puts the two back together.
public struct SLAClockProgress: Codable, Sendable, Equatable {
    public var priority: Priority
    public var response: SLATimer
    public var resolution: SLATimer
    public var isWaitingOnClient: Bool
    public var isClosed: Bool
    public var reached: [SLAAlarm]
    public var recorded: [SLAAlarm]

    /// A clock's state with every field given (a stored row read back).
    public init(
        priority: Priority, response: SLATimer, resolution: SLATimer, isWaitingOnClient: Bool, isClosed: Bool,
        reached: [SLAAlarm], recorded: [SLAAlarm]
    ) {
        self.priority = priority
        self.response = response
        self.resolution = resolution
        self.isWaitingOnClient = isWaitingOnClient
        self.isClosed = isClosed
        self.reached = reached
        self.recorded = recorded
    }
}

extension SLAClock {
    /// Everything but the frozen terms.
    public var progress: SLAClockProgress {
        SLAClockProgress(
            priority: priority, response: response, resolution: resolution, isWaitingOnClient: isWaitingOnClient,
            isClosed: isClosed, reached: reached, recorded: recorded)
    }

    /// The clock whose terms are `started` and whose state is `progress`.
    public init(started: TicketSLAStarted, progress: SLAClockProgress) {
        self.init(
            started: started, priority: progress.priority, response: progress.response, resolution: progress.resolution,
            isWaitingOnClient: progress.isWaitingOnClient, isClosed: progress.isClosed, reached: progress.reached,
            recorded: progress.recorded)
    }
}

extension Priority {
    /// The case's place, P1 first: a comparison of cases that does not read the raw values.
    fileprivate var place: Int {
        switch self {
        case .p1: 0
        case .p2: 1
        case .p3: 2
        case .p4: 3
        }
    }
}
