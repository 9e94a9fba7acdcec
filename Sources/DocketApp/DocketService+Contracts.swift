import Domain
import EventLog

extension DocketService {
    /// Creates a contract for an existing client.
    @discardableResult
    public func createContract(_ create: CreateContract, as actor: String, commandId: String? = nil) throws -> [ContractEvent] {
        var command = create
        command.clientSnapshot = try? client(create.client).snapshot
        return try contract(create.id, .create(command), as: actor, commandId: commandId)
    }

    /// Runs a contract command (amend, end) as `actor`.
    @discardableResult
    public func contract(_ id: String, _ command: ContractCommand, as actor: String, commandId: String? = nil) throws -> [ContractEvent] {
        try runner.run(ContractDecider.self, stream: StreamName.contract(id), command: command, context: context(for: actor), commandId: commandId).events
    }

    /// A contract's state with every version of its terms, or a not-found error.
    public func contract(_ id: String) throws -> ContractState {
        let (state, _) = try runner.load(ContractDecider.self, stream: StreamName.contract(id))
        guard state.id != nil else {
            throw DomainError(.notFound, "unknown contract \(id); list contracts with `docket contract list`")
        }
        return state
    }

    /// Every contract, optionally only one client's, in id order.
    public func contracts(client: String? = nil) throws -> [ContractState] {
        try store.streams(prefix: "contract-").map { try runner.load(ContractDecider.self, stream: $0.name).state }
            .filter { client == nil || $0.client == client }
    }
}
