import BusinessTime
import DocketTime

extension SLAClock {
    // MARK: - Questions

    /// Both clocks at `now` (which should not be earlier than the last event applied).
    public func status(at now: Timestamp) -> SLAStatus {
        let response = timerStatus(.response, at: now)
        let resolution = timerStatus(.resolution, at: now)
        return SLAStatus(
            priority: priority, response: response, resolution: resolution,
            dueAt: [response.dueAt, resolution.dueAt].compactMap { $0 }.min())
    }

    /// When the clock of `kind` is due if it keeps running: the instant its target is used up (its breach instant
    /// once breached); nil when it is paused or met. It depends only on the clock, not on the time of asking
    /// (``SLATimerStatus/dueAt`` at any instant).
    public func dueAt(_ kind: SLAClockKind) -> Timestamp? {
        // The stored timer read in place (`self[kind]` copied it, retaining its intervals).
        switch kind {
        case .response: dueAt(of: response)
        case .resolution: dueAt(of: resolution)
        }
    }

    private func dueAt(of timer: SLATimer) -> Timestamp? { SLAClock.dueAt(of: timer, in: started) }

    /// `dueAt(.response)` and `dueAt(.resolution)` of a clock kept where it changes in place (a read model's row).
    /// `mutating` only so that optional chaining on the stored clock (`row.clock?.dueInstants()`) hands it the clock
    /// where it is: a non-mutating call on it copied the whole clock first (a retain of each of its references) and
    /// released the copy. It changes nothing.
    public mutating func dueInstants() -> (response: Timestamp?, resolution: Timestamp?) {
        (SLAClock.dueAt(of: response, in: started), SLAClock.dueAt(of: resolution, in: started))
    }

    private static func dueAt(of timer: SLATimer, in started: TicketSLAStarted) -> Timestamp? {
        guard let since = timer.runningSince else { return nil }
        let target = timer.targetMilliseconds
        return timer.bankedMilliseconds < target
            ? SLAClock.calendar(of: timer, started).add(businessMilliseconds: target - timer.bankedMilliseconds, to: since) : timer.breachedAt
    }

    /// The instants at which a target of `kind` earlier than the current one was used up: breaches that
    /// happened before a priority change re-targeted the clock. They come from the thresholds reached in
    /// finished stretches and the breaches `tick` recorded, so stores written before this rule give them too.
    public func earlierBreaches(of kind: SLAClockKind) -> [Timestamp] {
        let since = self[kind].targetSince
        let instants = (reached + recorded).compactMap { alarm -> Timestamp? in
            guard alarm.clock == kind, case .breach = alarm.kind, alarm.dueAt <= since else { return nil }
            return alarm.dueAt
        }
        return Array(Set(instants)).sorted()
    }

    private func timerStatus(_ kind: SLAClockKind, at now: Timestamp) -> SLATimerStatus {
        let timer = self[kind]
        var intervals = timer.intervals
        var used = timer.bankedMilliseconds
        if let since = timer.runningSince {
            let running = SLAClock.calendar(of: timer, started).businessMilliseconds(from: since, to: now)
            used += running
            if let last = intervals.indices.last { intervals[last].countedMilliseconds = running }
        } else if let last = intervals.indices.last, intervals[last].end == nil {
            intervals[last].countedMilliseconds = 0
        }
        let target = timer.targetMilliseconds
        let targetState: SLAState
        if used >= target {
            targetState = .breached
        } else if timer.isMet {
            targetState = .met
        } else if timer.isPaused {
            targetState = .paused
        } else if let first = started.warnAtPercent.first, used >= target * Int64(first) / 100 {
            targetState = .atRisk
        } else {
            targetState = .onTrack
        }
        let dueAt = self.dueAt(kind)
        let earlier = earlierBreaches(of: kind).first
        let usedSeconds = used / 1000
        return SLATimerStatus(
            clock: kind, state: earlier == nil ? targetState : .breached, targetState: targetState,
            targetSince: timer.targetSince, earlierBreachAt: earlier, targetSeconds: timer.targetSeconds,
            usedSeconds: usedSeconds, remainingSeconds: timer.targetSeconds - usedSeconds, dueAt: dueAt,
            metAt: timer.metAt, intervals: intervals)
    }

    /// Every threshold not yet recorded, earliest first, each with its exact instant.
    ///
    /// That is: thresholds crossed during finished stretches (so a late `docket tick` still records them at the
    /// instant they were reached), and for each running, unmet clock its future warning percentages, its breach,
    /// and (response clock) the escalation rules of the current priority. A paused clock has no future alarms. An
    /// alarm disappears once its event (``SLAAlarm/event``) is applied, so recording every alarm whose `dueAt` is
    /// at or before now records each threshold exactly once.
    public func alarms() -> [SLAAlarm] {
        var result = reached
        for kind in SLAClockKind.allCases {
            let timer = self[kind]
            guard let since = timer.runningSince else { continue }
            let calendar = SLAClock.calendar(of: timer, started)
            for (threshold, alarmKind) in thresholds(of: timer) where threshold > timer.bankedMilliseconds {
                let dueAt = calendar.add(businessMilliseconds: threshold - timer.bankedMilliseconds, to: since)
                result.append(SLAAlarm(clock: kind, kind: alarmKind, dueAt: dueAt))
            }
        }
        result.removeAll { alarm in recorded.contains { $0.isSameThreshold(as: alarm) } }
        return result.sorted { $0.sortsBefore($1) }
    }

