import Foundation

/// Something that happened to the satisfaction survey's settings: the store's (stream `survey-settings`) or one
/// client's (stream `survey-settings-<client>`).
public enum SurveyEvent: Sendable, Equatable {
    /// See ``SurveySettingsSet``.
    case settingsSet(SurveySettingsSet)
}

/// `survey.settings-set.v1`: the one-click satisfaction survey was turned on or off, for the store (with the portal's
/// public URL its links start with) or for one client (off: its contacts get no survey links).
public struct SurveySettingsSet: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "survey", type: "survey.settings-set", schemaVersion: 1,
        summary: "The satisfaction survey was turned on (with the portal's public URL) or off, for the store or one client.")
    /// Whether resolution mail carries rating links (for the client: whether its contacts get them).
    public var enabled: Bool
    /// The portal's public base URL the links start with (`https://support.msp.example`); the store's only.
    public var portalURL: String?
    /// The client this setting is for (stream `survey-settings-<client>`); absent: the store's.
    public var client: String?

    /// A payload with the given fields.
    public init(enabled: Bool, portalURL: String? = nil, client: String? = nil) {
        self.enabled = enabled
        self.portalURL = portalURL
        self.client = client
    }
}

extension SurveyEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<SurveyEvent>] = [
        .init(SurveySettingsSet.self) { .settingsSet($0) }
    ]
}

/// What a user asks of the survey settings: the store's (`client` nil) or a client's own.
public enum SurveyCommand: Sendable, Equatable {
    /// Turn the survey on; for the store, with `portalURL` (required the first time, kept after).
    case on(portalURL: String?, client: String? = nil)
    /// Turn it off: the store's switch, or one client's opt-out.
    case off(client: String? = nil)

    /// The client the command is about; nil: the store.
    public var client: String? {
        switch self {
        case .on(_, let client), .off(let client): client
        }
    }
}

/// The survey settings of one stream.
public struct SurveySettings: Sendable, Equatable {
    /// On or off (a client with no setting of its own: on, following the store's).
    public var enabled: Bool
    /// The store's portal URL, once set.
    public var portalURL: String?
    /// Whether the stream holds a setting.
    public var isSet: Bool

    /// Settings with the given fields; ``SurveyDecider/initialState`` is off, never set.
    public init(enabled: Bool = false, portalURL: String? = nil, isSet: Bool = false) {
        self.enabled = enabled
        self.portalURL = portalURL
        self.isSet = isSet
    }

    /// The base URL of the survey links for a ticket of a client whose own settings are `client`: the store's portal
    /// URL when the store's survey is on and the client has not opted out; nil: no links.
    public func linkBase(client: SurveySettings) -> String? {
        guard enabled, let portalURL, !client.isSet || client.enabled else { return nil }
        return portalURL
    }
}

/// The survey settings aggregate: each event the whole setting of its stream. Dispatch work
/// (``Action/manageSurvey``: dispatchers and admins), like the follow-up policy.
public enum SurveyDecider: Decider {
    public static let initialState = SurveySettings()
    /// The longest portal URL.
    public static let maxURLBytes = 200

    public static func decide(_ command: SurveyCommand, state: SurveySettings, context: DecisionContext) throws(DomainError) -> [SurveyEvent] {
        try Permissions.require(.manageSurvey, by: context.actor.role)
        switch command {
        case .off(let client):
            guard state.enabled || (client != nil && !state.isSet) else { return [] }
            return [.settingsSet(SurveySettingsSet(enabled: false, portalURL: state.portalURL, client: client))]
        case .on(let url, let client?):
            if url != nil {
                throw DomainError(.invalid, "--portal-url is the store's, not a client's; give it without --client (`docket survey on --portal-url URL`)")
            }
            // A client that never opted out follows the store's: nothing to turn on.
            guard state.isSet, !state.enabled else { return [] }
            return [.settingsSet(SurveySettingsSet(enabled: true, client: client))]
        case .on(let url, nil):
            let portalURL = try url.map(checkedURL) ?? state.portalURL
            guard let portalURL else {
                throw DomainError(
                    .invalid, "the survey links need the portal's public URL; give it once: `docket survey on --portal-url https://support.example.com`")
            }
            guard !state.enabled || portalURL != state.portalURL else { return [] }
            return [.settingsSet(SurveySettingsSet(enabled: true, portalURL: portalURL))]
        }
    }

    public static func evolve(_ state: SurveySettings, _ event: SurveyEvent) -> SurveySettings {
        switch event {
        case .settingsSet(let e): SurveySettings(enabled: e.enabled, portalURL: e.portalURL ?? state.portalURL, isSet: true)
        }
    }

    /// `text` as the portal's base URL: `http://` or `https://`, a host, no query, fragment, white space or quote, at
    /// most ``maxURLBytes``; a trailing `/` and a trailing `/portal` are dropped (the links add `/portal/rate/…`).
    static func checkedURL(_ text: String) throws(DomainError) -> String {
        var url = text.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/portal") { url.removeLast("/portal".count) }
        let lower = url.lowercased()
        let scheme = lower.hasPrefix("https://") ? "https://" : lower.hasPrefix("http://") ? "http://" : nil
        let bad = url.unicodeScalars.contains {
            $0.properties.isWhitespace || $0.properties.generalCategory == .control || "?#\"'<>\\".unicodeScalars.contains($0) || !$0.isASCII
        }
        guard let scheme, url.count > scheme.count, !bad, url.utf8.count <= maxURLBytes else {
            throw DomainError(
                .invalid,
                "--portal-url \"\(String(text.prefix(80)))\" is not a portal URL; give the address contacts reach, such as https://support.example.com")
        }
        return url
    }
}
