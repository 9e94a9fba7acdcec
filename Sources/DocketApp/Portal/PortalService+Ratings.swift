import DocketTime
import Domain
import EventLog

/// What a survey link's page shows (`GET /portal/rate/<token>/<rating>`): the ticket it rates, and the rating already
/// given for that close, if any.
public struct SurveyLinkPage: Sendable, Equatable {
    /// The ticket.
    public var number: TicketNumber
    /// Its subject.
    public var subject: String
    /// The rating of this close already in force, if any (a new one replaces it).
    public var given: TicketRated?
}

extension PortalService {
    /// The refusal of a link that is not one of ours: malformed, altered, for a missing ticket or one never sent links.
    static let invalidLink = DomainError(
        .unauthenticated, "this rating link is not valid; use the link in the resolution mail as it came, or rate the ticket in the portal")

    /// What a contact's survey link stands for: `T-1042.<close>.<64 hex>`; nil when it is not of that shape.
    static func surveyToken(_ token: String) -> (number: TicketNumber, close: Int, secret: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 120, parts.count == 3, let number = TicketNumber(String(parts[0])), let close = Int(parts[1]), close > 0,
            parts[2].utf8.count == 64, parts[2].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        return (number, close, String(parts[2]))
    }

    /// Checks survey link `token` without writing anything (a mail scanner's GET must record nothing): the ticket it
    /// rates and the rating given so far. An unknown, superseded or expired link is refused with
    /// ``DomainError/Code/unauthenticated``, as its POST would be.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func surveyLink(_ token: String) throws -> SurveyLinkPage {
        let (number, state, contact) = try surveyTarget(token)
        // The decision the POST would take, events thrown away: the same refusals, nothing appended.
        _ = try TicketDecider.decide(
            .rate(RateResolution(rating: .good, comment: nil, rater: try rater(token))), state: state, context: contactContext(contact))
        let summary = try tickets.ticketSummary(number)
        return SurveyLinkPage(number: number, subject: summary.subject, given: try currentRating(number, close: state.closes))
    }

    /// Records the rating `rating` (`good`, `okay` or `bad`) and `comment` through survey link `token`, as the contact
    /// the link was mailed to (`contact:<id>`). Refused with nothing written: an unknown, superseded or expired link
    /// (``DomainError/Code/unauthenticated``), a rating that is none of the three or a comment over the bound
    /// (``DomainError/Code/invalid``), a ticket reopened since (``DomainError/Code/conflict``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func rate(link token: String, rating: String, comment: String?) throws -> TicketRated {
        let rating = try SatisfactionRating.parse(rating)
        let (number, _, contact) = try surveyTarget(token)
        let rater = try rater(token)
        return try record(number, RateResolution(rating: rating, comment: comment, rater: rater), contact: contact)
    }

    /// Records the signed-in contact's rating of ticket `number`'s latest close. Another client's ticket is the same
    /// not-found as a missing one; a ticket not closed is a ``DomainError/Code/conflict``.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func rate(_ number: TicketNumber, rating: String, comment: String?, for signedIn: SignedIn) throws -> TicketRated {
        let rating = try SatisfactionRating.parse(rating)
        _ = try visibleSummary(number, for: signedIn)
        return try record(number, RateResolution(rating: rating, comment: comment, rater: .contact(signedIn.contact)), contact: signedIn.contact)
    }

    /// The rating in force of ticket `number`'s close `close` (its last `ticket.rated`), nil when it has none.
    func currentRating(_ number: TicketNumber, close: Int) throws -> TicketRated? {
        try store.read(stream: StreamName.ticket(number)).reversed().lazy.compactMap { recorded -> TicketRated? in
            guard recorded.type == TicketRated.descriptor.type, case .ticket(.rated(let r)) = try? TicketChange(recorded), r.close == close else {
                return nil
            }
            return r
        }.first
    }

    private func record(_ number: TicketNumber, _ rate: RateResolution, contact: String) throws -> TicketRated {
        let context = contactContext(contact)
        let stream = StreamName.ticket(number)
        return try kernel.execute(commandId: nil, actor: context.actor.login, replay: { _ in throw DomainError(.conflict, "unexpected retry") }) {
            let (state, version) = try kernel.load(TicketDecider.self, stream: stream)
            let events = try TicketDecider.decide(.rate(rate), state: state, context: context)
            guard case .rated(let rated)? = events.first else { throw DomainError(.conflict, "the rating was not recorded; try again") }
            // The ticket's reactions run on the append (a bad rating pages the channels subscribed to rated-bad).
            return CommandKernel.Decision(
                appends: [kernel.request(stream: stream, version: version, events: events, context: context, commandId: nil)], output: rated,
                reacting: ReactionCue(context: context))
        }
    }

    /// The ticket a survey link rates, its state, and the contact the link was mailed to; the same refusal for a
    /// malformed link, a missing ticket and one that never had survey links, and another for a link whose contact was
    /// removed from the client, or whose client was deactivated, since.
    private func surveyTarget(_ token: String) throws -> (TicketNumber, TicketState, String) {
        guard let (number, _, _) = Self.surveyToken(token) else { throw Self.invalidLink }
        let (state, _) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(number))
        guard state.exists, let survey = state.survey else { throw Self.invalidLink }
        // A contact removed from the client since (who left its company), or a deactivated client, rates no more: as
        // their sign-in links and sessions stop working.
        guard let client = try? directory.client(state.client), client.isActive, client.contacts[survey.contact] != nil else {
            throw DomainError(.unauthenticated, "this rating link is no longer valid: its contact is no longer one of the client's; contact us instead")
        }
        return (number, state, survey.contact)
    }

    private func rater(_ token: String) throws -> RateResolution.Rater {
        guard let (_, close, secret) = Self.surveyToken(token) else { throw Self.invalidLink }
        return .link(close: close, linkHash: Self.hash(secret))
    }
}
