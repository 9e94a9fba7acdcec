import DocketTime

/// What an admin asks of an outbound notification channel (stream `notify-<name>`).
public enum NotifyCommand: Sendable, Equatable {
    /// Add channel `name` POSTing to `url` about `on` (empty: ``NotifyTrigger/defaults``). The secret is made and
    /// sealed by the caller (a random source, the key file); the decision sees only the sealed form. With `sealedURL`
    /// (`url` sealed by the caller, as the secret), the log keeps only `url`'s scheme and host (``NotifyDecider/displayURL(_:)``).
    case add(name: String, url: String, on: [NotifyTrigger], secret: SealedHookSecret, sealedURL: SealedHookSecret? = nil)
    /// Sign with a new secret from now on.
    case rotate(secret: SealedHookSecret)
    /// Deliver nothing more to the channel. `pagedBy`: the SLA policies that page it in terms in force or taking effect
    /// later (``SLAPolicyState/escalations(paging:from:)``), read by the caller; any refuses the removal.
    case remove(pagedBy: [PolicyPaging] = [])
}

/// An SLA policy that pages a notification channel, with the ids of its escalation rules that do.
public struct PolicyPaging: Sendable, Equatable {
    /// The policy's id.
    public var policy: String
    /// Its escalation rules that page the channel; not empty.
    public var rules: [String]

    /// `policy` paging through `rules`.
    public init(policy: String, rules: [String]) {
        self.policy = policy
        self.rules = rules
    }
}

/// What channel decisions and deliveries need.
public struct NotifyState: Sendable, Equatable {
    /// The channel's name; nil until added.
    public var name: String?
    /// Where deliveries go; for a channel whose URL is sealed (``sealedURL``), its scheme and host only.
    public var url: String = ""
    /// The whole URL, sealed; nil for a channel added before URLs were sealed (``url`` is the whole URL).
    public var sealedURL: SealedHookSecret?
    /// What it is told about.
    public var on: [NotifyTrigger] = []
    /// The current signing secret, sealed.
    public var secret: SealedHookSecret?
    /// False once removed.
    public var isActive = false

    /// An empty state.
    public init() {}
}

/// The notification-channel aggregate (stream `notify-<name>`): admins add channels, rotate their secrets and remove
/// them. A removed channel's name may be added again (a new URL, a new secret).
public enum NotifyDecider: Decider {
    public static let initialState = NotifyState()

    public static func decide(_ command: NotifyCommand, state: NotifyState, context: DecisionContext) throws(DomainError) -> [NotifyEvent] {
        guard context.actor.role == .admin else {
            throw DomainError(.forbidden, "only an admin may manage notification channels; \(context.actor) is not: ask an admin")
        }
        switch command {
        case .add(let name, let url, let on, let secret, let sealedURL):
            let name = try validName(name)
            guard !state.isActive else {
                throw DomainError(
                    .conflict, "notification channel \(name) already exists; remove it first (`docket notify remove \(name)`) or rotate its secret")
            }
            let url = try validURL(url)
            let chosen = on.isEmpty ? NotifyTrigger.defaults : NotifyTrigger.allCases.filter(on.contains)
            return [.added(NotifyChannelAdded(
                name: name, url: sealedURL == nil ? url : displayURL(url), on: chosen, secret: secret, sealedUrl: sealedURL))]
        case .rotate(let secret):
            guard state.isActive else { throw notFound }
            return [.rotated(NotifyChannelRotated(secret: secret))]
        case .remove(let pagedBy):
            guard state.isActive else { throw notFound }
            if let first = pagedBy.first {
                // Removed, the channel would have every page those rules queue cancelled: the policy changes first.
                let paging = pagedBy.map { "SLA policy \($0.policy) (escalation rule\($0.rules.count == 1 ? "" : "s") \($0.rules.joined(separator: ", ")))" }
                throw DomainError(
                    .conflict,
                    "notification channel \(state.name ?? "") is paged by \(paging.joined(separator: ", ")), whose pages would all be cancelled; "
                        + "drop or change \(pagedBy.count == 1 && first.rules.count == 1 ? "that rule" : "those rules") first "
                        + "(`docket sla-policy amend \(first.policy) --file … --effective …`), then remove the channel")
            }
            return [.removed(NotifyChannelRemoved())]
        }
    }

    public static func evolve(_ state: NotifyState, _ event: NotifyEvent) -> NotifyState {
        var state = state
        switch event {
        case .added(let e):
            state.name = e.name
            state.url = e.url
            state.on = e.on
            state.secret = e.secret
            state.sealedURL = e.sealedUrl
            state.isActive = true
        case .rotated(let e):
            state.secret = e.secret
        case .removed:
            state.isActive = false
        }
        return state
    }

    /// `name` if it can name a channel: 1 to 64 lower-case letters, digits and dashes, not starting with a dash.
    public static func validName(_ name: String) throws(DomainError) -> String {
        try Validate.slug(name, "channel name", length: 1...64)
    }

    private static var notFound: DomainError {
        DomainError(.notFound, "no such notification channel; list them with `docket notify list`")
    }

    /// `url` if it is an absolute `http://` or `https://` URL with a host, at most 2048 bytes, of printable ASCII
    /// without spaces, and without a user or password (what people are shown of it, and what the log kept of older
    /// channels, would carry them; a receiver that needs a key takes it in the path, which is sealed, or checks the
    /// signature). Refused with a message naming the problem otherwise.
    public static func validURL(_ url: String) throws(DomainError) -> String {
        let fix = "give an absolute http:// or https:// URL with a host, e.g. https://events.example.com/docket"
        let bytes = Array(url.utf8)
        guard !bytes.isEmpty, bytes.count <= 2048, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw DomainError(.invalid, "the URL \"\(url)\" is empty, too long, or has spaces or characters outside ASCII; \(fix)")
        }
        let lower = url.lowercased()
        guard let scheme = ["https://", "http://"].first(where: lower.hasPrefix) else {
            throw DomainError(.invalid, "the URL \"\(url)\" is not http:// or https://; \(fix)")
        }
        let rest = url.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else {
            throw DomainError(.invalid, "the URL \"\(url)\" has a user or password, which Docket would show to whoever lists the channels; \(fix)")
        }
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw DomainError(.invalid, "the URL \"\(url)\" has no host; \(fix)") }
            let port = host[host.index(after: close)...]
            guard port.isEmpty || (port.hasPrefix(":") && isPort(port.dropFirst())) else {
                throw DomainError(.invalid, "the URL \"\(url)\" has a bad port; \(fix)")
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            guard isPort(host[host.index(after: colon)...]) else {
                throw DomainError(.invalid, "the URL \"\(url)\" has a bad port; \(fix)")
            }
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw DomainError(.invalid, "the URL \"\(url)\" has no host; \(fix)") }
        return url
    }

    /// `url`'s scheme and authority (host and port), without its path, query or fragment: what people are shown of a
    /// channel's URL, and what the log keeps of one added with its URL sealed (`https://hooks.slack.com` of a Slack
    /// incoming webhook, whose path is the secret).
    public static func displayURL(_ url: String) -> String {
        guard let separator = url.range(of: "://") else { return url }
        let authority = url[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(url[..<separator.upperBound]) + authority
    }

    private static func isPort(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCII), let port = Int(text) else { return false }
        return (1...65_535).contains(port)
    }
}
