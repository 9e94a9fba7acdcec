/// Every event type and version Docket reads and writes, in catalogue order (from the families' registrations).
public enum EventCatalog {
    /// All entries: tickets (and the other subsystems' events on tickets), mail, clients, contracts, users,
    /// templates, calendars, SLA policies, routing, time, invoices, tokens, webhook sources, notification channels, one-off charges.
    public static let all: [EventDescriptor] = DocketEvent.families.flatMap(\.catalog)

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
    /// A `ticket.attachment-added` event.
    case ticketAttachment(TicketAttachmentEvent)
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
    /// A `schedule.*` event (recurring tickets).
    case schedule(ScheduleEvent)
    /// A `notify.*` event (outbound notification channels).
    case notify(NotifyEvent)
    /// A `charge.*` event (one-off charges).
    case charge(ChargeEvent)
    /// A `follow-up.*` event (the follow-up policy for tickets waiting on the client).
    case followUp(FollowUpEvent)
    /// A `survey.*` event (the client satisfaction survey's settings).
    case survey(SurveyEvent)
}

extension DocketEvent: DomainEvent {
    /// One event family and the case of ``DocketEvent`` that carries it.
    struct Family: Sendable {
        let catalog: [EventDescriptor]
        let readers: [(type: String, read: @Sendable (String, UInt16, [UInt8]) throws -> DocketEvent)]

        init<F: RegisteredEventFamily>(_: F.Type, _ wrap: @escaping @Sendable (F) -> DocketEvent) {
            catalog = F.catalog
            readers = F.registrations.map { registration in
                (registration.descriptor.type, { type, schemaVersion, payload in wrap(try registration.read(type, schemaVersion, payload)) })
            }
        }
    }

    /// Every family, in catalogue order: the one dispatch for anything that reads any event.
    static let families: [Family] = [
        Family(TicketEvent.self) { .ticket($0) }, Family(TicketSLAEvent.self) { .ticketSLA($0) },
        Family(TicketAlertEvent.self) { .ticketAlert($0) }, Family(TicketMailEvent.self) { .ticketMail($0) },
        Family(TicketAttachmentEvent.self) { .ticketAttachment($0) },
        Family(OutboxEvent.self) { .outbox($0) }, Family(ClientEvent.self) { .client($0) },
        Family(ContractEvent.self) { .contract($0) }, Family(UserEvent.self) { .user($0) },
        Family(TemplateEvent.self) { .template($0) }, Family(CalendarEvent.self) { .calendar($0) },
        Family(SLAPolicyEvent.self) { .slaPolicy($0) }, Family(RoutingRulesEvent.self) { .routing($0) },
        Family(TimeEvent.self) { .time($0) }, Family(InvoiceEvent.self) { .invoice($0) }, Family(TokenEvent.self) { .token($0) },
        Family(HookEvent.self) { .hook($0) }, Family(PortalEvent.self) { .portal($0) },
        Family(ScheduleEvent.self) { .schedule($0) }, Family(NotifyEvent.self) { .notify($0) },
        Family(ChargeEvent.self) { .charge($0) },
        Family(FollowUpEvent.self) { .followUp($0) }, Family(SurveyEvent.self) { .survey($0) },
    ]

    /// The reader of each type string (type strings are unique across families: EventCodingTests checks it).
    private static let readers: [String: @Sendable (String, UInt16, [UInt8]) throws -> DocketEvent] = Dictionary(
        families.flatMap(\.readers).map { ($0.type, $0.read) }, uniquingKeysWith: { first, _ in first })

    public static var catalog: [EventDescriptor] { EventCatalog.all }

    /// The family's event this case carries.
    private var event: any DomainEvent {
        guard let event = Mirror(reflecting: self).children.first?.value as? any DomainEvent else {
            preconditionFailure("DocketEvent has a case without a family event")
        }
        return event
    }

    public var eventType: String { event.eventType }
    public var schemaVersion: UInt16 { event.schemaVersion }
    public func payload() -> [UInt8] { event.payload() }

    /// Reads any event Docket knows, by its type string.
    public static func decode(type: String, schemaVersion: UInt16, payload: [UInt8]) throws -> DocketEvent {
        guard let read = readers[type] else { throw EventCodec.unknown(type: type, schemaVersion: schemaVersion) }
        return try read(type, schemaVersion, payload)
    }
}
