import DocketTime
import Domain
import Testing

@Suite("Follow-ups: tickets waiting on the client")
struct FollowUpTests {
    /// 2 November 2026, 14:00 UTC, and `hours` after it.
    static func at(_ hours: Int) -> Timestamp { Timestamp(millisecondsSinceEpoch: 1_793_628_000_000 + Int64(hours) * 3_600_000) }
    static let policy = FollowUpPolicy(remindAfterMinutes: 2 * 1440, closeAfterMinutes: 5 * 1440, since: at(-100))
    static let opened: [(event: TicketEvent, at: Timestamp)] = [
        (Fixture.opened(), at(0)),
        (.statusChanged(TicketStatusChanged(status: .waitingOnClient, previousStatus: .new)), at(1)),
    ]

    @Test func aWaitIsRemindedOnceThenClosed() {
        #expect(FollowUpDue.at(Self.at(48), history: Self.opened, policy: Self.policy) == nil, "an hour short of two days")
        #expect(FollowUpDue.at(Self.at(49), history: Self.opened, policy: Self.policy) == .remind(waitingSince: Self.at(1), dueAt: Self.at(49)))
        let reminded = Self.opened + [(.followUpSent(TicketFollowUpSent(waitingSince: Self.at(1), dueAt: Self.at(49))), Self.at(50))]
        #expect(FollowUpDue.at(Self.at(100), history: reminded, policy: Self.policy) == nil, "reminded once a wait")
        #expect(
            FollowUpDue.at(Self.at(121), history: reminded, policy: Self.policy)
                == .close(waitingSince: Self.at(1), dueAt: Self.at(121), waitedMinutes: 7200))
    }

    @Test func aTickThatRanLateClosesWithoutRemindingFirst() {
        #expect(
            FollowUpDue.at(Self.at(200), history: Self.opened, policy: Self.policy)
                == .close(waitingSince: Self.at(1), dueAt: Self.at(121), waitedMinutes: 7200))
    }

    @Test func aPublicCommentRestartsTheWaitAndAllowsAnotherReminder() {
        let asked = Self.opened + [
            (.followUpSent(TicketFollowUpSent(waitingSince: Self.at(1), dueAt: Self.at(49))), Self.at(49)),
            (.commented(TicketCommented(text: "Any news?", visibility: .public)), Self.at(60)),
            (.commented(TicketCommented(text: "chased by phone", visibility: .internal)), Self.at(70)),
        ]
        #expect(FollowUpDue.at(Self.at(107), history: asked, policy: Self.policy) == nil, "counted from the public comment")
        #expect(
            FollowUpDue.at(Self.at(121), history: asked, policy: Self.policy) == .remind(waitingSince: Self.at(60), dueAt: Self.at(108)),
            "reminded again, and not closed: the close counts from the comment too")
    }

    /// The plan `ticket show` reads: the reminder and the close counted from the wait, the reminder of this count once
    /// sent, and one sent in an earlier count forgotten (a public comment restarted it).
    @Test func thePlanGivesTheTimesTickComparesWith() {
        #expect(
            FollowUpPlan.of(history: Self.opened, policy: Self.policy)
                == FollowUpPlan(waitingSince: Self.at(1), remindAt: Self.at(49), remindedAt: nil, closeAt: Self.at(121)))
        let reminded = Self.opened + [(.followUpSent(TicketFollowUpSent(waitingSince: Self.at(1), dueAt: Self.at(49))), Self.at(50))]
        #expect(FollowUpPlan.of(history: reminded, policy: Self.policy)?.remindedAt == Self.at(50))
        let asked = reminded + [(.commented(TicketCommented(text: "Any news?", visibility: .public)), Self.at(60))]
        #expect(
            FollowUpPlan.of(history: asked, policy: Self.policy)
                == FollowUpPlan(waitingSince: Self.at(60), remindAt: Self.at(108), remindedAt: nil, closeAt: Self.at(180)))
        #expect(FollowUpPlan.of(history: Self.opened, policy: FollowUpPolicy(closeAfterMinutes: 60, since: Self.at(0)))?.remindAt == nil)
        #expect(FollowUpPlan.of(history: [(Fixture.opened(), Self.at(0))], policy: Self.policy) == nil, "not waiting")
    }

    @Test func aPolicyNeverActsOnTheDaysBeforeIt() {
        var late = Self.policy
        late.since = Self.at(100)
        #expect(FollowUpDue.at(Self.at(140), history: Self.opened, policy: late) == nil)
        #expect(FollowUpDue.at(Self.at(148), history: Self.opened, policy: late) == .remind(waitingSince: Self.at(100), dueAt: Self.at(148)))
    }

    @Test func onlyAWaitingTicketUnderAPolicyIsFollowedUp() {
        let answered = Self.opened + [(.statusChanged(TicketStatusChanged(status: .inProgress, previousStatus: .waitingOnClient)), Self.at(5))]
        #expect(FollowUpDue.at(Self.at(500), history: answered, policy: Self.policy) == nil, "the client answered")
        let closed = Self.opened + [(.closed(TicketClosed(resolution: "fixed", noTimeReason: "x")), Self.at(5))]
        #expect(FollowUpDue.at(Self.at(500), history: closed, policy: Self.policy) == nil)
        #expect(FollowUpDue.at(Self.at(500), history: Self.opened, policy: FollowUpPolicy(since: Self.at(0))) == nil, "off")
        let remindOnly = FollowUpPolicy(remindAfterMinutes: 60, since: Self.at(0))
        let reminded = Self.opened + [(.followUpSent(TicketFollowUpSent(waitingSince: Self.at(1), dueAt: Self.at(2))), Self.at(2))]
        #expect(FollowUpDue.at(Self.at(5000), history: reminded, policy: remindOnly) == nil, "no close without --close-after")
    }

    @Test func thePolicyIsCheckedAndRecordedWhole() throws {
        let events = try given(FollowUpPolicyDecider.self).when(.set(remindAfterMinutes: 2880, closeAfterMinutes: 10080), by: Fixture.dispatcher)
        #expect(events == [.policySet(FollowUpPolicySet(remindAfterMinutes: 2880, closeAfterMinutes: 10080))])
        #expect(try given(FollowUpPolicyDecider.self, events).when(.set(remindAfterMinutes: 2880, closeAfterMinutes: 10080)).isEmpty)
        #expect(try given(FollowUpPolicyDecider.self, events).when(.off()) == [.policySet(FollowUpPolicySet(remindAfterMinutes: nil, closeAfterMinutes: nil))])
        #expect(try given(FollowUpPolicyDecider.self).when(.off()).isEmpty, "off already")
        #expect(
            given(FollowUpPolicyDecider.self).refusal(of: .set(remindAfterMinutes: 10080, closeAfterMinutes: 2880))?.message
                == "the reminder (after 10080 minutes) must come before the close (after 2880 minutes)")
        #expect(given(FollowUpPolicyDecider.self).refusal(of: .set(remindAfterMinutes: 30, closeAfterMinutes: nil))?.code == .invalid)
        #expect(given(FollowUpPolicyDecider.self).refusal(of: .set(remindAfterMinutes: nil, closeAfterMinutes: 91 * 1440))?.code == .invalid)
        #expect(given(FollowUpPolicyDecider.self).refusal(of: .set(remindAfterMinutes: 60, closeAfterMinutes: nil), by: Fixture.tech)?.code == .forbidden)
    }

    @Test func aClientsOwnPolicyIsSetTurnedOffAndCleared() throws {
        let off = try given(FollowUpPolicyDecider.self).when(.off(client: "acme"), by: Fixture.dispatcher)
        #expect(off == [.policySet(FollowUpPolicySet(remindAfterMinutes: nil, closeAfterMinutes: nil, client: "acme"))], "a choice of its own")
        #expect(FollowUpPolicyDecider.fold(off).isSet && !FollowUpPolicyDecider.fold(off).isOn)
        #expect(try given(FollowUpPolicyDecider.self, off).when(.off(client: "acme")).isEmpty, "off already")
        let cleared = try given(FollowUpPolicyDecider.self, off).when(.clear(client: "acme"))
        #expect(cleared == [.policyCleared(FollowUpPolicyCleared(client: "acme"))])
        #expect(!FollowUpPolicyDecider.fold(off + cleared).isSet)
        #expect(try given(FollowUpPolicyDecider.self, off + cleared).when(.clear(client: "acme")).isEmpty, "nothing of its own to drop")
    }

    @Test func onlyAWaitingTicketIsReminded() throws {
        let open = [Fixture.opened()]
        let refusal = given(TicketDecider.self, open).refusal(of: .remindClient(TicketFollowUpSent(waitingSince: Self.at(0), dueAt: Self.at(1))))
        #expect(refusal?.code == .conflict)
    }

    @Test func durationsReadAsPeopleWriteThem() {
        #expect(FollowUpDue.duration(7 * 1440) == "7 days")
        #expect(FollowUpDue.duration(1440) == "1 day")
        #expect(FollowUpDue.duration(36 * 60) == "36 hours")
        #expect(FollowUpDue.duration(90) == "90 minutes")
    }
}
