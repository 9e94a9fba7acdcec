import DocketTime
import Domain
import EventLog

/// What a tech fills in to log time; the entry id is Docket's to allocate.
public struct TimeLogRequest: Sendable, Equatable {
    public var ticket: TicketNumber
    public var minutes: Int
    public var workType: String
    public var billable: Bool
    public var startedAt: Timestamp?
    public var note: String?
    /// The tech who did the work, when a dispatcher or admin logs it for them; nil for the actor.
    public var tech: String?

    public init(
        ticket: TicketNumber, minutes: Int, workType: String, billable: Bool = true, startedAt: Timestamp? = nil, note: String? = nil,
        tech: String? = nil
    ) {
        self.tech = tech
        self.ticket = ticket
        self.minutes = minutes
        self.workType = workType
        self.billable = billable
        self.startedAt = startedAt
        self.note = note
    }
}

/// Billing: time entries and timers, invoice runs and invoices, and the billing reports. Uses the directory
/// (clients, contracts, calendars).
public struct BillingService: Sendable, FeatureService {
    let shared: ServiceContext
    let directory: DirectoryService

    init(shared: ServiceContext, directory: DirectoryService) {
        self.shared = shared
        self.directory = directory
    }
}

extension BillingService {
    /// Whether `login` has a time entry that is not voided on `number`, or on a duplicate merged into it (from the time
    /// read model; see ``timeEntries(_:)``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func hasLoggedTime(on number: TicketNumber, by login: String) throws -> Bool {
        try timeEntries(TimeFilter(ticket: number.description, tech: login)).contains { !$0.voided }
    }

    /// The tickets merged into `number`, and the ones merged into those, from the queue read model's `mergedFrom`:
    /// the duplicates whose time counts on `number`.
    func duplicates(of number: TicketNumber) throws -> [TicketNumber] {
        var found: [TicketNumber] = []
        var seen: Set<TicketNumber> = [number]
        var next = [number]
        while let current = next.popLast() {
            for merged in try models.queue.summary(current, in: store)?.mergedFrom ?? [] where seen.insert(merged).inserted {
                found.append(merged)
                next.append(merged)
            }
        }
        return found
    }

    /// `login`'s running timer, if any.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func runningTimer(of login: String) throws -> TimerStarted? {
        try kernel.load(TimerDecider.self, stream: StreamName.timer(login)).state.running
    }

    /// Refuses closing `number` as `login` while their timer runs on it, or on a ticket merged into it (see
    /// ``TimerDecider/refuseClose(of:running:logsOn:)``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func refuseCloseWhileTiming(_ number: TicketNumber, by login: String) throws {
        let running = try runningTimer(of: login)
        let logsOn = try running.flatMap { TicketNumber($0.ticket) }.map { timed in
            try TimerDecider.loggingTicket(for: timed) { try kernel.load(TicketDecider.self, stream: StreamName.ticket($0)).state }
        }
        try TimerDecider.refuseClose(of: number, running: running, logsOn: logsOn)
    }

    /// Logs time on a ticket as `actor` and returns the new entry's id (`TE-1`, `TE-2`, … gapless per store).
    /// Logging on a closed ticket is allowed; on an unknown or merged one it is refused.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func logTime(_ request: TimeLogRequest, as actor: String, commandId: String? = nil) throws -> String {
        if let commandId, let earlier = try store.result(ofCommand: commandId), earlier.stream.hasPrefix("time-") {
            try kernel.requireSameRequest(earlier, commandId: commandId, actor: actor)
            return String(earlier.stream.dropFirst("time-".count))
        }
        let context = try context(for: actor)
        return try allocatingEntry(commandId: commandId, actor: actor) { entryId in
            let events = try decideLog(request, entryId: entryId, context: context)
            return [
                kernel.request(stream: StreamName.timeEntry(entryId), version: 0, events: events, context: context, commandId: commandId),
                try startingWork(on: request.ticket, context: context),
            ]
        }
    }

    /// Corrects the entry `entryId`; returns the events, none when the entry already has every value given.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func correctTime(_ entryId: String, _ correction: TimeCorrection, as actor: String, commandId: String? = nil) throws -> [TimeEvent] {
        try requireEntry(entryId)
        return try kernel.run(
            TimeEntryDecider.self, stream: StreamName.timeEntry(entryId), command: .correct(correction), context: context(for: actor),
            commandId: commandId
        ).events
    }

    /// Voids the entry `entryId`.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func voidTime(_ entryId: String, reason: String, as actor: String, commandId: String? = nil) throws -> [TimeEvent] {
        try requireEntry(entryId)
        return try kernel.run(
            TimeEntryDecider.self, stream: StreamName.timeEntry(entryId), command: .void(reason: reason), context: context(for: actor),
            commandId: commandId
        ).events
    }

    /// Starts `actor`'s timer on a ticket; a ticket still New moves to In progress in the same transaction
    /// (``TicketDecider/workStarted(on:)``).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func startTimer(_ ticket: TicketNumber, workType: String, as actor: String, commandId: String? = nil) throws {
        let context = try context(for: actor)
        let stream = StreamName.timer(context.actor.login)
        try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { _ = try kernel.earlierEvents(TimerDecider.self, commandId: commandId, result: $0, stream: stream) }
        ) {
            let ticketState = try kernel.load(TicketDecider.self, stream: StreamName.ticket(ticket)).state
            let (timer, version) = try kernel.load(TimerDecider.self, stream: stream)
            let events = try TimerDecider.decide(
                .start(ticket: ticket, workType: workType, ticketState: ticketState), state: timer, context: context)
            return CommandKernel.Decision(
                appends: [
                    kernel.request(stream: stream, version: version, events: events, context: context, commandId: commandId),
                    try startingWork(on: ticket, context: context),
                ], output: ())
        }
    }

    /// The append that moves ticket `number` from New to In progress as work starts on it, by the command's actor and
    /// in its transaction (``TicketDecider/workStarted(on:)``); empty, so not appended, for any other status. The
    /// command id stays on the command's own append: a retry is answered from it and appends neither again.
    func startingWork(on number: TicketNumber, context: DecisionContext) throws -> AppendRequest {
        let (state, version) = try kernel.load(TicketDecider.self, stream: StreamName.ticket(number))
        return kernel.request(
            stream: StreamName.ticket(number), version: version, events: TicketDecider.workStarted(on: state), context: context, commandId: nil)
    }

    /// Stops `actor`'s running timer and logs the elapsed minutes (rounded up) as a new entry, in one transaction:
    /// `minutes` worked replace them; past a working day (``TimerDecider/overdueAfterMinutes``) the stop is refused
    /// unless `minutes` or `wholeElapsed` says what to log. When the timed ticket was merged meanwhile, the entry goes on the ticket it was merged into (following merges
    /// to the end). A retried command id returns what the first attempt logged.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func stopTimer(
        note: String?, minutes worked: Int? = nil, wholeElapsed: Bool = false, as actor: String, commandId: String? = nil
    ) throws -> StoppedTimer {
        if let commandId, let earlier = try store.result(ofCommand: commandId), earlier.stream.hasPrefix("time-") {
            try kernel.requireSameRequest(earlier, commandId: commandId, actor: actor)
            return try stoppedEarlier(entryId: String(earlier.stream.dropFirst("time-".count)), as: actor, commandId: commandId)
        }
        let context = try context(for: actor)
        let stream = StreamName.timer(context.actor.login)
        var stopped = StoppedTimer(entryId: "", minutes: 0, ticket: "", timedTicket: "")
        stopped.entryId = try allocatingEntry(commandId: commandId, actor: actor) { entryId in
            let (timer, version) = try kernel.load(TimerDecider.self, stream: stream)
            let stop = try TimerDecider.decide(.stop(entryId: entryId, minutes: worked, wholeElapsed: wholeElapsed), state: timer, context: context)
            guard let running = timer.running, let timed = TicketNumber(running.ticket),
                case .timerStopped(let timerStopped) = stop.first
            else { throw DomainError(.conflict, "no timer is running; start one with `docket time start T-<n>`") }
            let ticket = try TimerDecider.loggingTicket(for: timed) { try kernel.load(TicketDecider.self, stream: StreamName.ticket($0)).state }
            stopped = StoppedTimer(entryId: entryId, minutes: timerStopped.minutes, ticket: ticket.description, timedTicket: timed.description)
            let request = TimeLogRequest(
                ticket: ticket, minutes: timerStopped.minutes, workType: running.workType, billable: true,
                startedAt: Timestamp(iso8601: running.startedAt), note: note)
            let events = try decideLog(request, entryId: entryId, context: context, timed: true)
            return [
                kernel.request(stream: StreamName.timeEntry(entryId), version: 0, events: events, context: context, commandId: commandId),
                kernel.request(stream: stream, version: version, events: stop, context: context, commandId: nil),
            ]
        }
        return stopped
    }

    /// What the stop that logged `entryId` did, for a retried command id: the entry as logged, and the ticket the
    /// timer ran on (from `actor`'s timer stream: the start before the stop that names the entry). When no stop names
    /// the entry, `commandId` logged it some other way (`time log`): it is refused, not answered as a stop.
    private func stoppedEarlier(entryId: String, as actor: String, commandId: String) throws -> StoppedTimer {
        let entry = try models.time.entry(entryId, in: store)
        var timed: String?
        var lastStarted: String?
        for recorded in try readAll(stream: StreamName.timer(actor)) {
            switch try? TimeEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload) {
            case .timerStarted(let started): lastStarted = started.ticket
            case .timerStopped(let stop) where stop.entryId == entryId: timed = lastStarted
            default: break
            }
        }
        guard let timed else {
            throw EventLogError(
                .commandReused,
                "command id \(commandId) was already used to log \(entryId), not to stop a timer; use a new command id")
        }
        return StoppedTimer(entryId: entryId, minutes: entry?.minutes ?? 0, ticket: entry?.ticket ?? "", timedTicket: timed)
    }

    /// Discards `actor`'s running timer without logging any time; returns the ticket it ran on. A retried command id
    /// returns the same.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func cancelTimer(reason: String?, as actor: String, commandId: String? = nil) throws -> String {
        let context = try context(for: actor)
        let events = try kernel.run(
            TimerDecider.self, stream: StreamName.timer(context.actor.login), command: .cancel(reason: reason), context: context,
            commandId: commandId
        ).events
        guard case .timerCancelled(let cancelled) = events.first else {
            throw EventLogError(.commandReused, "command id \(commandId ?? "") was already used for another command; use a new command id")
        }
        return cancelled.ticket
    }

    /// The time entries matching `filter`. A ticket's entries include those logged on the duplicates merged into it
    /// (each keeps its own `ticket`, the duplicate's number), in entry order. A window whose start is not before its end
    /// is refused (``DomainError/Code/invalid``): swapped bounds are a typo, not a question whose answer is "nothing".
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func timeEntries(_ filter: TimeFilter) throws -> [TimeEntryState] {
        if let from = filter.from, let to = filter.to, from >= to {
            throw DomainError(.invalid, timed: "the window from \(time: from) to \(time: to) is empty; give a start (--from) before the end (--to)")
        }
        let own = try models.time.list(filter, in: store)
        guard let ticket = filter.ticket.flatMap({ TicketNumber($0) }) else { return own }
        let duplicates = try duplicates(of: ticket)
        guard !duplicates.isEmpty else { return own }
        var entries = own
        for duplicate in duplicates {
            var theirs = filter
            theirs.ticket = duplicate.description
            entries += try models.time.list(theirs, in: store)
        }
        // Entry order, as the read model lists every entry: TE-2 before TE-10.
        return entries.sorted { ($0.entryId.count, $0.entryId) < ($1.entryId.count, $1.entryId) }
    }

    /// The time entries matching `filter` (see ``timeEntries(_:)``), of `client`'s tickets only when one is given, each
    /// with the lines of draft and final invoices that bill it (``TimeListRow``). An unknown client is
    /// ``DomainError/Code/notFound``.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func timeList(_ filter: TimeFilter, client: String? = nil) throws -> [TimeListRow] {
        var entries = try timeEntries(filter)
        let invoices: [Invoice]
        if let client {
            _ = try directory.client(client)
            let numbers = try models.billing.tickets(in: store)[client] ?? [:]
            entries = entries.filter { numbers[$0.ticket] != nil }
            invoices = try self.invoices(InvoiceFilter(client: client))
        } else {
            invoices = entries.isEmpty ? [] : try self.invoices()
        }
        return TimeListRow.rows(entries, invoices: invoices)
    }

    /// The events logging `request` as `entryId` makes; `timed`: its start is a timer's (see ``LogTime/timed``).
    func decideLog(_ request: TimeLogRequest, entryId: String, context: DecisionContext, timed: Bool = false) throws -> [TimeEvent] {
        let ticketState = try kernel.load(TicketDecider.self, stream: StreamName.ticket(request.ticket)).state
        let log = LogTime(
            entryId: entryId, ticket: request.ticket, minutes: request.minutes, workType: request.workType, billable: request.billable,
            startedAt: request.startedAt, note: request.note, forLogin: request.tech,
            forTech: try request.tech.flatMap { try kernel.load(UserDecider.self, stream: StreamName.user($0)).state.snapshot }, timed: timed)
        return try TimeEntryDecider.decide(.log(log, ticketState: ticketState), state: TimeEntryDecider.initialState, context: context)
    }

    /// Appends, through the kernel, what `build` makes for the next free entry id (`TE-<n>`, from the log's stream
    /// index) for `actor`; a racing writer that took the id makes the kernel decide again with the next one.
    func allocatingEntry(commandId: String?, actor: String, _ build: (String) throws -> [AppendRequest]) throws -> String {
        let replay = { (earlier: AppendResult) throws -> String in
            guard earlier.stream.hasPrefix("time-") else {
                throw EventLogError(.commandReused, "command id \(commandId ?? "") was already used for stream \(earlier.stream); use a new command id")
            }
            return String(earlier.stream.dropFirst("time-".count))
        }
        return try kernel.execute(commandId: commandId, actor: actor, replay: replay) {
            let entryId = "TE-\(try kernel.nextFree(from: 1) { StreamName.timeEntry("TE-\($0)") })"
            return CommandKernel.Decision(appends: try build(entryId), output: entryId)
        }
    }

    private func requireEntry(_ entryId: String) throws {
        guard try store.version(of: StreamName.timeEntry(entryId)) > 0 else {
            throw DomainError(.notFound, "unknown time entry \(entryId); list entries with `docket time list`")
        }
    }
}

