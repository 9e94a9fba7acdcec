import BusinessTime
import DocketApp
import DocketTime
import Domain
import Testing

/// `ticket show`'s history lines give every instant in the viewer's zone, also those of reasons Docket wrote into
/// events: new events keep the instant as a field, older ones named it RFC 3339 UTC inside the text.
@Suite struct HistoryTextTests {
    let newYork = ZoneText(zone: WallTimeZone("America/New_York") ?? .utc)

    func at(_ text: String) throws -> Timestamp { try #require(Timestamp(iso8601: text)) }

    @Test func aSkippedWarningsBreachIsInTheViewersZone() throws {
        let warned = TicketSLAWarned(
            clock: .response, percent: 75, dueAt: try at("2026-11-06T21:45:00Z"), skipped: "the response clock was breached",
            breachedAt: try at("2026-11-06T22:00:00Z"))
        #expect(
            HistoryText.describe(.warned(warned), time: newYork.text)
                == "SLA warning: response reached 75% at 2026-11-06 16:45 EST (not sent: the response clock was breached at "
                + "2026-11-06 17:00 EST, before the tick that recorded this warning ran)")
    }

    @Test func aMootEscalationsInstantIsInTheViewersZone() throws {
        let escalated = TicketEscalated(
            rule: "p2-untouched", dueAt: try at("2026-11-09T16:00:00Z"), action: .assign(login: "dora"),
            skipped: "the ticket was assigned to bob", mootAt: try at("2026-11-09T16:10:00Z"))
        #expect(
            HistoryText.describe(.escalated(escalated), time: newYork.text)
                == "escalated by rule p2-untouched at 2026-11-09 11:00 EST: assign dora (not carried out: the ticket was "
                + "assigned to bob at 2026-11-09 11:10 EST, after the rule was due)")
    }

    /// Events recorded before the instants were kept apart: the UTC instants in their text are written as the rest.
    @Test func olderReasonsHaveTheirUTCInstantsWrittenInTheViewersZone() throws {
        let warned = TicketSLAWarned(
            clock: .response, percent: 75, dueAt: try at("2026-11-06T21:45:00Z"),
            skipped: "the response clock was breached at 2026-11-06T22:00:00.000Z, before the tick that recorded this warning ran at 2026-11-09T15:00:00.000Z")
        #expect(
            HistoryText.describe(.warned(warned), time: newYork.text)
                == "SLA warning: response reached 75% at 2026-11-06 16:45 EST (not sent: the response clock was breached at "
                + "2026-11-06 17:00 EST, before the tick that recorded this warning ran at 2026-11-09 10:00 EST)")
        let closed = TicketEvent.closed(TicketClosed(resolution: "Auto-resolved: disk on fs1 cleared at 2026-11-29T00:44:45.393Z; no billable time."))
        #expect(
            HistoryText.describe(closed, time: newYork.text) == "closed: Auto-resolved: disk on fs1 cleared at 2026-11-28 19:44:45 EST; no billable time.")
    }

    /// A resolution a person typed is theirs, word for word, whatever it holds.
    @Test func aTypedResolutionIsLeftAsTyped() {
        let closed = TicketEvent.closed(TicketClosed(resolution: "Rebooted at 2026-11-29T00:44:45Z per the vendor"))
        #expect(HistoryText.describe(closed, time: newYork.text) == "closed: Rebooted at 2026-11-29T00:44:45Z per the vendor")
    }
}
