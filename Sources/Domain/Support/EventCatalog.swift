/// Every event type and version Docket reads and writes, in catalogue order.
public enum EventCatalog {
    /// All entries: tickets (and their SLA events), clients, contracts, users, templates, calendars, SLA policies.
    public static let all: [EventDescriptor] =
        TicketEvent.catalog + TicketSLAEvent.catalog + TicketAlertEvent.catalog + TicketMailEvent.catalog + OutboxEvent.catalog + ClientEvent.catalog + ContractEvent.catalog + UserEvent.catalog
        + TemplateEvent.catalog + CalendarEvent.catalog + SLAPolicyEvent.catalog + RoutingRulesEvent.catalog + TimeEvent.catalog + InvoiceEvent.catalog
        + TokenEvent.catalog + HookEvent.catalog + PortalEvent.catalog

    /// The entry for `type` in `schemaVersion`, if Docket knows it.
    public static func descriptor(type: String, schemaVersion: UInt16) -> EventDescriptor? {
        all.first { $0.type == type && $0.schemaVersion == schemaVersion }
    }
}

/// Any domain event, for code that reads the whole log (exports, projections, `docket log`).
public enum DocketEvent: Sendable, Equatable {
    /// A `ticket.*` event.
    case ticket(TicketEvent)
    /// A `client.*` event.
    case client(ClientEvent)
    /// A `contract.*` event.
    case contract(ContractEvent)
    /// A `user.*` event.
    case user(UserEvent)
    /// A `template.*` event.
    case template(TemplateEvent)
    /// A `ticket.sla-*` or `ticket.escalated` event (on a ticket stream, next to ``ticket(_:)`` events).
    case ticketSLA(TicketSLAEvent)
    /// A `ticket.alert-received` event.
    case ticketAlert(TicketAlertEvent)
    /// A `ticket.mail-received` event.
    case ticketMail(TicketMailEvent)
    /// A `ticket.mail-queued` event (on a ticket stream), or a `mail.*` delivery event (on a `mail-` stream).
    case outbox(OutboxEvent)
    /// A `calendar.*` event.
    case calendar(CalendarEvent)
    /// An `sla-policy.*` event.
    case slaPolicy(SLAPolicyEvent)
    /// A `routing.*` event.
    case routing(RoutingRulesEvent)
    /// A `time.*` event (time entries and timers).
    case time(TimeEvent)
    /// An `invoice.*` event (on a `billing-` stream, or a number sequence stream).
    case invoice(InvoiceEvent)
    /// A `token.*` event (API tokens).
    case token(TokenEvent)
    /// A `hook.*` event (webhook sources).
    case hook(HookEvent)
    /// A `portal.*` event (a contact's sign-in links and sessions).
    case portal(PortalEvent)
}

extension DocketEvent: DomainEvent {
    public static var catalog: [EventDescriptor] { EventCatalog.all }

    private var event: any DomainEvent {
        switch self {
        case .ticket(let e): e
        case .client(let e): e
        case .contract(let e): e
        case .user(let e): e
        case .template(let e): e
        case .ticketSLA(let e): e
        case .ticketAlert(let e): e
        case .ticketMail(let e): e
        case .outbox(let e): e
        case .calendar(let e): e
        case .slaPolicy(let e): e
        case .routing(let e): e
        case .time(let e): e
        case .invoice(let e): e
        case .token(let e): e
        case .hook(let e): e
        case .portal(let e): e
        }
    }

    public var eventType: String { event.eventType }
    public var schemaVersion: UInt16 { event.schemaVersion }
    public func payload() -> [UInt8] { event.payload() }

    /// Dispatches on the type's category (the part before the first dot); in the `ticket` category, the SLA types
    /// (``TicketSLAEvent/handles(type:)``) go to ``TicketSLAEvent`` and the others to ``TicketEvent``.
    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> DocketEvent {
        let category = type.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        switch category {
        case "ticket" where TicketSLAEvent.handles(type: type):
            return .ticketSLA(try TicketSLAEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "ticket" where TicketAlertEvent.catalog.contains(where: { $0.type == type }):
            return .ticketAlert(try TicketAlertEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "ticket" where TicketMailEvent.catalog.contains(where: { $0.type == type }):
            return .ticketMail(try TicketMailEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "ticket" where OutboxEvent.handles(type: type):
            return .outbox(try OutboxEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "ticket":
            return .ticket(try TicketEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "mail":
            return .outbox(try OutboxEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "client":
            return .client(try ClientEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "contract":
            return .contract(try ContractEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "user": return .user(try UserEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "template":
            return .template(try TemplateEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "calendar":
            return .calendar(try CalendarEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "sla-policy":
            return .slaPolicy(try SLAPolicyEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "routing":
            return .routing(try RoutingRulesEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "time":
            return .time(try TimeEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "invoice":
            return .invoice(try InvoiceEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "token":
            return .token(try TokenEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "hook":
            return .hook(try HookEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        case "portal":
            return .portal(try PortalEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload))
        default: throw EventCodec.unknown(type: type, schemaVersion: schemaVersion)
        }
    }
}
