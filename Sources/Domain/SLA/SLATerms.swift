/// What an SLA policy promises: which calendar counts business time (for every priority, or per priority), the targets
/// per priority, when to warn and how to escalate.
///
/// JSON: `{"calendar": "ny-office", "calendars": {"P1": "24x7"}, "targets": {"P1": {"responseMinutes": 30, "resolutionMinutes": 240}, …},
/// "warnAtPercent": [75, 90], "escalations": [{"id": "p1-untouched", "priorities": ["P1"],
/// "untouchedMinutes": 15, "action": {"kind": "notify-dispatchers"}}]}`. `targets` must hold `P1` to `P4`;
/// `warnAtPercent` defaults to `[75, 90]` and `escalations` to `[]` when left out of an input file (payloads always
/// write them); `calendars` may be left out (no priority has a calendar of its own) and is written only when it holds
/// one, so terms without it have the bytes they always had. The rules on the values are checked by ``SLAPolicyDecider``.
public struct SLATerms: Codable, Sendable, Equatable {
    /// The default warning thresholds: 75 % and 90 % of a target.
    public static let defaultWarnAtPercent = [75, 90]

    /// A calendar id, or `24x7` for the built-in round-the-clock calendar.
    public var calendar: String
    /// The calendars of the priorities that do not count business time with ``calendar`` (`P1: 24x7`: a P1 is worked
    /// round the clock, the others in office hours); a priority not listed uses ``calendar``. Usually empty.
    public var calendars: [Priority: String]
    /// The targets of each priority; all four are required.
    public var targets: [Priority: SLATarget]
    /// Percentages of a target at which to warn: ascending, each 1…99, possibly empty.
    public var warnAtPercent: [Int]
    /// What to do when a ticket stays without a response.
    public var escalations: [EscalationRule]

    /// Terms with the given fields.
    public init(
        calendar: String, calendars: [Priority: String] = [:], targets: [Priority: SLATarget],
        warnAtPercent: [Int] = SLATerms.defaultWarnAtPercent, escalations: [EscalationRule] = []
    ) {
        self.calendar = calendar
        self.calendars = calendars
        self.targets = targets
        self.warnAtPercent = warnAtPercent
        self.escalations = escalations
    }

    /// The calendar id that counts business time for `priority`: its own (``calendars``), else ``calendar``.
    public func calendar(for priority: Priority) -> String { calendars[priority] ?? calendar }

    /// The priorities ``calendars`` gives ``calendar`` itself: they count on it anyway, and ``SLAPolicyDecider/validate(_:)``
    /// drops them.
    public var prioritiesGivenThePolicysCalendar: [Priority] { Priority.allCases.filter { calendars[$0] == calendar } }

    private enum CodingKeys: String, CodingKey { case calendar, calendars, targets, warnAtPercent, escalations }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calendar = try c.decode(String.self, forKey: .calendar)
        calendars = try c.decodeIfPresent(PriorityKeyed<String>.self, forKey: .calendars)?.values ?? [:]
        targets = try c.decode(PriorityTargets.self, forKey: .targets).targets
        warnAtPercent = try c.decodeIfPresent([Int].self, forKey: .warnAtPercent) ?? Self.defaultWarnAtPercent
        escalations = try c.decodeIfPresent([EscalationRule].self, forKey: .escalations) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(calendar, forKey: .calendar)
        if !calendars.isEmpty { try c.encode(PriorityKeyed(calendars), forKey: .calendars) }
        try c.encode(PriorityTargets(targets), forKey: .targets)
        try c.encode(warnAtPercent, forKey: .warnAtPercent)
        try c.encode(escalations, forKey: .escalations)
    }
}

/// The response and resolution targets of one priority, in business minutes.
public struct SLATarget: Codable, Sendable, Hashable {
    /// Business minutes until the first public reply is due; more than 0, at most `resolutionMinutes`.
    public var responseMinutes: Int
    /// Business minutes until the ticket must be closed; more than 0.
    public var resolutionMinutes: Int

    /// A target pair.
    public init(responseMinutes: Int, resolutionMinutes: Int) {
        self.responseMinutes = responseMinutes
        self.resolutionMinutes = resolutionMinutes
    }

    /// The target of `clock`, in business minutes.
    public func minutes(for clock: SLAClockKind) -> Int {
        switch clock {
        case .response: responseMinutes
        case .resolution: resolutionMinutes
        }
    }
}

/// What happens when a ticket of some priorities stays `untouchedMinutes` business minutes without a response.
public struct EscalationRule: Codable, Sendable, Hashable {
    /// 2 to 64 lower-case letters, digits and dashes, unique within the terms, e.g. `p1-untouched`.
    public var id: String
    /// The priorities the rule watches (the ticket's current priority must be one of them); not empty.
    public var priorities: [Priority]
    /// Business minutes without a response (counted by the response clock) before the rule fires; more than 0.
    public var untouchedMinutes: Int
    /// What the application does when the rule fires.
    public var action: EscalationAction

