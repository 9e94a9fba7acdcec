import Foundation

// Who is on a ticket's mail thread, by hand: `docket ticket cc add` and `cc remove` (``MailThread``).

extension TicketDecider {
    /// Puts `address` on the thread of a ticket that is open (as any work on it): refused when it is no address, or
    /// the MSP's own (``MailThread/isOurs(_:supportAddress:users:)``: staff follow the ticket in Docket, and the thread's
    /// Cc never goes to them); nothing when it is on the thread already.
    static func decideAddParticipant(
        _ address: String, thread: Set<String>, supportAddress: String, users: Set<String>, state: TicketState
    ) throws(DomainError) -> [TicketEvent] {
        let number = try requireWorkable(state)
        let address = try Validate.email(address)
        guard !MailThread.isOurs(address, supportAddress: supportAddress, users: users) else {
            throw DomainError(
                .conflict,
                "\(address) is the MSP's own (the support address, its domain, or a user's): staff follow \(number) in Docket, "
                    + "not by Cc; a colleague can watch it (`docket ticket watch \(number) --user LOGIN`)")
        }
        guard !thread.contains(address) else { return [] }
        return [.participantAdded(TicketParticipantAdded(address: address))]
    }

    /// Takes `address` off the thread of a ticket, closed or merged ones included (a closed ticket's mail still threads
    /// onto it, and a reply reopens it): not found when it is not on the thread.
    static func decideRemoveParticipant(_ address: String, thread: Set<String>, state: TicketState) throws(DomainError) -> [TicketEvent] {
        let number = try requireExisting(state)
        let lower = address.trimmingCharacters(in: .whitespaces).lowercased()
        guard thread.contains(lower) else {
            let listed = thread.sorted().joined(separator: ", ")
            throw DomainError(
                .notFound,
                "\(address) is not on \(number)'s mail thread (\(listed.isEmpty ? "nobody is" : listed)); nothing to remove, see `docket ticket show \(number)`")
        }
        return [.participantRemoved(TicketParticipantRemoved(address: lower))]
    }
}
