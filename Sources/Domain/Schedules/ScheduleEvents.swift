/// Something that happened to a recurring ticket schedule (stream `schedule-<id>`).
public enum ScheduleEvent: Sendable, Equatable {
    /// See ``ScheduleDefined``.
    case defined(ScheduleDefined)
    /// See ``ScheduleRemoved``.
    case removed(ScheduleRemoved)
}

/// `schedule.defined.v1`: a recurring ticket (maintenance, a monthly check) was scheduled for a client.
public struct ScheduleDefined: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "schedule", type: "schedule.defined", schemaVersion: 1,
        summary: "A recurring ticket was scheduled: docket tick opens it for the client at each occurrence.")
    /// The schedule's id: 2 to 64 lower-case letters, digits and dashes.
    public var id: String
    /// The client the tickets are opened for.
    public var client: String
    /// The tickets' subject and description.
    public var subject: String
    public var description: String?
    /// The tickets' priority, category and assignee. Each one given wins over a routing rule's action for the same field;
    /// one left out is the rule's (``RoutingDecision/appliedActions``), else P3 for the priority. Definitions recorded
    /// before the rules applied to schedules always carry a priority (P3 when none was asked for).
    public var priority: Priority?
    public var category: String?
    public var assignee: String?
    /// When the tickets are opened.
    public var recurrence: Recurrence

    /// A payload with the given fields.
    public init(
        id: String, client: String, subject: String, description: String?, priority: Priority?, category: String?, assignee: String?,
        recurrence: Recurrence
    ) {
        self.id = id
        self.client = client
        self.subject = subject
        self.description = description
        self.priority = priority
        self.category = category
        self.assignee = assignee
        self.recurrence = recurrence
    }
}

/// `schedule.removed.v1`: the schedule opens no more tickets (its id may be defined again).
public struct ScheduleRemoved: EventPayload {
    /// This payload's catalogue entry.
    public static let descriptor = EventDescriptor(
        category: "schedule", type: "schedule.removed", schemaVersion: 1,
        summary: "The schedule was removed: it opens no more tickets; its id may be defined again.")
    /// The payload (it has no fields).
    public init() {}
}

extension ScheduleEvent: RegisteredEventFamily {
    public static let registrations: [EventRegistration<ScheduleEvent>] = [
        .init(ScheduleDefined.self) { .defined($0) },
        .init(ScheduleRemoved.self) { .removed($0) },
    ]
}
