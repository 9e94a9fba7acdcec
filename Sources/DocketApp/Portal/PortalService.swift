import BusinessTime
import Crypto
import DocketTime
import Domain
import EventLog
import Foundation

/// The client portal's use cases (docs/intake.md, "Client portal"): a contact asks for a one-time sign-in link by
/// e-mail address (queued in the outbox), follows it into a session, sees and works their client's tickets, and signs
/// out. Every change is an event through the same deciders and kernel as everything else, with the contact as the
/// envelope's actor (`contact:<id>`, which no user login can be); a billing contact also reads the client's invoices
/// and credit notes. Uses the directory, the tickets and billing.
public struct PortalService: Sendable, FeatureService {
    let shared: ServiceContext
    let directory: DirectoryService
    let tickets: TicketService
    let billing: BillingService

    init(shared: ServiceContext, directory: DirectoryService, tickets: TicketService, billing: BillingService) {
        self.shared = shared
        self.directory = directory
        self.tickets = tickets
        self.billing = billing
    }

    /// The priorities a contact may choose for a new ticket (P1 stays for the MSP to set, or monitoring).
    public static let allowedPriorities: [Priority] = [.p2, .p3, .p4]
    /// The longest subject, description and reply a contact may send, in bytes.
    public static let maxSubjectBytes = 200
    public static let maxTextBytes = 20_000

    /// A signed-in contact: who, of which client, under which session.
    public struct SignedIn: Sendable, Equatable {
        public var contact: String
        public var client: String
        public var name: String
        /// SHA-256 of the session secret (the cookie's second half), lower-case hex.
        public var sessionHash: String
        /// A billing contact of the client (``ContactDetails/isBilling``), who reads its invoices and credit notes.
        public var billing = false
    }

    /// One sign-in link queued: for which contact, and the outbox message carrying it.
    public struct LinkQueued: Sendable, Equatable {
        public var contact: String
        public var messageId: String
    }

    // MARK: - Sign-in links

