import DocketTime
import Foundation

/// How a client's contact rated the resolution of a ticket (`ticket.rated`): the three faces of a one-click survey.
public enum SatisfactionRating: String, Sendable, Codable, CaseIterable {
    case good, okay, bad

    /// `text` as a rating (`good`, `okay`, `bad`, any case); throws ``DomainError/Code/invalid`` naming the three.
    public static func parse(_ text: String) throws(DomainError) -> SatisfactionRating {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let rating = SatisfactionRating(rawValue: trimmed) else {
            throw DomainError(.invalid, "a rating is good, okay or bad, not \"\(String(text.prefix(40)))\"; give one of the three")
        }
        return rating
    }
}

/// `ticket.rated.v1`: a contact of the ticket's client rated the resolution of one close of the ticket (from the
/// resolution mail's link, or in the portal). A later rating of the same close replaces this one in reports; both
/// stay in the log.
public struct TicketRated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.rated", schemaVersion: 1,
        summary: "A contact of the client rated the ticket's resolution good, okay or bad, with an optional comment.")
    /// The rating.
    public var rating: SatisfactionRating
    /// What the contact wrote with it, trimmed; absent when nothing.
    public var comment: String?
    /// The contact who rated (the envelope's actor is `contact:<id>`).
    public var contact: String
    /// Which close it rates: 1 for the ticket's first `ticket.closed`, 2 after it was reopened and closed again, ….
    public var close: Int

    /// A payload with the given fields.
    public init(rating: SatisfactionRating, comment: String?, contact: String, close: Int) {
        self.rating = rating
        self.comment = comment
        self.contact = contact
        self.close = close
    }
}

/// `ticket.survey-sent.v1`: the resolution mail of one close carries the one-click rating links (queued in the same
/// append). Only SHA-256 of the links' secret is kept; the links stop working at ``expiresAt``.
public struct TicketSurveySent: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "ticket", type: "ticket.survey-sent", schemaVersion: 1,
        summary: "The resolution mail carries one-click rating links for this close; only SHA-256 of their secret is kept.")
    /// Which close the links rate (``TicketRated/close``).
    public var close: Int
    /// The contact the mail goes to, who rates through the links.
    public var contact: String
    /// SHA-256 of the links' secret, lower-case hex.
    public var linkHash: String
    /// When the links stop working (30 days after the close).
    public var expiresAt: Timestamp

    /// A payload with the given fields.
    public init(close: Int, contact: String, linkHash: String, expiresAt: Timestamp) {
        self.close = close
        self.contact = contact
        self.linkHash = linkHash
        self.expiresAt = expiresAt
    }

    private enum CodingKeys: String, CodingKey { case close, contact, linkHash, expiresAt }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        close = try c.decode(Int.self, forKey: .close)
        contact = try c.decode(String.self, forKey: .contact)
        linkHash = try c.decode(String.self, forKey: .linkHash)
        expiresAt = try c.decodeTimestamp(forKey: .expiresAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(close, forKey: .close)
        try c.encode(contact, forKey: .contact)
        try c.encode(linkHash, forKey: .linkHash)
        try c.encode(timestamp: expiresAt, forKey: .expiresAt)
    }
}

/// The survey links of the ticket's latest close that has them (what rating by link needs).
public struct SurveyLinkState: Sendable, Equatable {
    /// The close they rate.
    public var close: Int
    /// The contact they were mailed to.
    public var contact: String
    /// SHA-256 of their secret.
    public var linkHash: String
    /// When they stop working.
    public var expiresAt: Timestamp

    /// A state with the given fields.
    public init(close: Int, contact: String, linkHash: String, expiresAt: Timestamp) {
        self.close = close
        self.contact = contact
        self.linkHash = linkHash
        self.expiresAt = expiresAt
    }
}

/// What a contact sends to rate a resolution (``TicketCommand/rate(_:)``).
public struct RateResolution: Sendable, Equatable {
    /// Who rates: the holder of a survey link (its close and the SHA-256 of its secret), or a contact signed in to the
    /// portal (the application checked they are a contact of the ticket's client).
    public enum Rater: Sendable, Equatable {
        case link(close: Int, linkHash: String)
        case contact(String)
    }

    public var rating: SatisfactionRating
    /// The comment as typed (trimmed and bounded by the decider).
    public var comment: String?
    public var rater: Rater

    /// A rating with the given fields.
    public init(rating: SatisfactionRating, comment: String?, rater: Rater) {
        self.rating = rating
        self.comment = comment
        self.rater = rater
    }
}

/// The one-click satisfaction survey's rules (docs/cli.md, "Client satisfaction").
public enum Satisfaction {
    /// How long the links of a resolution mail work: 30 days.
    public static let linkLifetime: Int64 = 30 * 86_400_000
    /// The longest comment, in bytes (UTF-8).
    public static let maxCommentBytes = 2_000

    /// Decides a rating of `state`'s latest close: the ticket must be closed (not merged); a link must be the one of
    /// that close, and in time; the comment is trimmed (blank: none) and at most ``maxCommentBytes``.
    static func decide(_ rate: RateResolution, state: TicketState, now: Timestamp) throws(DomainError) -> [TicketEvent] {
        let number = try TicketDecider.requireExisting(state)
        if let target = state.mergedInto {
            throw DomainError(.merged, "ticket \(number) was merged into \(target); rate \(target) when it is resolved")
        }
        guard state.status == .closed, state.closes > 0 else {
            throw DomainError(
                .conflict, "ticket \(number) is not closed (status \(state.status.displayName)); its resolution can be rated once it is closed")
        }
        var comment = rate.comment?.trimmingCharacters(in: .whitespacesAndNewlines)
        if comment?.isEmpty == true { comment = nil }
        if let comment, comment.utf8.count > maxCommentBytes {
            throw DomainError(.invalid, "the comment is \(comment.utf8.count) bytes, over the \(maxCommentBytes) allowed; shorten it")
        }
        let contact: String
        switch rate.rater {
        case .contact(let id):
            contact = id
        case .link(let close, let hash):
            guard close == state.closes else {
                throw DomainError(
                    .unauthenticated,
                    "this rating link is for an earlier resolution of ticket \(number); use the link in the latest resolution mail, or rate it in the portal")
            }
            guard let survey = state.survey, survey.close == close, survey.linkHash == hash else {
                throw DomainError(.unauthenticated, "this rating link is not valid; use the link in the resolution mail as it came, or rate the ticket in the portal")
            }
            guard now < survey.expiresAt else {
                throw DomainError(
                    .unauthenticated, "this rating link expired (links work for 30 days after the ticket is closed); rate the ticket in the portal")
            }
            contact = survey.contact
        }
        return [.rated(TicketRated(rating: rate.rating, comment: comment, contact: contact, close: state.closes))]
    }
}
