import DocketTime
import Domain
import Testing

/// Issue 13 §4 (the domain part): one-time sign-in links, single use, 15 minutes, at most 5 an hour; sessions; tenancy.
@Suite struct PortalDeciderTests {
    let carla = ContactDetails(name: "Carla", email: "carla@acme.example")
    let t0 = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
    let link = String(repeating: "ab", count: 32)
    let session = String(repeating: "cd", count: 32)

    func context(_ at: Timestamp) -> DecisionContext { DecisionContext(actor: Actor(login: "portal", role: .dispatcher), now: at) }
    func after(minutes: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: t0.millisecondsSinceEpoch + minutes * 60_000) }

    func issued() throws -> PortalState {
        let events = try PortalDecider.decide(.issueLink(client: "acme", contact: "acme-1", details: carla, linkHash: link), state: PortalDecider.initialState, context: context(t0))
        #expect(events == [.linkIssued(PortalLinkIssued(client: "acme", contact: "acme-1", email: "carla@acme.example", linkHash: link, expiresAt: after(minutes: 15)))])
        return PortalDecider.fold(events)
    }

    @Test func aLinkWorksOnceWithin15MinutesAndOpensASession() throws {
        let state = try issued()
        let used = try PortalDecider.decide(.followLink(linkHash: link, sessionHash: session), state: state, context: context(after(minutes: 14)))
        let signedIn = used.reduce(state, PortalDecider.evolve)
        #expect(signedIn.isSignedIn(sessionHash: session, at: after(minutes: 20)))
        #expect(!signedIn.isSignedIn(sessionHash: String(repeating: "00", count: 32), at: after(minutes: 20)))
        #expect(throws: DomainError.self) {
            try PortalDecider.decide(.followLink(linkHash: link, sessionHash: "x"), state: signedIn, context: context(after(minutes: 14)))
        }
    }

    @Test func anExpiredOrUnknownLinkIsRefused() throws {
        let state = try issued()
        #expect(throws: DomainError.self) {
            try PortalDecider.decide(.followLink(linkHash: link, sessionHash: session), state: state, context: context(after(minutes: 15)))
        }
        #expect(throws: DomainError.self) {
            try PortalDecider.decide(.followLink(linkHash: String(repeating: "ef", count: 32), sessionHash: session), state: state, context: context(t0))
        }
    }

    @Test func atMostFiveLinksAnHourPerContact() throws {
        var state = PortalDecider.initialState
        for i in 0..<5 {
            let hash = String(repeating: "0\(i)", count: 32)
            state = try PortalDecider.decide(.issueLink(client: "acme", contact: "acme-1", details: carla, linkHash: hash), state: state, context: context(after(minutes: Int64(i))))
                .reduce(state, PortalDecider.evolve)
        }
        #expect(throws: DomainError.self) {
            try PortalDecider.decide(.issueLink(client: "acme", contact: "acme-1", details: carla, linkHash: link), state: state, context: context(after(minutes: 10)))
        }
        #expect(try PortalDecider.decide(.issueLink(client: "acme", contact: "acme-1", details: carla, linkHash: link), state: state, context: context(after(minutes: 61))).count == 1)
    }

    @Test func unknownAndUnverifiedContactsGetNoLink() {
        #expect(throws: DomainError.self) {
            try PortalDecider.decide(.issueLink(client: "acme", contact: "acme-9", details: nil, linkHash: link), state: PortalDecider.initialState, context: context(t0))
        }
        let unverified = ContactDetails(name: "Mallory", email: "m@acme.example", unverified: true)
        #expect(throws: DomainError.self) {
            try PortalDecider.decide(.issueLink(client: "acme", contact: "acme-2", details: unverified, linkHash: link), state: PortalDecider.initialState, context: context(t0))
        }
    }

    @Test func signingOutEndsTheSession() throws {
        let state = try issued()
        let signedIn = try PortalDecider.decide(.followLink(linkHash: link, sessionHash: session), state: state, context: context(t0)).reduce(state, PortalDecider.evolve)
        let out = try PortalDecider.decide(.signOut(sessionHash: session), state: signedIn, context: context(t0))
        #expect(!out.reduce(signedIn, PortalDecider.evolve).isSignedIn(sessionHash: session, at: t0))
        #expect(try PortalDecider.decide(.signOut(sessionHash: session), state: out.reduce(signedIn, PortalDecider.evolve), context: context(t0)).isEmpty)
    }

    @Test func aContactSeesOnlyTheirClientsTicketsAndNoInternalNotes() {
        #expect(PortalTenancy.maySee(ticketClient: "acme", contactClient: "acme"))
        #expect(!PortalTenancy.maySee(ticketClient: "globex", contactClient: "acme"))
        let events: [TicketEvent] = [
            .commented(TicketCommented(text: "We are on it", visibility: .public)),
            .commented(TicketCommented(text: "Client owes us money", visibility: .internal)),
        ]
        #expect(PortalTenancy.publicEvents(events) == [events[0]])
    }
}
