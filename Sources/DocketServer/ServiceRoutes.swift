import DocketApp
import Domain

/// The routes answered by the application's services directly: every write and the hot reads. Deciding is then
/// cheap, so concurrent writes reach the group commit together and share one durable transaction. Each does
/// what its CLI command does (the same service call, the same role rules in the services, the same text or JSON).
enum ServiceRoutes {
    static let all: [ResourceRoute] = [
        .serviceWrite(
            "/v1/tickets", command: "ticket open",
            fields: ["client", "subject", "contact", "category", "priority", "source", "description", "assign"].map(ResourceRoute.Source.body),
            status: .created, openTicket),
        .serviceRead(
            "/v1/tickets", command: "ticket list", fields: ["client", "status", "priority", "assignee", "order", "search"].map(ResourceRoute.Source.query),
            listOf: "number", listTickets),
        .serviceRead("/v1/tickets/{number}", command: "ticket show", fields: [.path("number")], showTicket).versioned(),
        .serviceWrite(
            "/v1/tickets/{number}/comments", command: "ticket comment", fields: [.path("number"), .body("text"), .body("internal")],
            status: .created
        ) { input, app in
            let isInternal = try input.flag(.body("internal"))
            let text = try input.required(.body("text"))
            return try change(input, app, .comment(text, visibility: isInternal ? .internal : .public), done: isInternal ? "internal note added" : "public comment added")
        }.versioned(),
        .serviceWrite(
            "/v1/tickets/{number}/close", command: "ticket close",
            fields: [.path("number")] + ["resolution", "time", "workType", "nonBillable", "noTime", "reason", "silenceAlert"].map(ResourceRoute.Source.body),
            closeTicket
        ).versioned(),
        .serviceWrite("/v1/tickets/{number}/assign", command: "ticket assign", fields: [.path("number"), .body("to")]) { input, app in
            let to = try input.required(.body("to"))
            return try change(input, app, .assign(to: to, user: nil), done: "assigned to \(to)")
        }.versioned(),
        .serviceWrite("/v1/tickets/{number}/take", command: "ticket take", fields: [.path("number")]) { input, app in
            let number = try ticketNumber(input, .path("number"))
            let events = try app.tickets.take(number, as: input.actor, commandId: input.commandId, expectedVersion: input.expectedVersion)
            return .result(events.isEmpty ? "\(number): already yours" : "\(number): assigned to \(input.actor)")
        }.versioned(),
        .serviceWrite("/v1/tickets/{number}/status", command: "ticket status", fields: [.path("number"), .body("status")]) { input, app in
            let status = try input.requiredParsed(.body("status"), "one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))", TicketStatus.init)
            return try change(input, app, .setStatus(status), done: "status \(status.displayName)")
        }.versioned(),
        .serviceRead(
            "/v1/queue", command: "queue",
            fields: ["client", "status", "priority", "assignee", "mine", "unassigned", "search"].map(ResourceRoute.Source.query), listOf: "number", queue),
        .serviceWrite(
            "/v1/time", command: "time log",
            fields: ["ticket", "duration", "workType", "at", "nonBillable", "note", "for"].map(ResourceRoute.Source.body), status: .created,
            logTime),
    ]

    /// `docket ticket open`: prints the new ticket's number.
    static func openTicket(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let client = try input.required(.body("client"))
        let subject = try input.required(.body("subject"))
        let priority = try input.parsed(.body("priority"), "one of P1, P2, P3, P4") { Priority(rawValue: $0.uppercased()) } ?? .p3
        let source =
            try input.parsed(.body("source"), "one of \(TicketSource.allCases.map(\.rawValue).joined(separator: ", "))", TicketSource.init)
            ?? .phone
        let intake = TicketIntake(
            client: client, contact: input.text(.body("contact")), category: input.text(.body("category")), priority: priority,
            source: source, subject: subject, description: input.text(.body("description")) ?? "", assignee: input.text(.body("assign")))
        return .result(try app.tickets.openTicket(intake, as: input.actor, commandId: input.commandId).description)
    }

    /// `docket ticket comment|assign|status`: `T-1001: <done>`, or `nothing to change`.
    static func change(_ input: RouteInput, _ app: DocketApplication, _ command: TicketCommand, done: String) throws -> RouteAnswer {
        let number = try ticketNumber(input, .path("number"))
        let events = try app.tickets.ticket(number, command, as: input.actor, commandId: input.commandId, expectedVersion: input.expectedVersion)
        return .result(events.isEmpty ? "\(number): nothing to change" : "\(number): \(done)")
    }

