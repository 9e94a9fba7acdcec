import DocketTime

/// The SLA policy aggregate (stream `sla-policy-<id>`): definition and dated amendments.
///
/// Policies are commercial terms, like contracts: defining and amending them needs ``Action/manageContracts``
/// (roles billing and admin).
public enum SLAPolicyDecider: Decider {
    public static let initialState = SLAPolicyState()

    /// The largest target or escalation delay accepted: ten years of round-the-clock minutes.
    public static let maximumMinutes = 10 * 365 * 24 * 60

    /// Decides `command`. Needs ``Action/manageContracts``.
    ///
    /// The terms are checked by ``validate(_:)`` first. An amendment records complete terms; one whose terms equal
    /// the version in force at its `effectiveFrom` returns no events.
    public static func decide(
        _ command: SLAPolicyCommand, state: SLAPolicyState, context: DecisionContext
    ) throws(DomainError) -> [SLAPolicyEvent] {
        try Permissions.require(.manageContracts, by: context.actor.role)
        switch command {
        case .define(let define):
            if let id = state.id {
                throw DomainError(
                    .conflict, "SLA policy \(id) already exists; amend it with `docket sla-policy amend \(id)`")
            }
            let id = try Validate.slug(define.id, "SLA policy id", length: 2...64)
            let name = try Validate.name(define.name, "the SLA policy name", fix: "give the policy a name")
            try BillingDates.check(define.effectiveFrom, "SLA policy \(id)'s effective date")
            let terms = try validate(define.terms)
            return [.defined(SLAPolicyDefined(id: id, name: name, effectiveFrom: define.effectiveFrom, terms: terms))]
        case .amend(let effectiveFrom, let terms):
            guard let id = state.id, let start = state.startsAt else {
                throw DomainError(.notFound, "no such SLA policy; list policies with `docket sla-policy list`")
            }
            let terms = try validate(terms)
            try BillingDates.check(effectiveFrom, "SLA policy \(id)'s amendment date")
            guard effectiveFrom >= start else {
                throw DomainError(
                    .invalid,
                    timed: "the amendment would take effect at \(time: effectiveFrom), before SLA policy \(id) starts at \(time: start); "
                        + "use a date on or after the start")
            }
            guard state.version(at: effectiveFrom)?.terms != terms else { return [] }
            return [
                .amended(SLAPolicyAmended(amendment: state.nextAmendment, effectiveFrom: effectiveFrom, terms: terms))
            ]
        }
    }

    // MARK: - Validation

    /// The terms, normalized (each rule's priorities sorted, without repeats), or the first rule they break:
    ///
    /// 1. `calendar`, and each priority's calendar in `calendars`, is `24x7` or a calendar id (2 to 64 lower-case
    ///    letters, digits and dashes); a priority's calendar that is the policy's own is dropped.
    /// 2. `targets` has P1, P2, P3 and P4; each target is 1 to ``maximumMinutes`` business minutes, and the
    ///    response target is at most the resolution target.
    /// 3. `warnAtPercent` is strictly ascending, each 1 to 99 (it may be empty: no warnings).
    /// 4. Each escalation has a unique id (a slug), at least one priority, `untouchedMinutes` of 1 to
    ///    ``maximumMinutes``, an `assign` action names a valid login and a `page` action a valid channel name (that the
    ///    channel exists is another stream's: the directory service checks it).
    public static func validate(_ terms: SLATerms) throws(DomainError) -> SLATerms {
        var terms = terms
        try checkCalendarId(terms.calendar, for: nil)
        for priority in Priority.allCases {
            guard let id = terms.calendars[priority] else { continue }
            try checkCalendarId(id, for: priority)
            // A priority given the policy's own calendar has none of its own: the terms say the same without it.
            if id == terms.calendar { terms.calendars[priority] = nil }
        }
        for priority in Priority.allCases {
            guard let target = terms.targets[priority] else {
                throw DomainError(
                    .invalid,
                    "the targets lack \(priority); give response and resolution minutes for each of P1, P2, P3 and P4")
            }
            for (what, minutes) in [("response", target.responseMinutes), ("resolution", target.resolutionMinutes)] {
                guard (1...maximumMinutes).contains(minutes) else {
                    throw DomainError(
                        .invalid,
                        "the \(priority) \(what) target of \(minutes) minutes is out of range; "
                            + "use 1 to \(maximumMinutes) business minutes")
                }
            }
            guard target.responseMinutes <= target.resolutionMinutes else {
                throw DomainError(
                    .invalid,
                    "the \(priority) response target (\(target.responseMinutes) minutes) is longer than its resolution "
                        + "target (\(target.resolutionMinutes) minutes); a response cannot be due after the resolution")
            }
        }
        for (index, percent) in terms.warnAtPercent.enumerated() {
            guard (1...99).contains(percent) else {
                throw DomainError(
                    .invalid, "warning at \(percent)% is out of range; use percentages from 1 to 99 (100 is the breach)"
                )
            }
            if index > 0, terms.warnAtPercent[index - 1] >= percent {
                throw DomainError(
                    .invalid,
                    "warning percentages \(terms.warnAtPercent) are not ascending; list each once, smallest first")
            }
        }
        var ids = Set<String>()
        for index in terms.escalations.indices {
            var rule = terms.escalations[index]
            let id = try Validate.slug(rule.id, "escalation rule id", length: 2...64)
            guard ids.insert(id).inserted else {
                throw DomainError(.invalid, "escalation rule \(id) is listed twice; give each rule its own id")
            }
            rule.priorities = Array(Set(rule.priorities)).sorted()
            guard !rule.priorities.isEmpty else {
                throw DomainError(
                    .invalid, "escalation rule \(id) has no priorities; list the priorities it watches, e.g. P1")
            }
            guard (1...maximumMinutes).contains(rule.untouchedMinutes) else {
                throw DomainError(
                    .invalid,
                    "escalation rule \(id) fires after \(rule.untouchedMinutes) minutes; "
                        + "use 1 to \(maximumMinutes) business minutes")
            }
            switch rule.action {
            case .assign(let login): rule.action = .assign(login: try Validate.login(login))
            case .page(let channel):
                guard (try? NotifyDecider.validName(channel)) != nil else {
                    throw DomainError(
                        .invalid,
                        "escalation rule \(id) pages \"\(channel)\", which is not a channel name; name a notification channel "
                            + "(`docket notify list`)")
                }
            case .notifyDispatchers, .raisePriority: break
            }
            terms.escalations[index] = rule
        }
        return terms
    }

    /// Throws `invalid` unless `id` is `24x7` or a calendar id; `priority` names the priority whose calendar it is (nil:
    /// the policy's).
    private static func checkCalendarId(_ id: String, for priority: Priority?) throws(DomainError) {
        guard id != CalendarState.twentyFourSevenID else { return }
        do {
            _ = try Validate.slug(id, "calendar id", length: 2...64)
        } catch {
            throw DomainError(
                .invalid,
                "calendar \"\(id)\"\(priority.map { " (of \($0))" } ?? "") is not a calendar id; name a calendar (lower-case "
                    + "letters, digits and dashes) or use 24x7")
        }
    }
}
