import DocketTime

/// Something that happened to an outbound notification channel (stream `notify-<name>`).
public enum NotifyEvent: Sendable, Equatable {
    /// See ``NotifyChannelAdded``.
    case added(NotifyChannelAdded)
    /// See ``NotifyChannelRotated``.
    case rotated(NotifyChannelRotated)
    /// See ``NotifyChannelRemoved``.
    case removed(NotifyChannelRemoved)
}

/// What a channel is told about: the SLA events `docket tick` records on a ticket, and a client's bad rating of a
/// resolution (`ticket.rated`, rating `bad`).
public enum NotifyTrigger: String, Sendable, Codable, CaseIterable {
    /// `ticket.sla-warned` (a warning threshold reached; not one recorded as overtaken by its breach).
    case slaWarned = "sla-warned"
    /// `ticket.sla-breached`.
    case slaBreached = "sla-breached"
    /// `ticket.escalated` (an escalation rule fired; not one recorded as moot).
    case escalated
    /// `ticket.rated` with rating `bad`: a client is unhappy with a resolution (a dispatcher's channel, not a pager's:
    /// not in ``defaults``).
    case ratedBad = "rated-bad"

    /// What a channel is told about when `--on` is not given: what pages someone.
    public static let defaults: [NotifyTrigger] = [.slaBreached, .escalated]
}

/// `notify.channel-added.v1`: an admin added an outbound channel (an HTTP(S) endpoint: PagerDuty, Opsgenie, a chat
/// webhook, a script) told about the SLA events it is subscribed to. Its signing secret is sealed under the store's
/// key file, never in clear.
public struct NotifyChannelAdded: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "notify", type: "notify.channel-added", schemaVersion: 1,
        summary: "An outbound notification channel was added: its URL, the SLA events it is told about, its signing secret sealed.")
    /// The channel's name (the stream is `notify-<name>`).
    public var name: String
    /// Where deliveries are POSTed: `http://` or `https://` with a host. With ``sealedUrl`` (channels added since
    /// 2026-12-08), only the URL's scheme and host (and port), for people: the whole URL is sealed.
    public var url: String
    /// The events the channel is told about, in catalogue order, each once.
    public var on: [NotifyTrigger]
    /// The signing secret, sealed under the store's key file (as webhook sources' are).
    public var secret: SealedHookSecret
    /// The whole URL, sealed under the store's key file as the secret is: a chat's incoming-webhook URL is a bearer
    /// secret (whoever has it may post to the channel), which the log kept in clear. Absent for channels added before
    /// 2026-12-08, whose ``url`` is the whole URL.
    public var sealedUrl: SealedHookSecret?

    /// A payload with the given fields.
    public init(name: String, url: String, on: [NotifyTrigger], secret: SealedHookSecret, sealedUrl: SealedHookSecret? = nil) {
        self.name = name
        self.url = url
        self.on = on
        self.secret = secret
        self.sealedUrl = sealedUrl
    }
}

/// `notify.channel-rotated.v1`: the channel signs with a new secret from now on.
public struct NotifyChannelRotated: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "notify", type: "notify.channel-rotated", schemaVersion: 1,
        summary: "An outbound notification channel got a new signing secret, sealed.")
    /// The new secret, sealed.
    public var secret: SealedHookSecret

    /// A payload with the given secret.
    public init(secret: SealedHookSecret) {
        self.secret = secret
    }
}

/// `notify.channel-removed.v1`: the channel is told about nothing more.
public struct NotifyChannelRemoved: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "notify", type: "notify.channel-removed", schemaVersion: 1,
        summary: "An outbound notification channel was removed: nothing more is delivered to it.")

    /// The payload (it has no fields).
    public init() {}
}

extension NotifyEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<NotifyEvent>] = [
        .init(NotifyChannelAdded.self) { .added($0) },
        .init(NotifyChannelRotated.self) { .rotated($0) },
        .init(NotifyChannelRemoved.self) { .removed($0) },
    ]
}
