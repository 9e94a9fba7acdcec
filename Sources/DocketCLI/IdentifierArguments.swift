import ArgumentParser

// Identifier arguments are checked before any store is opened: an empty or over-long id is bad usage
// (exit 64), not a failed LMDB lookup. Kept in one file so the command files stay as they are.

/// Throws a `ValidationError` for the first identifier that is given but not usable.
private func checkIdentifiers(_ pairs: (String?, String)...) throws {
    for (value, label) in pairs {
        if let value, let problem = IdentifierCheck.problem(value, label) { throw ValidationError(problem) }
    }
}

extension AuditInvoice { func validate() throws { try checkIdentifiers((invoice, "the invoice")) } }
extension ClientAdd { func validate() throws { try checkIdentifiers((code, "the client code")) } }
extension ClientUpdate { func validate() throws { try checkIdentifiers((code, "the client code")) } }
extension ClientDeactivate { func validate() throws { try checkIdentifiers((code, "the client code")) } }
extension ClientReactivate { func validate() throws { try checkIdentifiers((code, "the client code")) } }
extension ClientContactAdd { func validate() throws { try checkIdentifiers((code, "the client code"), (id, "--id")) } }
extension ClientContactUpdate {
    func validate() throws {
        try checkIdentifiers((code, "the client code"), (id, "the contact id"))
        _ = try eitherFlag(billing, "--billing", or: noBilling, "--no-billing")
    }
}
extension ClientContactRemove { func validate() throws { try checkIdentifiers((code, "the client code"), (id, "the contact id")) } }
extension ClientShow { func validate() throws { try checkIdentifiers((code, "the client code")) } }
extension ContractAdd { func validate() throws { try checkIdentifiers((id, "the contract id"), (client, "--client"), (slaPolicy, "--sla-policy")) } }
extension ContractAmend { func validate() throws { try checkIdentifiers((id, "the contract id"), (slaPolicy, "--sla-policy")) } }
extension ContractEnd { func validate() throws { try checkIdentifiers((id, "the contract id")) } }
extension ContractShow { func validate() throws { try checkIdentifiers((id, "the contract id")) } }
extension ContractList { func validate() throws { try checkIdentifiers((client, "--client")) } }
extension InvoiceRun { func validate() throws { try checkIdentifiers((client, "--client")) } }
extension InvoiceCharges { func validate() throws { try checkIdentifiers((client, "the client code")) } }
extension InvoiceList { func validate() throws { try checkIdentifiers((client, "--client")) } }
extension InvoiceShow { func validate() throws { try checkIdentifiers((invoice, "the invoice")) } }
extension InvoiceFinalize { func validate() throws { try checkIdentifiers((invoice, "the invoice")) } }
extension InvoiceDiscard { func validate() throws { try checkIdentifiers((invoice, "the invoice")) } }
extension InvoiceVoid { func validate() throws { try checkIdentifiers((invoice, "the invoice")) } }
extension InvoiceExport {
    func validate() throws {
        try checkIdentifiers((client, "--client"))
        try text.requireCSV(format == .csv, format: "JSON")
    }
}
extension NotifyRotate { func validate() throws { try checkIdentifiers((name, "the channel name")) } }
extension NotifyRemove { func validate() throws { try checkIdentifiers((name, "the channel name")) } }
extension OutboxShow { func validate() throws { try checkIdentifiers((messageId, "the Message-ID")) } }
extension RulesTest {
    func validate() throws {
        try checkIdentifiers((client, "--client"), (schedule, "--schedule"))
        try checkScheduleOptions()
    }
}
extension CalendarDefine { func validate() throws { try checkIdentifiers((id, "the calendar id")) } }
extension CalendarAmend { func validate() throws { try checkIdentifiers((id, "the calendar id")) } }
extension CalendarShow { func validate() throws { try checkIdentifiers((id, "the calendar id")) } }
extension SLAPolicyDefine { func validate() throws { try checkIdentifiers((id, "the policy id")) } }
extension SLAPolicyAmend { func validate() throws { try checkIdentifiers((id, "the policy id")) } }
extension SLAPolicyShow { func validate() throws { try checkIdentifiers((id, "the policy id")) } }
extension ScheduleRemove { func validate() throws { try checkIdentifiers((id, "the schedule id")) } }
extension TemplateAdd { func validate() throws { try checkIdentifiers((name, "the template name")) } }
extension TemplateUpdate { func validate() throws { try checkIdentifiers((name, "the template name")) } }
extension TemplateRemove { func validate() throws { try checkIdentifiers((name, "the template name")) } }
extension TemplateShow { func validate() throws { try checkIdentifiers((name, "the template name")) } }
extension TicketOpen { func validate() throws { try checkIdentifiers((client, "--client"), (contact, "--contact"), (assign, "--assign")) } }
extension TicketAssign { func validate() throws { try checkIdentifiers((to, "--to")) } }
extension TicketReply { func validate() throws { try checkIdentifiers((template, "--template")) } }
extension TicketWatch { func validate() throws { try checkIdentifiers((user, "the user")) } }
extension TicketUnwatch { func validate() throws { try checkIdentifiers((user, "the user")) } }
extension TicketList { func validate() throws { try checkIdentifiers((assignee, "--assignee")) } }
extension TimeLog { func validate() throws { try checkIdentifiers((tech, "--for")) } }
extension TimeCorrect {
    func validate() throws {
        try checkIdentifiers((entry, "the time entry"))
        _ = try eitherFlag(billable, "--billable", or: nonBillable, "--non-billable")
    }
}
extension TimeVoid { func validate() throws { try checkIdentifiers((entry, "the time entry")) } }
extension TimeShow { func validate() throws { try checkIdentifiers((entry, "the time entry")) } }
extension TimeList { func validate() throws { try checkIdentifiers((tech, "--tech")) } }
extension UserAdd { func validate() throws { try checkIdentifiers((login, "the login")) } }
extension UserRole { func validate() throws { try checkIdentifiers((login, "the login")) } }
extension UserDeactivate { func validate() throws { try checkIdentifiers((login, "the login")) } }
extension UserReactivate { func validate() throws { try checkIdentifiers((login, "the login")) } }
extension UserCostRate { func validate() throws { try checkIdentifiers((login, "the login")) } }
extension UserShow { func validate() throws { try checkIdentifiers((login, "the login")) } }
