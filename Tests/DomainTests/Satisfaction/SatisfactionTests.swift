import DocketTime
import Domain
import Testing

/// The client satisfaction survey as pure functions: rating decisions, the survey settings, the resolution mail's
/// links and the page a bad rating sends.
@Suite struct SatisfactionTests {
    static let now = ReactionTests.now
    static let contact = DecisionContext(actor: Actor(login: "contact:acme-1", role: .tech), now: now)
    static let hash = String(repeating: "ab", count: 32)

    /// A ticket of acme closed `closes` times (reopened in between), its links for the last close sent when `links`.
    static func closed(_ closes: Int = 1, links: Bool = true, expiresAt: Timestamp = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 1000))
        -> TicketState
    {
        var events: [TicketEvent] = [.opened(ReactionTests.opened)]
        for index in 1...closes {
            if index > 1 { events.append(.reopened(TicketReopened(reason: nil))) }
            events.append(.closed(TicketClosed(resolution: "Driver reinstalled")))
        }
        if links { events.append(.surveySent(TicketSurveySent(close: closes, contact: "acme-1", linkHash: hash, expiresAt: expiresAt))) }
        return events.reduce(TicketDecider.initialState, TicketDecider.evolve)
    }

    func rate(_ state: TicketState, _ rating: SatisfactionRating = .good, comment: String? = nil, rater: RateResolution.Rater) throws -> [TicketEvent] {
        try TicketDecider.decide(.rate(RateResolution(rating: rating, comment: comment, rater: rater)), state: state, context: Self.context)
    }

    static let context = contact

    @Test func aLinkRatesTheLatestCloseAsItsContact() throws {
        let events = try rate(Self.closed(2), .bad, comment: "  Still jams  ", rater: .link(close: 2, linkHash: Self.hash))
        #expect(events == [.rated(TicketRated(rating: .bad, comment: "Still jams", contact: "acme-1", close: 2))])
        #expect(Self.closed(2).closes == 2)
        let blank = try rate(Self.closed(), rater: .contact("acme-2"))
        #expect(blank == [.rated(TicketRated(rating: .good, comment: nil, contact: "acme-2", close: 1))])
    }

    @Test func badRatingsAreRefused() throws {
        let open = [TicketEvent.opened(ReactionTests.opened)].reduce(TicketDecider.initialState, TicketDecider.evolve)
        #expect(throws: DomainError.self) { try rate(open, rater: .contact("acme-1")) }
        let notClosed = try #require(throws: DomainError.self) { try rate(open, rater: .contact("acme-1")) }
        #expect(notClosed.code == .conflict && notClosed.message.contains("is not closed"))
        let reopened = TicketDecider.evolve(Self.closed(), .reopened(TicketReopened(reason: nil)))
        #expect(try #require(throws: DomainError.self) { try rate(reopened, rater: .link(close: 1, linkHash: Self.hash)) }.code == .conflict)
        let wrong = try #require(throws: DomainError.self) { try rate(Self.closed(), rater: .link(close: 1, linkHash: String(repeating: "cd", count: 32))) }
        #expect(wrong.code == .unauthenticated && wrong.message.contains("not valid"))
        let earlier = try #require(throws: DomainError.self) { try rate(Self.closed(2), rater: .link(close: 1, linkHash: Self.hash)) }
        #expect(earlier.code == .unauthenticated && earlier.message.contains("earlier resolution"))
        let expired = try #require(throws: DomainError.self) { try rate(Self.closed(expiresAt: Self.now), rater: .link(close: 1, linkHash: Self.hash)) }
        #expect(expired.code == .unauthenticated && expired.message.contains("expired"))
        let long = try #require(throws: DomainError.self) {
            try rate(Self.closed(), comment: String(repeating: "é", count: 1001), rater: .contact("acme-1"))
        }
        #expect(long.code == .invalid && long.message.contains("2002 bytes, over the 2000"))
        #expect(throws: Never.self) { try rate(Self.closed(), comment: String(repeating: "x", count: 2000), rater: .contact("acme-1")) }
        let merged = TicketDecider.evolve(Self.closed(links: false), .merged(TicketMerged(into: TicketNumber("T-1002")!)))
        #expect(try #require(throws: DomainError.self) { try rate(merged, rater: .contact("acme-1")) }.code == .merged)
        #expect(try #require(throws: DomainError.self) { try SatisfactionRating.parse("great") }.message.contains("good, okay or bad"))
        #expect(try SatisfactionRating.parse(" Bad ") == .bad)
    }

    @Test func theSurveyIsTurnedOnWithAURLAndOffPerClient() throws {
        let dora = DecisionContext(actor: Actor(login: "dora", role: .dispatcher), now: Self.now)
        let off = SurveyDecider.initialState
        let needsURL = try #require(throws: DomainError.self) { try SurveyDecider.decide(.on(portalURL: nil), state: off, context: dora) }
        #expect(needsURL.code == .invalid && needsURL.message.contains("--portal-url"))
        for bad in ["support.example", "ftp://x.example", "https://", "https://a.example/?x=1", "https://a b.example", "https://a.example/\"x"] {
            #expect(throws: DomainError.self, "\(bad)") { try SurveyDecider.decide(.on(portalURL: bad), state: off, context: dora) }
        }
        let tech = DecisionContext(actor: Actor(login: "bob", role: .tech), now: Self.now)
        #expect(try #require(throws: DomainError.self) { try SurveyDecider.decide(.off(), state: off, context: tech) }.code == .forbidden)
        let on = try SurveyDecider.decide(.on(portalURL: "https://support.msp.example/portal/"), state: off, context: dora)
        #expect(on == [.settingsSet(SurveySettingsSet(enabled: true, portalURL: "https://support.msp.example"))])
        let store = on.reduce(off, SurveyDecider.evolve)
        #expect(try SurveyDecider.decide(.on(portalURL: nil), state: store, context: dora).isEmpty, "on again: nothing to change")
        let stopped = try SurveyDecider.decide(.off(), state: store, context: dora).reduce(store, SurveyDecider.evolve)
        #expect(stopped.portalURL == "https://support.msp.example" && !stopped.enabled)
        #expect(stopped.linkBase(client: off) == nil)
        #expect(store.linkBase(client: off) == "https://support.msp.example")
        // A client opts out; turning it on again is a change only after it did.
        #expect(try SurveyDecider.decide(.on(portalURL: nil, client: "acme"), state: off, context: dora).isEmpty)
        #expect(throws: DomainError.self) { try SurveyDecider.decide(.on(portalURL: "https://x.example", client: "acme"), state: off, context: dora) }
        let optedOut = try SurveyDecider.decide(.off(client: "acme"), state: off, context: dora).reduce(off, SurveyDecider.evolve)
        #expect(store.linkBase(client: optedOut) == nil)
        #expect(try SurveyDecider.decide(.off(client: "acme"), state: optedOut, context: dora).isEmpty)
        let back = try SurveyDecider.decide(.on(portalURL: nil, client: "acme"), state: optedOut, context: dora).reduce(optedOut, SurveyDecider.evolve)
        #expect(store.linkBase(client: back) == "https://support.msp.example")
    }

    func closeInput(_ secret: SurveySecret?) -> ReactionInput {
        ReactionInput(
            ticket: ReactionTests.number, caused: [.ticket(.closed(TicketClosed(resolution: "Driver reinstalled")))], context: ReactionTests.context,
            recordedAt: Self.now, supportAddress: "help@msp.example", messageSeed: 7, surveySecret: secret)
    }

    @Test func theResolutionMailCarriesTheLinksWhenTheSurveyIsOnForTheContact() throws {
        var state = ReactionTests.MemoryState()
        state.history = [.ticket(.opened(ReactionTests.opened))]
        state.survey = SurveySettings(enabled: true, portalURL: "https://support.msp.example", isSet: true)
        let secret = SurveySecret(secret: String(repeating: "0f", count: 32), hash: Self.hash)
        let output = try TicketReactions.run(closeInput(secret), state: state)
        let sent = output.events.compactMap { if case .ticket(.surveySent(let s)) = $0 { s } else { nil } }
        #expect(sent == [TicketSurveySent(close: 1, contact: "acme-1", linkHash: Self.hash, expiresAt: Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch + 30 * 86_400_000))])
        let mail = try #require(output.events.compactMap { if case .outbox(.queued(let m)) = $0, m.reason == .resolution { m } else { nil } }.first)
        let body = mail.message.replacingOccurrences(of: "=\r\n", with: "")
        for rating in ["good", "okay", "bad"] {
            #expect(body.contains("https://support.msp.example/portal/rate/T-1001.1.\(secret.secret)/\(rating)"), "\(rating)")
        }
        #expect(!body.contains(Self.hash), "only the mail has the secret; only the log has its hash")
        // Off for the store, opted out, no secret, or no contact: the mail goes without links.
        var off = state
        off.survey.enabled = false
        var optedOut = state
        optedOut.clientSurvey["acme"] = SurveySettings(enabled: false, isSet: true)
        var noContact = state
        var opened = ReactionTests.opened
        opened.contact = nil
        noContact.history = [.ticket(.opened(opened)), .ticketMail(.received(TicketMailReceived(
            messageId: "<a@acme.example>", from: "carla@acme.example", fromName: nil, subject: "Printer offline", text: "", kind: "new",
            attachments: [])))]
        for (name, input, state) in [("off", closeInput(secret), off), ("opted out", closeInput(secret), optedOut), ("no secret", closeInput(nil), state),
            ("no contact", closeInput(secret), noContact)]
        {
            let output = try TicketReactions.run(input, state: state)
            #expect(!output.events.contains { if case .ticket(.surveySent) = $0 { true } else { false } }, "\(name)")
            let mail = output.events.compactMap { if case .outbox(.queued(let m)) = $0, m.reason == .resolution { m } else { nil } }.first
            #expect(mail?.message.contains("/portal/rate/") == false, "\(name)")
        }
    }

    @Test func aBadRatingPagesTheChannelsSubscribedToIt() throws {
        var state = ReactionTests.MemoryState()
        state.history = [.ticket(.opened(ReactionTests.opened)), .ticket(.closed(TicketClosed(resolution: "Driver reinstalled")))]
        var desk = NotifyState()
        desk.name = "desk"
        desk.url = "https://chat.example/hook"
        desk.on = [.ratedBad]
        desk.isActive = true
        var pager = desk
        pager.name = "pager"
        pager.on = [.slaBreached]
        state.channels = [desk, pager]
        func pages(_ rating: SatisfactionRating) throws -> [TicketMailQueued] {
            let event = DocketEvent.ticket(.rated(TicketRated(rating: rating, comment: "Still jams", contact: "acme-1", close: 1)))
            let input = ReactionInput(
                ticket: ReactionTests.number, caused: [event], context: Self.contact, recordedAt: Self.now, supportAddress: "help@msp.example",
                messageSeed: 7)
            return try TicketReactions.run(input, state: state).events.compactMap { if case .outbox(.queued(let m)) = $0 { m } else { nil } }
        }
        let bad = try pages(.bad)
        #expect(bad.map(\.to) == [["desk"]] && bad.allSatisfy { $0.reason == .page })
        let page = try #require(bad.first)
        #expect(page.subject == "[T-1001] Rating: the client rated the resolution bad — Printer offline")
        #expect(page.message == """
            {"at":"2026-11-02T09:00:00.000Z","client":"acme","clientName":"Acme Dental","comment":"Still jams","event":"rated-bad",\
            "id":"\(page.messageId)","priority":"P3","rating":"bad","subject":"Printer offline","ticket":"T-1001"}
            """)
        #expect(try pages(.okay).isEmpty && pages(.good).isEmpty, "only a bad rating pages; no mail to the client either")
    }
}
