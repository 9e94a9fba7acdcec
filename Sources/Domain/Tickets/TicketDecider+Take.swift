extension TicketDecider {
    /// Decides a take: the actor assigns the ticket to themselves, only if it has no assignee or already is theirs
    /// (then nothing changes). A ticket another user has is refused (``DomainError/Code/taken``) naming that user and
    /// how to reassign it on purpose. `user` is the actor's own snapshot (nil when unknown). Decided on the state the
    /// command kernel read, so two takes racing for one ticket give one winner: the loser decides again on the
    /// winner's assignment and is refused.
    public static func decideTake(user: UserSnapshot?, state: TicketState, context: DecisionContext) throws(DomainError) -> [TicketEvent] {
        try Permissions.require(.workTickets, by: context.actor.role)
        let number = try requireWorkable(state)
        let login = context.actor.login
        if let owner = state.assignee, owner != login {
            throw DomainError(.taken, "\(number) is already \(owner)'s; ask \(owner), or reassign it with `docket ticket assign \(number) --to \(login)`")
        }
        return try decide(.assign(to: login, user: user), state: state, context: context)
    }
}
