/// The ticket aggregate (stream `ticket-T-<n>`): opening, assignment, comments, status, merge, close and reopen.
public enum TicketDecider: Decider {
    public static let initialState = TicketState()

    /// Decides `command`. Every command needs ``Action/workTickets``; work on a closed or merged ticket is refused
    /// (except reopening a closed one); repeating a value already in place returns no events.
    public static func decide(
        _ command: TicketCommand, state: TicketState, context: DecisionContext
    ) throws(DomainError) -> [TicketEvent] {
        try Permissions.require(.workTickets, by: context.actor.role)
        switch command {
        case .open(let open):
            return try decideOpen(open, state: state)
        case .assign(let login, let user):
            _ = try requireWorkable(state)
            try checkAssignable(login, user)
            guard state.assignee != login else { return [] }
            return [.assigned(TicketAssigned(assignee: login, previousAssignee: state.assignee))]
        case .unassign:
            _ = try requireWorkable(state)
            guard let previous = state.assignee else { return [] }
            return [.unassigned(TicketUnassigned(previousAssignee: previous))]
        case .setPriority(let priority):
            _ = try requireWorkable(state)
            guard priority != state.priority else { return [] }
            return [.priorityChanged(TicketPriorityChanged(priority: priority, previousPriority: state.priority))]
        case .setCategory(let category):
            _ = try requireWorkable(state)
            let category = try Validate.nonEmpty(category, "the category", fix: "give a category such as Network")
            guard category != state.category else { return [] }
            return [.categoryChanged(TicketCategoryChanged(category: category, previousCategory: state.category))]
        case .addWatcher(let login):
            _ = try requireWorkable(state)
            let login = try Validate.login(login)
            guard !state.watchers.contains(login) else { return [] }
            return [.watcherAdded(TicketWatcherAdded(login: login))]
        case .removeWatcher(let login):
            _ = try requireWorkable(state)
            guard state.watchers.contains(login) else { return [] }
            return [.watcherRemoved(TicketWatcherRemoved(login: login))]
        case .comment(let text, let visibility, let mailSubject):
            _ = try requireWorkable(state)
            let text = try Validate.nonEmpty(text, "the comment", fix: "write some text")
            // Only a public reply is mailed: an internal note keeps no subject.
            let comment = TicketCommented(
                text: text, visibility: visibility, isFromClient: Actor.isClientContact(context.actor.login),
                mailSubject: visibility == .public ? Validate.optional(mailSubject) : nil)
            // Staff answering the client publicly is work starting; an internal note, or the client's own word, is not.
            return [.commented(comment)] + (visibility == .public && !comment.isFromClient ? workStarted(on: state) : [])
        case .replyByMail(let text, let messageId):
            _ = try requireWorkable(state)
            let text = try Validate.nonEmpty(text, "the reply", fix: "write some text")
            return [.commented(TicketCommented(text: text, visibility: .public, mailMessageId: messageId))] + workStarted(on: state)
        case .setStatus(let status):
            let number = try requireWorkable(state)
            guard status != .closed else {
                throw DomainError(
                    .invalid, "close \(number) with `docket ticket close \(number) --resolution \"what was done\"` (with --time 30m, or --no-time --reason \"why\")")
            }
            guard status != state.status else { return [] }
            return [.statusChanged(TicketStatusChanged(status: status, previousStatus: state.status))]
        case .merge(let into, let target):
            return try decideMerge(into: into, target: target, source: state)
        case .receiveMerge(let from):
            let number = try requireWorkable(state)
            guard from != number else {
                throw DomainError(.invalid, "cannot merge \(number) into itself; pick another ticket")
            }
            return [.mergeReceived(TicketMergeReceived(from: from))]
        case .close(let resolution, let time, let silencingUntil):
            let number = try requireExisting(state)
            try refuseIfMerged(state, number)
            guard state.status != .closed else {
                throw DomainError(
                    .closed, "ticket \(number) is already closed; reopen it with `docket ticket reopen \(number)`")
            }
            let note = try Validate.nonEmpty(
                resolution, "the resolution note",
                fix: "say what fixed it: `docket ticket close \(number) --resolution \"…\"`")
            var loggedTime: CloseTimeLog?
            if case .logging(let log) = time { loggedTime = log }
            if let silencingUntil {
                let now = context.now.millisecondsSinceEpoch, until = silencingUntil.millisecondsSinceEpoch
                guard until > now, until - now <= TicketClosed.longestAlertSilenceMilliseconds else {
                    throw DomainError(
                        .invalid, "a close silences its alert for more than 0 and at most 30 days; give --silence-alert a duration "
                            + "such as 24h or 7d")
                }
            }
            return [.closed(TicketClosed(
                resolution: note, noTimeReason: try noTimeReason(time, closing: number, by: context.actor.login), loggedTime: loggedTime,
                alertSilencedUntil: silencingUntil))]
        case .reopen(let reason):
            let number = try requireExisting(state)
            if let target = state.mergedInto {
                throw DomainError(
                    .merged,
                    "ticket \(number) was merged into \(target) and cannot be reopened; work on \(target) instead")
            }
            guard state.status == .closed else {
                throw DomainError(
                    .conflict, "ticket \(number) is not closed (status \(state.status.displayName)); nothing to reopen")
            }
            return [.reopened(TicketReopened(reason: Validate.optional(reason)))]
        case .setDueDate(let dueAt):
            try Permissions.require(.scheduleTickets, by: context.actor.role)
            let number = try requireWorkable(state)
            if let dueAt { try BillingDates.check(dueAt, "\(number)'s due date", kind: "due dates") }
            guard dueAt != state.dueAt else { return [] }
            return [.dueDateSet(TicketDueDateSet(dueAt: dueAt, previousDueAt: state.dueAt))]
        case .addMailParticipant(let address, let thread, let supportAddress, let users):
            return try decideAddParticipant(address, thread: thread, supportAddress: supportAddress, users: users, state: state)
        case .removeMailParticipant(let address, let thread):
            return try decideRemoveParticipant(address, thread: thread, state: state)
        case .remindClient(let followUp):
            let number = try requireWorkable(state)
            guard state.status == .waitingOnClient else {
                throw DomainError(
                    .conflict, "ticket \(number) is not waiting on the client (status \(state.status.displayName)); nothing to follow up")
            }
            return [.followUpSent(followUp)]
        case .rate(let rate):
            return try Satisfaction.decide(rate, state: state, now: context.now)
        }
    }

