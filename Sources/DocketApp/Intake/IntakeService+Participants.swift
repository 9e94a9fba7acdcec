import Domain
import EventLog
import Foundation

// Who is on a ticket's mail thread, by hand: `docket ticket cc add` and `docket ticket cc remove`.

extension IntakeService {
    /// Puts `address` on ticket `number`'s mail thread as `actor` (``TicketDecider/decideAddParticipant(_:thread:staff:state:)``):
    /// it is Cc'd on the ticket's public replies and resolution, and its answers to the ticket's mail land on the
    /// ticket. Returns the events (none when it was on the thread already).
    @discardableResult
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func addMailParticipant(
        _ address: String, to number: TicketNumber, as actor: String, commandId: String? = nil, expectedVersion: UInt64? = nil
    ) throws -> [TicketEvent] {
        try changeThread(number, as: actor, commandId: commandId, expectedVersion: expectedVersion) { thread in
            .addMailParticipant(
                address, thread: thread, supportAddress: configuration.supportMailAddress.lowercased(),
                users: Set(try directory.users().map { $0.email.lowercased() }))
        }
    }

    /// Takes `address` off ticket `number`'s mail thread as `actor` (``TicketDecider/decideRemoveParticipant(_:thread:state:)``):
    /// no more Cc of the ticket's mail, and its mail no longer threads onto the ticket — unless it is the client's:
    /// the result then says why it still does (`a contact of acme`, `in acme's domains`), nil otherwise. Not found
    /// when the address is not on the thread (nothing written).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func removeMailParticipant(
        _ address: String, from number: TicketNumber, as actor: String, commandId: String? = nil, expectedVersion: UInt64? = nil
    ) throws -> String? {
        _ = try changeThread(number, as: actor, commandId: commandId, expectedVersion: expectedVersion) { thread in
            .removeMailParticipant(address, thread: thread)
        }
        return try clientStanding(address, on: number)
    }

    /// Runs the thread change `command` makes of the thread as it is (``mailThread(_:)``), through the kernel.
    private func changeThread(
        _ number: TicketNumber, as actor: String, commandId: String?, expectedVersion: UInt64?,
        _ command: @escaping (Set<String>) throws -> TicketCommand
    ) throws -> [TicketEvent] {
        try tickets.requireTicket(number)
        let context = try context(for: actor)
        let stream = StreamName.ticket(number)
        return try kernel.execute(
            commandId: commandId, actor: context.actor.login,
            replay: { try kernel.earlierEvents(TicketDecider.self, commandId: commandId, result: $0, stream: stream).events }
        ) {
            try tickets.commandDecision(
                number, try command(Set(try mailThread(number))), context: context, commandId: commandId, expectedVersion: expectedVersion)
        }
    }

    /// Why `address` may answer on ticket `number` whatever its thread says: `a contact of acme`, `in acme's domains`;
    /// nil for anyone else.
    private func clientStanding(_ address: String, on number: TicketNumber) throws -> String? {
        let lower = address.trimmingCharacters(in: .whitespaces).lowercased()
        guard let summary = try models.queue.summary(number, in: store) else { return nil }
        let client = try directory.client(summary.client)
        if client.contacts.values.contains(where: { $0.email.lowercased() == lower }) { return "a contact of \(summary.client)" }
        if client.hasDomain(of: lower) { return "in \(summary.client)'s domains" }
        return nil
    }
}
