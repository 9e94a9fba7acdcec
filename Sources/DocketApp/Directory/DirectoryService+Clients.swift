import DocketTime
import Domain
import EventLog

extension DirectoryService {
    /// Runs a client command for client `code` as `actor`. A domain or a contact's address another active client has
    /// is refused (``ClientDecider/requireDomainsFree(_:code:state:others:)``,
    /// ``ClientDecider/requireContactAddressFree(_:code:state:others:)``).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func client(_ code: String, _ command: ClientCommand, as actor: String, commandId: String? = nil) throws -> [ClientEvent] {
        let context = try context(for: actor)
        // The role first, as the decider checks it: a tech is told they may not, not whose the domain is.
        try Permissions.require(.manageClients, by: context.actor.role)
        let all = try clients()
        let state = all.first { $0.code == code } ?? ClientDecider.initialState
        try ClientDecider.requireDomainsFree(command, code: code, state: state, others: all)
        try ClientDecider.requireContactAddressFree(command, code: code, state: state, others: all)
        return try kernel.run(ClientDecider.self, stream: StreamName.client(code), command: command, context: context, commandId: commandId).events
    }

    /// Adds a contact to client `code`, choosing the next free id (`<code>-1`, `<code>-2`, …; never a removed
    /// contact's) unless one is given. Returns the contact's id; a retried `commandId` adds nothing and returns the id
    /// of the contact the first attempt added.
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func addContact(to code: String, _ details: ContactDetails, id: String? = nil, as actor: String, commandId: String? = nil) throws -> String {
        let state = try client(code)
        let events = try client(code, .addContact(id: id ?? state.nextContactId(), details), as: actor, commandId: commandId)
        guard case .contactAdded(let added) = events.first else {
            throw EventLogError(.commandReused, "command id \(commandId ?? "") was already used for another command; use a new command id")
        }
        return added.contactId
    }

    /// A client's state, or a not-found error.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func client(_ code: String) throws -> ClientState { try LogState(store: store).client(code) }

    /// Every client, in code order.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func clients() throws -> [ClientState] {
        try store.streams(prefix: "client-").map { try kernel.load(ClientDecider.self, stream: $0.name).state }
    }
}

extension DirectoryService {
    /// Deactivates client `code` as `actor` (``ClientOffboarding``): refused while it has open tickets (unless
    /// `keepOpenTickets`), or a contract with no end (billing terms or SLA-only) and no `endContractsAt`; with `endContractsAt`,
    /// each such contract's end is appended with the deactivation, in one transaction. Returns the client's events, the
    /// contracts ended and the open tickets kept (none when the client was deactivated already). A retried `commandId`
    /// appends nothing and answers as the first attempt did: its client events, the contracts it ended, and the
    /// client's open tickets (those it kept open, as they stand now).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func deactivateClient(
        _ code: String, endContractsAt: Timestamp? = nil, keepOpenTickets: Bool = false, as actor: String, commandId: String? = nil
    ) throws -> (client: [ClientEvent], endedContracts: [String], openTickets: [String]) {
        let context = try context(for: actor)
        let stream = StreamName.client(code)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { earlier in
                let events = try kernel.earlierEvents(ClientDecider.self, commandId: commandId, result: earlier, stream: stream).events
                guard !events.isEmpty else { return ([], [], []) }
                let open = try models.queue.queue(QueueFilter(client: code), limit: Int.max, in: store).map(\.number.description)
                return (events, try contractsEnded(with: earlier, client: code), open)
            }
        ) {
            let (client, version) = try kernel.load(ClientDecider.self, stream: stream)
            var contracts: [(state: ContractState, version: UInt64)] = []
            for contract in try self.contracts(client: code) {
                contracts.append(try kernel.load(ContractDecider.self, stream: StreamName.contract(contract.id ?? "")))
            }
            let open = try models.queue.queue(QueueFilter(client: code), limit: Int.max, in: store).map(\.number.description)
            let schedules = try store.streams(prefix: "schedule-").compactMap { stream -> String? in
                let schedule = try kernel.load(ScheduleDecider.self, stream: stream.name).state
                guard schedule.isLive, let definition = schedule.definition, definition.client == code else { return nil }
                return definition.id
            }
            let decision = try ClientOffboarding.decide(
                client: client, contracts: contracts.map(\.state), openTickets: open, keepOpenTickets: keepOpenTickets, endContractsAt: endContractsAt,
                schedules: schedules, context: context)
            var appends = [kernel.request(stream: stream, version: version, events: decision.client, context: context, commandId: commandId)]
            for ending in decision.contracts {
                let version = contracts.first { $0.state.id == ending.id }?.version ?? 0
                appends.append(kernel.request(stream: StreamName.contract(ending.id), version: version, events: ending.events, context: context, commandId: nil))
            }
            return CommandKernel.Decision(appends: appends, output: (decision.client, decision.contracts.map(\.id), decision.client.isEmpty ? [] : open))
        }
    }

    /// The contracts of `code` a deactivation (`earlier`, its client events) ended: their `contract.ended` events are
    /// appended in the same transaction right after the client's (same instant, same actor), in id order.
    private func contractsEnded(with earlier: AppendResult, client code: String) throws -> [String] {
        guard let deactivated = try store.read(from: earlier.positions.lowerBound, limit: 1).first else { return [] }
        let contracts = try self.contracts(client: code).count
        guard contracts > 0 else { return [] }
        let prefix = StreamName.contract("")
        return try store.read(from: earlier.positions.upperBound + 1, limit: contracts)
            .prefix { event in
                event.recordedAt == deactivated.recordedAt && event.actor == deactivated.actor && event.type == ContractEnded.descriptor.type
                    && event.stream.hasPrefix(prefix)
            }
            .map { String($0.stream.dropFirst(prefix.count)) }
    }
}