    /// The instant of the earliest alarm not yet recorded (possibly past), or nil when none is pending: the
    /// `dueAt` of `alarms().first`, found without computing every alarm. A running clock's thresholds, taken from
    /// the smallest, fall due in that order (business time added to one instant never comes earlier for more of
    /// it), so only its first threshold not yet recorded can be the earliest.
    public var nextAlarm: Timestamp? {
        // The alarms and timers are read where they are kept (a copy of an alarm retained an escalation's rule, a copy
        // of a timer its intervals, and `SLAClockKind.allCases` made an array: ~700 instructions for every sla row
        // written, most of them closed, with no running timer).
        var earliest: Timestamp?
        for index in reached.indices {
            // Only an earlier instant changes the answer: whether a later one was recorded does not matter.
            if let earliest, earliest <= reached[index].dueAt { continue }
            if !isRecorded(reached[index]) { earliest = reached[index].dueAt }
        }
        nextPending(of: response, .response, before: &earliest)
        nextPending(of: resolution, .resolution, before: &earliest)
        return earliest
    }

    /// Whether `recorded` holds `alarm`'s threshold.
    private func isRecorded(_ alarm: SLAAlarm) -> Bool {
        recorded.contains { $0.isSameThreshold(as: alarm) }
    }

    /// Lowers `earliest` to the instant of the first threshold of `timer` (of `kind`) not yet recorded, when it is
    /// running and that comes first.
    private func nextPending(of timer: SLATimer, _ kind: SLAClockKind, before earliest: inout Timestamp?) {
        guard let since = timer.runningSince else { return }
        let pending = SLAClock.thresholds(of: timer, started: started, priority: priority)
            .filter { $0.milliseconds > timer.bankedMilliseconds }.sorted { $0.milliseconds < $1.milliseconds }
        let calendar = SLAClock.calendar(of: timer, started)
        for threshold in pending {
            let dueAt = calendar.add(businessMilliseconds: threshold.milliseconds - timer.bankedMilliseconds, to: since)
            if let earliest, earliest < dueAt { break }
            guard !isRecorded(SLAAlarm(clock: kind, kind: threshold.alarm.kind(in: started), dueAt: dueAt)) else { continue }
            if earliest.map({ dueAt < $0 }) ?? true { earliest = dueAt }
            break
        }
    }

    /// The alarms due at or before `now`, as the events that record them (what `docket tick` appends). A warning whose
    /// clock's breach is due too (a tick that ran late, past the breach) is recorded at its instant with
    /// ``TicketSLAWarned/skipped`` saying so: the breach it announced has come, and is recorded and announced itself.
    /// The breach's instant is ``TicketSLAWarned/breachedAt``, not part of the text, so that people read it in their
    /// own time zone.
    public func dueEvents(at now: Timestamp) -> [TicketSLAEvent] {
        let due = alarms().filter { $0.dueAt <= now }
        return due.map { alarm in
            guard case .warned(var warned) = alarm.event,
                let breach = due.first(where: { $0.clock == alarm.clock && $0.kind == .breach })
            else { return alarm.event }
            warned.skipped = "the \(alarm.clock) clock was breached"
            warned.breachedAt = breach.dueAt
            return .warned(warned)
        }
    }

    /// ``dueEvents(at:)`` for a tick that may run late: an escalation is recorded at the instant it was due, but its
    /// action is marked ``TicketEscalated/skipped`` when `history` (the ticket's events with their instants, in
    /// order) shows that it became moot between that instant and now (``skipReason(_:history:)``).
    public func dueEvents(at now: Timestamp, history: [(event: TicketEvent, at: Timestamp)]) -> [TicketSLAEvent] {
        dueEvents(at: now).map { event in
            guard case .escalated(var escalation) = event, let moot = skipReason(escalation, history: history) else { return event }
            escalation.skipped = moot.reason
            escalation.mootAt = moot.at
            return .escalated(escalation)
        }
    }

    /// Why `escalation`'s action must not run, and when that happened, or nil when it should. It must not when, at or
    /// after its `dueAt`: the response clock it watches stopped counting (met by a reply or a close, paused while
    /// waiting on the client, re-targeted by a priority change); for `assign`, someone assigned the ticket; for
    /// `raise-priority`, someone changed its priority. `history` is the ticket's events with their instants, in order.
    /// The reason names no instant (`the ticket was assigned to bob`): `at` is kept apart, for people's time zones.
    public func skipReason(
        _ escalation: TicketEscalated, history: [(event: TicketEvent, at: Timestamp)]
    ) -> (reason: String, at: Timestamp)? {
        let dueAt = escalation.dueAt
        let intervals = response.intervals
        if let stretch = intervals.firstIndex(where: { $0.end.map { $0 >= dueAt } ?? true }), let end = intervals[stretch].end {
            let next = intervals.indices.contains(stretch + 1) ? intervals[stretch + 1] : nil
            let what: String
            switch next?.mode {
            case .met: what = "was met"
            case .paused: what = "was paused"
            case .running, nil: what = "was re-targeted"
            }
            return ("the response clock \(what)\(next.map { " (\($0.reason))" } ?? "")", end)
        }
        for (event, instant) in history where instant >= dueAt {
            switch (escalation.action, event) {
            case (.assign, .assigned(let assigned)):
                return ("the ticket was assigned to \(assigned.assignee)", instant)
            case (.raisePriority, .priorityChanged(let changed)):
                return ("the priority was changed to \(changed.priority)", instant)
            default:
                continue
            }
        }
        return nil
    }
}