    /// `docket ticket close`: a resolution, and the closer's time logged with it, none (with a reason), or
    /// already logged (a server has no terminal to ask on).
    static func closeTicket(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let number = try ticketNumber(input, .path("number"))
        let time = input.text(.body("time"))
        let workType = input.text(.body("workType"))
        let reason = input.text(.body("reason"))
        let nonBillable = try input.flag(.body("nonBillable"))
        let noTime = try input.flag(.body("noTime"))
        if time != nil && noTime { throw Problem.badRequest("give time or noTime, not both") }
        if noTime && reason == nil { throw Problem.badRequest("noTime needs a reason: why no time was spent") }
        if reason != nil && !noTime { throw Problem.badRequest("reason goes with noTime") }
        if time == nil && (workType != nil || nonBillable) { throw Problem.badRequest("workType and nonBillable go with time") }
        let resolution = try input.required(.body("resolution"))
        let closeTime: CloseTime
        if let time {
            closeTime = .log(minutes: try TimeDuration.parse(time), workType: workType ?? "remote", billable: !nonBillable)
        } else if noTime {
            closeTime = .none(reason: reason ?? "")
        } else {
            closeTime = .alreadyLogged
        }
        let silence = try input.text(.body("silenceAlert")).map { try AlertSilence.milliseconds($0) }
        let result = try app.tickets.closeTicket(
            number, resolution: resolution, time: closeTime, as: input.actor, commandId: input.commandId, expectedVersion: input.expectedVersion,
            silencingAlertFor: silence)
        let silenced = result.alertSilencedUntil.map { "; its alert is silenced until \($0.iso8601)" } ?? ""
        let children = result.closedChildren.isEmpty ? "" : "; also closed \(result.closedChildren.map(\.description).joined(separator: ", ")) (linked under it)"
        if let entry = result.entryId, case .log(let minutes, _, _, _) = closeTime {
            return .result("\(number): closed; \(minutes) min logged as \(entry)\(silenced)\(children)")
        }
        return .result("\(number): closed\(silenced)\(children)")
    }

    /// `docket time log`: prints the entry's id. A zoneless `at` is read in the caller's own time zone, else the
    /// ticket's client's (``TypedTime``).
    static func logTime(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let ticket = try ticketNumber(input, .body("ticket"))
        let minutes = try TimeDuration.parse(try input.required(.body("duration")))
        let startedAt = try input.text(.body("at")).map { try TypedTime.parse($0, about: ticket, by: input.actor, in: app) }
        let entry = try app.billing.logTime(
            TimeLogRequest(
                ticket: ticket, minutes: minutes, workType: input.text(.body("workType")) ?? "remote",
                billable: !(try input.flag(.body("nonBillable"))), startedAt: startedAt, note: input.text(.body("note")),
                tech: input.text(.body("for"))),
            as: input.actor, commandId: input.commandId)
        return .result(entry)
    }

    /// `docket ticket show --json`: the ticket, its SLA clocks and its history.
    static func showTicket(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let number = try ticketNumber(input, .path("number"))
        let summary = try app.tickets.ticketSummary(number)
        let clock = summary.sla == nil ? nil : try app.sla.clock(of: number)
        let history = try app.tickets.ticketHistory(number)
        let view = TicketDetailView(
            ticket: summary, clock: clock, history: history, now: try app.now(),
            undelivered: try app.outbox.undelivered(on: number), mailThread: try app.intake.mailThread(number),
            followUp: try app.tickets.followUp(of: summary, history: history), clientStaffNote: try app.directory.client(summary.client).staffNote)
        return try .encoding(view)
    }

    /// `docket ticket list --json`: every ticket, open or closed, by number, the newest first unless `order=oldest`.
    static func listTickets(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        var filter = try ticketFilter(input)
        filter.assignee = input.text(.query("assignee"))
        let order = try input.parsed(.query("order"), "newest or oldest", TicketListOrder.init) ?? .newestFirst
        try requireKnown(filter, app)
        return try .encoding(try app.tickets.list(filter, order: order, limit: input.fetch).map(TicketSummaryView.init))
    }

    /// `docket queue --json`: open tickets in work order; `mine`, `unassigned` and `assignee` exclude each other.
    static func queue(_ input: RouteInput, _ app: DocketApplication) throws -> RouteAnswer {
        let mine = try input.flag(.query("mine"))
        let unassigned = try input.flag(.query("unassigned"))
        let assignee = input.text(.query("assignee"))
        if [mine, unassigned, assignee != nil].filter({ $0 }).count > 1 { throw Problem.badRequest("use one of mine, unassigned and assignee") }
        var filter = try ticketFilter(input)
        // The queue holds open tickets: `status=closed` answered an empty page, as if none were closed (the CLI's
        // `queue --status closed` is refused alike).
        if filter.status == .closed {
            throw Problem.badRequest("the queue holds open tickets, never closed ones; list those with GET /v1/tickets?status=closed")
        }
        filter.assignee = mine ? input.actor : assignee
        filter.unassignedOnly = unassigned
        try requireKnown(filter, app)
        return try .encoding(try app.tickets.queue(filter, limit: input.fetch).map(TicketSummaryView.init))
    }

    /// Refuses a filter naming an unknown client or assignee (404 naming it), as `ticket list` and `queue` do: a typo is
    /// reported, not answered with no tickets.
    static func requireKnown(_ filter: QueueFilter, _ app: DocketApplication) throws {
        if let client = filter.client { _ = try app.directory.client(client) }
        if let assignee = filter.assignee { _ = try app.directory.user(assignee) }
    }

    /// The filters `ticket list` and `queue` share: client, status, priority.
    static func ticketFilter(_ input: RouteInput) throws -> QueueFilter {
        let search = input.text(.query("search"))
        if let search, search.allSatisfy(\.isWhitespace) { throw Problem.badRequest("search needs at least one word, e.g. search=printer") }
        return QueueFilter(
            client: input.text(.query("client")),
            status: try input.parsed(.query("status"), "one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))", TicketStatus.init),
            priority: try input.parsed(.query("priority"), "one of P1, P2, P3, P4") { Priority(rawValue: $0.uppercased()) }, search: search)
    }

    /// A ticket number (`T-1042`, any case), required.
    static func ticketNumber(_ input: RouteInput, _ source: ResourceRoute.Source) throws -> TicketNumber {
        try input.requiredParsed(source, "a ticket number like T-1042") { TicketNumber($0.uppercased()) }
    }
}
