import DocketTime

/// What a client's contact (or the portal on their behalf) asks of their portal access (stream `portal-<contact>`).
/// The secrets are made and hashed by the caller (I/O: a random source); decisions see only their SHA-256.
public enum PortalCommand: Sendable, Equatable {
    /// Issue a sign-in link for contact `contact` of `client` (whose details the caller looked up: nil when unknown).
    case issueLink(client: String, contact: String, details: ContactDetails?, linkHash: String)
    /// Follow the link whose secret hashes to `linkHash`, opening a session whose cookie hashes to `sessionHash`.
    case followLink(linkHash: String, sessionHash: String)
    /// End the session whose cookie hashes to `sessionHash`.
    case signOut(sessionHash: String)
}

/// What portal decisions need: the links issued (expiry, used), the sessions, and when recent links were issued.
public struct PortalState: Sendable, Equatable {
    /// The contact's client, once a link was issued.
    public var client: String?
    /// The contact's id.
    public var contact: String?
    /// Issued links by hash: expiry, and whether used.
    public var links: [String: (expiresAt: Timestamp, used: Bool)] = [:]
    /// Open sessions by hash: expiry.
    public var sessions: [String: Timestamp] = [:]
    /// When the links of the last hour were issued (for the limit).
    public var recentIssues: [Timestamp] = []

    /// An empty state.
    public init() {}

    /// Whether the session `hash` is open at `now`.
    public func isSignedIn(sessionHash hash: String, at now: Timestamp) -> Bool {
        guard let expires = sessions[hash] else { return false }
        return now < expires
    }

    public static func == (a: PortalState, b: PortalState) -> Bool {
        a.client == b.client && a.contact == b.contact && a.sessions == b.sessions && a.recentIssues == b.recentIssues
            && a.links.keys == b.links.keys && a.links.allSatisfy { b.links[$0.key]?.expiresAt == $0.value.expiresAt && b.links[$0.key]?.used == $0.value.used }
    }
}

/// The portal-access aggregate: one-time sign-in links (single use, 15 minutes, at most 5 an hour per contact) and
/// the sessions they open (30 days, or until signed out).
public enum PortalDecider: Decider {
    public static let initialState = PortalState()
    /// How long a sign-in link works.
    public static let linkLifetime: Int64 = 15 * 60_000
    /// How long a session lasts.
    public static let sessionLifetime: Int64 = 30 * 86_400_000
    /// The most links a contact may be sent in an hour (the limit survives restarts: it is read from the log).
    public static let linksPerHour = 5

    public static func decide(_ command: PortalCommand, state: PortalState, context: DecisionContext) throws(DomainError) -> [PortalEvent] {
        let now = context.now.millisecondsSinceEpoch
        switch command {
        case .issueLink(let client, let contact, let details, let linkHash):
            guard let details, details.unverified != true else {
                throw DomainError(.notFound, "no verified contact \(contact) of \(client); ask the MSP to add or confirm you")
            }
            let recent = state.recentIssues.filter { now - $0.millisecondsSinceEpoch < 3_600_000 }
            guard recent.count < linksPerHour else {
                throw DomainError(.conflict, "too many sign-in links for \(contact) in the last hour; use the last one sent, or wait")
            }
            return [.linkIssued(PortalLinkIssued(
                client: client, contact: contact, email: details.email, linkHash: linkHash,
                expiresAt: Timestamp(millisecondsSinceEpoch: now + linkLifetime)))]
        case .followLink(let linkHash, let sessionHash):
            guard let link = state.links[linkHash] else { throw DomainError(.unauthenticated, "this sign-in link is not valid; ask for a new one") }
            guard !link.used else { throw DomainError(.unauthenticated, "this sign-in link was already used; ask for a new one") }
            guard now < link.expiresAt.millisecondsSinceEpoch else {
                throw DomainError(.unauthenticated, "this sign-in link expired (links work for 15 minutes); ask for a new one")
            }
            return [.linkUsed(PortalLinkUsed(
                linkHash: linkHash, sessionHash: sessionHash, sessionExpiresAt: Timestamp(millisecondsSinceEpoch: now + sessionLifetime)))]
        case .signOut(let sessionHash):
            guard state.sessions[sessionHash] != nil else { return [] }
            return [.signedOut(PortalSignedOut(sessionHash: sessionHash))]
        }
    }

    public static func evolve(_ state: PortalState, _ event: PortalEvent) -> PortalState {
        var state = state
        switch event {
        case .linkIssued(let e):
            state.client = e.client
            state.contact = e.contact
            state.links[e.linkHash] = (e.expiresAt, false)
            let issuedAt = e.expiresAt.millisecondsSinceEpoch - linkLifetime
            state.recentIssues = (state.recentIssues + [Timestamp(millisecondsSinceEpoch: issuedAt)])
                .filter { issuedAt - $0.millisecondsSinceEpoch < 3_600_000 }
        case .linkUsed(let e):
            if let link = state.links[e.linkHash] { state.links[e.linkHash] = (link.expiresAt, true) }
            state.sessions[e.sessionHash] = e.sessionExpiresAt
        case .signedOut(let e):
            state.sessions[e.sessionHash] = nil
        }
        return state
    }
}

/// What a contact of a client may see of tickets: their client's only, and only the public part of each.
public enum PortalTenancy {
    /// Whether a contact of `contactClient` may see a ticket of `ticketClient`: never another client's.
    public static func maySee(ticketClient: String, contactClient: String) -> Bool {
        ticketClient == contactClient
    }

    /// The events of a ticket a contact may read: internal comments are left out.
    public static func publicEvents(_ events: [TicketEvent]) -> [TicketEvent] {
        events.filter {
            if case .commented(let comment) = $0 { return comment.visibility == .public }
            return true
        }
    }
}