    /// A rule.
    public init(id: String, priorities: [Priority], untouchedMinutes: Int, action: EscalationAction) {
        self.id = id
        self.priorities = priorities
        self.untouchedMinutes = untouchedMinutes
        self.action = action
    }
}

/// What an escalation does. JSON: `{"kind": "notify-dispatchers"}`, `{"kind": "assign", "login": "dora"}`,
/// `{"kind": "raise-priority"}`, `{"kind": "page", "channel": "oncall"}`.
public enum EscalationAction: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Tell every dispatcher.
    case notifyDispatchers
    /// Assign the ticket to the user with this login.
    case assign(login: String)
    /// Raise the priority one step (P4 → P3 → P2 → P1; nothing above P1).
    case raisePriority
    /// Page the outbound notification channel with this name (`docket notify add`), whatever it is subscribed to.
    case page(channel: String)

    private enum CodingKeys: String, CodingKey { case kind, login, channel }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "notify-dispatchers": self = .notifyDispatchers
        case "assign": self = .assign(login: try c.decode(String.self, forKey: .login))
        case "raise-priority": self = .raisePriority
        case "page": self = .page(channel: try c.decode(String.self, forKey: .channel))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription:
                    "\"\(kind)\" is not an escalation kind; use notify-dispatchers, assign, raise-priority or page")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .notifyDispatchers: try c.encode("notify-dispatchers", forKey: .kind)
        case .assign(let login):
            try c.encode("assign", forKey: .kind)
            try c.encode(login, forKey: .login)
        case .raisePriority: try c.encode("raise-priority", forKey: .kind)
        case .page(let channel):
            try c.encode("page", forKey: .kind)
            try c.encode(channel, forKey: .channel)
        }
    }

    /// The channel a `page` action pages; nil for the other actions.
    public var pagedChannel: String? {
        if case .page(let channel) = self { channel } else { nil }
    }

    /// `notify-dispatchers`, `assign dora`, `raise-priority`, `page oncall`.
    public var description: String {
        switch self {
        case .notifyDispatchers: "notify-dispatchers"
        case .assign(let login): "assign \(login)"
        case .raisePriority: "raise-priority"
        case .page(let channel): "page \(channel)"
        }
    }
}

/// One of a ticket's two SLA clocks. JSON: `"response"` or `"resolution"`.
public enum SLAClockKind: String, Codable, CaseIterable, Sendable, Comparable, CustomStringConvertible {
    /// Until the first public reply.
    case response
    /// Until the ticket is closed (or merged).
    case resolution

    public var description: String { rawValue }

    /// Response sorts first.
    public static func < (lhs: SLAClockKind, rhs: SLAClockKind) -> Bool { lhs == .response && rhs == .resolution }
}

/// `[Priority: SLATarget]` as a JSON object keyed `P1` … `P4`, written in priority order; all four are required.
struct PriorityTargets: Codable, Equatable {
    var targets: [Priority: SLATarget]

    init(_ targets: [Priority: SLATarget]) { self.targets = targets }

    init(from decoder: any Decoder) throws {
        let keyed = try PriorityKeyed<SLATarget>(from: decoder)
        if let missing = Priority.allCases.first(where: { keyed.values[$0] == nil }) {
            throw DecodingError.keyNotFound(
                PriorityKey(stringValue: missing.rawValue),
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "no target for \(missing.rawValue)"))
        }
        targets = keyed.values
    }

    func encode(to encoder: any Encoder) throws { try PriorityKeyed(targets).encode(to: encoder) }
}

/// A priority (`P1` … `P4`) or any other key of a JSON object, as a coding key.
struct PriorityKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `[Priority: Value]` as a JSON object keyed `P1` … `P4`, written in priority order; any of them may be left out, and a
/// key that is not a priority is refused.
struct PriorityKeyed<Value: Codable & Equatable>: Codable, Equatable {
    var values: [Priority: Value]

    init(_ values: [Priority: Value]) { self.values = values }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: PriorityKey.self)
        // Every key checked before any value is read, and the values in priority order: the error a file gets does not
        // depend on the order its keys come in.
        for key in c.allKeys where Priority(rawValue: key.stringValue) == nil {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "\"\(key.stringValue)\" is not a priority; use P1 to P4")
        }
        var values: [Priority: Value] = [:]
        for priority in Priority.allCases {
            let key = PriorityKey(stringValue: priority.rawValue)
            if c.contains(key) { values[priority] = try c.decode(Value.self, forKey: key) }
        }
        self.values = values
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: PriorityKey.self)
        for priority in Priority.allCases {
            if let value = values[priority] { try c.encode(value, forKey: PriorityKey(stringValue: priority.rawValue)) }
        }
    }
}