/// What stopping a timer logged: the entry, its minutes, and the ticket it went on, which is not the timed ticket when
/// that was merged while the timer ran.
public struct StoppedTimer: Sendable, Equatable {
    public var entryId: String
    public var minutes: Int
    /// The ticket the entry was logged on, `T-1042`.
    public var ticket: String
    /// The ticket the timer ran on.
    public var timedTicket: String
}

/// A time entry as it stands, with every event that shaped it.
public struct TimeEntryDetail: Codable, Sendable, Equatable {
    public var entry: TimeEntryState
    public var events: [EventReference]
}

extension BillingService {
    /// Why invoice runs will hold the billable entry `entryId` back: its work started after the client's contract ended
    /// and no other is in force then (``ChargeCalculator/heldBackAfterTheContractEnded(_:entry:client:)``), with the
    /// client (whose zone the reason's instants are read in, as invoice runs give them), or nil. Told when the time is
    /// logged, not first at the next invoice run.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func heldBackAfterTheContractEnded(_ entryId: String) throws -> (client: String, reason: String)? {
        guard let entry = try models.time.entry(entryId, in: store), entry.billable, !entry.voided,
            let number = TicketNumber(entry.ticket), let client = try models.queue.summary(number, in: store)?.client,
            let startedAt = Timestamp(iso8601: entry.startedAt)
        else { return nil }
        let billable = BillableEntry(
            entryId: entry.entryId, ticket: entry.ticket, tech: entry.tech, minutes: entry.minutes, workType: entry.workType,
            billable: entry.billable, startedAt: startedAt, voided: entry.voided, position: entry.position ?? 0)
        return ChargeCalculator.heldBackAfterTheContractEnded(try directory.contracts(client: client), entry: billable, client: client)
            .map { (client, $0) }
    }

    /// The entry `entryId` with its history: logged, corrected (with reasons), voided.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func timeEntryDetail(_ entryId: String) throws -> TimeEntryDetail {
        guard let entry = try models.time.entry(entryId, in: store) else {
            throw DomainError(.notFound, "unknown time entry \(entryId); list entries with `docket time list`")
        }
        let events = try readAll(stream: StreamName.timeEntry(entryId)).map { recorded in
            EventReference(recorded, reason: Self.reason(of: recorded))
        }
        return TimeEntryDetail(entry: entry, events: events)
    }
}