    /// What work starting on a ticket adds (a technician's public reply, time logged, a timer started): a ticket still
    /// New moves to In progress, with the existing `ticket.status-changed` by the same actor. Any other status is left
    /// alone (Waiting on client stays waiting: the SLA clocks stay paused), as is a merged or unopened ticket.
    public static func workStarted(on state: TicketState) -> [TicketEvent] {
        guard state.exists, state.mergedInto == nil, state.status == .new else { return [] }
        return [.statusChanged(TicketStatusChanged(status: .inProgress, previousStatus: .new))]
    }

    // MARK: - Open

    private static func decideOpen(_ open: OpenTicket, state: TicketState) throws(DomainError) -> [TicketEvent] {
        if let existing = state.number {
            throw DomainError(
                .conflict, "ticket \(existing) already exists; open the ticket under the next free number")
        }
        guard let client = open.clientSnapshot else {
            throw DomainError(.notFound, "unknown client \(open.client); list clients with `docket client list`")
        }
        guard client.code == open.client else {
            throw DomainError(
                .invalid, "the client snapshot is for \(client.code), not \(open.client); look the client up again")
        }
        guard client.isActive else {
            throw DomainError(
                .inactive,
                "client \(client.code) is deactivated; reactivate it with `docket client reactivate \(client.code)`")
        }
        let contact = Validate.optional(open.contact)
        if let contact, !client.contactIDs.contains(contact) {
            // Not one of the client's contacts: unknown to it (removed, mistyped, or another client's), exit 4 as for
            // any unknown name.
            throw DomainError(
                .notFound,
                "unknown contact \(contact) of client \(client.code); list its contacts with `docket client show \(client.code)`")
        }
        let subject = try TicketSubject.validated(open.subject)
        return [
            .opened(
                TicketOpened(
                    number: open.number, client: client.code, contact: contact,
                    category: Validate.optional(open.category), priority: open.priority, source: open.source,
                    subject: subject, description: open.description))
        ]
    }

    // MARK: - Assignment

    /// Refuses an unknown or deactivated assignee, or one whose role does not work tickets. The messages name no
    /// ticket: an assignment made while opening one is refused before any ticket exists (and a schedule's assignee,
    /// ``ScheduleDecider``, before any of its tickets does).
    static func checkAssignable(_ login: String, _ user: UserSnapshot?) throws(DomainError) {
        guard let user else {
            throw DomainError(.notFound, "unknown user \(login); list users with `docket user list`")
        }
        guard user.login == login else {
            throw DomainError(.invalid, "the user snapshot is for \(user.login), not \(login); look the user up again")
        }
        guard user.isActive else {
            throw DomainError(
                .inactive,
                "user \(login) is deactivated; assign someone else, or ask an admin to reactivate them (`docket user reactivate \(login)`)")
        }
        guard Permissions.allows(user.role, to: .workTickets) else {
            let roles = Permissions.list(Permissions.roles(allowedTo: .workTickets).map(\.rawValue))
            throw DomainError(
                .invalid,
                "user \(login) has role \(user.role), which cannot work tickets; assign a \(roles) instead")
        }
    }

    // MARK: - Time at close

    /// The reason to record for a close without the closer's time, nil when none is needed; refuses a close
    /// whose closer logged no time and gave no reason.
    private static func noTimeReason(
        _ time: ClosingTime, closing number: TicketNumber, by login: String
    ) throws(DomainError) -> String? {
        switch time {
        case .logged, .logging, .automatic:
            return nil
        case .none(let reason):
            return try Validate.nonEmpty(
                reason, "the reason for closing without time",
                fix: "say why no time was spent: `--no-time --reason \"duplicate of T-1041\"`")
        case .missing:
            throw DomainError(
                .invalid,
                "\(login) logged no time on \(number); close it with --time 30m (logged with the close) "
                    + "or --no-time --reason \"why no time\"")
        }
    }

    // MARK: - Guards

    /// The number of an opened ticket, or notFound.
    static func requireExisting(_ state: TicketState) throws(DomainError) -> TicketNumber {
        guard let number = state.number else {
            throw DomainError(.notFound, "no such ticket; list tickets with `docket ticket list`")
        }
        return number
    }

    /// The number of an opened ticket that is neither merged nor closed.
    static func requireWorkable(_ state: TicketState) throws(DomainError) -> TicketNumber {
        let number = try requireExisting(state)
        try refuseIfMerged(state, number)
        guard state.status != .closed else {
            throw DomainError(
                .closed, "ticket \(number) is closed; reopen it first with `docket ticket reopen \(number)`")
        }
        return number
    }

    private static func refuseIfMerged(_ state: TicketState, _ number: TicketNumber) throws(DomainError) {
        if let target = state.mergedInto {
            throw DomainError(.merged, "ticket \(number) was merged into \(target); work on \(target) instead")
        }
    }
}
