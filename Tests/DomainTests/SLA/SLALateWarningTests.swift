import BusinessTime
import DocketTime
import Domain
import Testing

/// A tick that runs late, past a clock's breach, records that clock's warnings at their instants but marks them
/// skipped: the breach overtook them and is announced itself. New York office hours, Friday 9 January 2026 (EST).
@Suite("SLA late warnings")
struct SLALateWarningTests {
    let at = SLAFixture.at

    /// P2 opened Friday 15:00 EST (response 2 h): 75 % at 16:30, 90 % at 16:48, breach at 17:00 EST (22:00Z).
    func p2() -> SLAClock { clock(SLAFixture.started(priority: "P2", at: at("2026-01-09T20:00:00Z"))) }

    @Test func warningsOvertakenByTheirClocksBreachAreRecordedSkipped() throws {
        let due = p2().dueEvents(at: at("2026-01-09T23:00:00Z"), history: [])
        // The breach's instant is a field, never part of the text: people read it in their own zone.
        let reason = "the response clock was breached"
        let breach = at("2026-01-09T22:00:00Z")
        #expect(
            due == [
                .warned(TicketSLAWarned(clock: .response, percent: 75, dueAt: at("2026-01-09T21:30:00Z"), skipped: reason, breachedAt: breach)),
                .warned(TicketSLAWarned(clock: .response, percent: 90, dueAt: at("2026-01-09T21:48:00Z"), skipped: reason, breachedAt: breach)),
                .breached(TicketSLABreached(clock: .response, dueAt: at("2026-01-09T22:00:00Z"))),
            ])
    }

    @Test func warningsBeforeTheBreachAreSentAndTheOtherClocksAreLeftAlone() throws {
        // Tick at 16:50 EST: both warnings are due, the breach is not.
        let early = p2().dueEvents(at: at("2026-01-09T21:50:00Z"))
        #expect(early.count == 2)
        #expect(early.allSatisfy { if case .warned(let w) = $0 { w.skipped == nil } else { false } })
        // Monday 14:30 EST: the resolution clock (8 h: due Monday 15:00) has reached 75 % and 90 % but not its breach,
        // so its warnings are sent while the response clock's, overtaken by its breach, are not.
        let late = p2().dueEvents(at: at("2026-01-12T19:30:00Z"))
        let warnings = late.compactMap { if case .warned(let w) = $0 { w } else { nil } }
        #expect(warnings.filter { $0.clock == .response }.allSatisfy { $0.skipped != nil })
        #expect(warnings.filter { $0.clock == .resolution }.map(\.percent) == [75, 90])
        #expect(warnings.filter { $0.clock == .resolution }.allSatisfy { $0.skipped == nil })
    }

    @Test func aSkippedWarningIsRecordedLikeAnyOtherAndReplaysTheSame() throws {
        var sla = p2()
        let now = at("2026-01-09T23:00:00Z")
        for event in sla.dueEvents(at: now) { sla.apply(event, at: now) }
        #expect(sla.dueEvents(at: now).isEmpty, "run twice, the second tick records nothing")
        #expect(sla.alarms().allSatisfy { $0.clock == .resolution })
    }
}