    /// Queues a sign-in link to every verified contact whose address is `email` (case-insensitive), as outbox mail
    /// whose link starts with `baseURL` (e.g. `https://support.example/portal`). Unknown addresses queue nothing and
    /// are not an error (the page says the same either way); a contact over the hourly limit gets no new link.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func requestLink(email: String, baseURL: String) throws -> [LinkQueued] {
        let wanted = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard wanted.contains("@"), wanted.utf8.count <= 254 else { return [] }
        var queued: [LinkQueued] = []
        for client in try directory.clients() where client.isActive {
            guard let code = client.code else { continue }
            for (id, details) in client.contacts.sorted(by: { $0.key < $1.key }) where details.email.lowercased() == wanted && details.unverified != true {
                let secret = Self.secret()
                let context = contactContext(id)
                let mail = try signInMail(to: details, client: client.name, link: baseURL + "/link/" + id + "." + secret, now: context.now)
                do {
                    // The link and the mail carrying it go in one append: there is never a link nobody was sent.
                    try kernel.execute(commandId: nil, actor: context.actor.login, replay: { _ in () }) {
                        let stream = StreamName.portal(id)
                        let (state, version) = try kernel.load(PortalDecider.self, stream: stream)
                        let events = try PortalDecider.decide(
                            .issueLink(client: code, contact: id, details: details, linkHash: Self.hash(secret)), state: state, context: context)
                        var request = kernel.request(stream: stream, version: version, events: events, context: context, commandId: nil)
                        request.events.append(mail.event)
                        return CommandKernel.Decision(appends: [request], output: ())
                    }
                } catch let error as DomainError where error.code == .conflict {
                    warnings?("no new sign-in link for \(id): \(error.message)")
                    continue
                }
                queued.append(LinkQueued(contact: id, messageId: mail.messageId))
            }
        }
        return queued
    }

    /// The mail carrying a sign-in link (reason `sign-in`; no ticket); its body is the `mail-sign-in` template in force.
    private func signInMail(to contact: ContactDetails, client: String, link: String, now: Timestamp) throws -> (event: NewEvent, messageId: String) {
        let messageId = "portal.\(String(Self.secret().prefix(16)))@docket"
        let subject = "Your sign-in link for the \(client) support portal"
        let body = try MailTemplate.signIn.render(
            stored: try LogState(store: store).storedTemplate(MailTemplate.signIn.name),
            values: [
                "greeting": "Hello" + (contact.name.isEmpty ? "" : " " + contact.name), "recipient.name": contact.name, "client.name": client,
                "portal.link": link,
            ])
        let message = OutboundMessage(
            from: configuration.supportAddress, to: contact.email, toName: contact.name.isEmpty ? nil : contact.name, subject: subject, date: now,
            messageId: messageId, inReplyTo: nil, isAutomatic: true, ticket: "", body: body)
        let event = OutboxEvent.queued(TicketMailQueued(
            messageId: messageId, reason: .signIn, to: [contact.email], subject: subject, inReplyTo: nil, message: message.rendered))
        return (NewEvent(type: event.eventType, schemaVersion: event.schemaVersion, payload: event.payload()), messageId)
    }

    // MARK: - Sessions

    /// Follows the link token `contact.secret` (the last part of the link): the link is used up and a session opens.
    /// Returns the session cookie's value (`contact.secret`, a new secret). Unknown, used and expired links are refused
    /// with ``DomainError/Code/unauthenticated``.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func redeem(link token: String) throws -> String {
        guard let (contact, secret) = Self.split(token) else {
            throw DomainError(.unauthenticated, "this sign-in link is not valid; ask for a new one")
        }
        let sessionSecret = Self.secret()
        try kernel.run(
            PortalDecider.self, stream: StreamName.portal(contact),
            command: .followLink(linkHash: Self.hash(secret), sessionHash: Self.hash(sessionSecret)), context: contactContext(contact))
        return contact + "." + sessionSecret
    }

    /// The contact signed in with the session cookie `contact.secret`, nil when it is not an open session (unknown,
    /// expired, signed out), the contact is no longer a verified contact of an active client, or the session was
    /// opened before the client was last deactivated (deactivation signs every contact out for good: reactivating the
    /// client does not bring old sessions back; its contacts sign in again).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func session(_ cookie: String) throws -> SignedIn? {
        guard let (contact, secret) = Self.split(cookie) else { return nil }
        let (state, _) = try kernel.load(PortalDecider.self, stream: StreamName.portal(contact))
        let hash = Self.hash(secret)
        guard state.isSignedIn(sessionHash: hash, at: clock.now()), let code = state.client, let expires = state.sessions[hash] else {
            return nil
        }
        guard let client = try? directory.client(code), client.isActive, let details = client.contacts[contact], details.unverified != true
        else { return nil }
        let opened = expires.millisecondsSinceEpoch - PortalDecider.sessionLifetime
        if let deactivated = try lastDeactivation(of: code), opened <= deactivated.millisecondsSinceEpoch { return nil }
        return SignedIn(contact: contact, client: code, name: details.name, sessionHash: hash, billing: details.isBilling)
    }

    /// How the portal writes times for the contact: in their client's time zone (UTC when it is not a known zone), as
    /// the client reads its tickets' due times and its invoices' dates.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func clientTime(for signedIn: SignedIn) -> ZoneText {
        ZoneText(zone: (try? directory.client(signedIn.client)).flatMap { WallTimeZone($0.timeZone) } ?? .utc)
    }

    /// When client `code` was last deactivated, from its stream (newest first; nil when never).
    func lastDeactivation(of code: String) throws -> Timestamp? {
        let stream = StreamName.client(code)
        var version = UInt64.max
        while true {
            let page = try kernel.store.read(stream: stream, from: version, direction: .backward, limit: 64)
            if let event = page.first(where: { $0.type == ClientDeactivated.descriptor.type }) { return event.recordedAt }
            guard let oldest = page.last, oldest.streamVersion > 1 else { return nil }
            version = oldest.streamVersion - 1
        }
    }

    /// Ends `signedIn`'s session: its cookie never works again.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func signOut(_ signedIn: SignedIn) throws {
        try kernel.run(
            PortalDecider.self, stream: StreamName.portal(signedIn.contact), command: .signOut(sessionHash: signedIn.sessionHash),
            context: contactContext(signedIn.contact))
    }

    // MARK: - Helpers

    /// The decision context of a contact acting in the portal: the envelope's actor is `contact:<id>`. The role is only
    /// what the ticket decider checks; the portal never issues anything but opening a ticket and a public comment.
    func contactContext(_ contact: String) -> DecisionContext {
        DecisionContext(actor: Actor(login: "contact:" + contact, role: .tech), now: clock.now())
    }

    /// 32 random bytes as lower-case hex.
    static func secret() -> String {
        var random = SystemRandomNumberGenerator()
        return hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
    }

    /// A new survey link secret with its hash (``ReactionInput/surveySecret``).
    static func surveySecret() -> SurveySecret {
        let secret = secret()
        return SurveySecret(secret: secret, hash: hash(secret))
    }

    /// SHA-256 of `secret`'s UTF-8 bytes, lower-case hex (what the log keeps).
    static func hash(_ secret: String) -> String { hex(Array(SHA256.hash(data: Array(secret.utf8)))) }

    /// `contact.secret` split at the last dot; nil unless the secret is 64 hex digits and the contact id is plausible.
    static func split(_ token: String) -> (contact: String, secret: String)? {
        guard token.utf8.count <= 200, let dot = token.lastIndex(of: ".") else { return nil }
        let contact = String(token[..<dot])
        let secret = String(token[token.index(after: dot)...])
        guard secret.utf8.count == 64, secret.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            !contact.isEmpty, contact.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "/") })
        else { return nil }
        return (contact, secret)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }
}
