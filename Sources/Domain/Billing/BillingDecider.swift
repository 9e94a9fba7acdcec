import DocketTime

/// What billing staff ask of a client's invoices (stream `billing-<client>`).
public enum BillingCommand: Sendable, Equatable {
    /// Draft what is unbilled through `period`, given the client's charges as computed now over billing months in
    /// `timeZone` (the zone of `period` by ``InvoiceLedger/billingMonths(current:)``, recorded on the draft).
    case draft(client: String, period: BillingPeriod, charges: [Charge], timeZone: String = "UTC")
    /// Make a draft final under `number` (issued by the application from the yearly sequence), addressed to `billTo`
    /// (the client's details and purchase orders as they stand now: ``BillTo/of(client:contracts:lines:)``).
    /// `endsChanged` are the client's contract ends moved since the draft was priced in the months it bills
    /// (``ContractEndChange/since(drafted:contract:ends:through:)``): a draft priced under an old end is refused.
    /// `priced` is the client's history as an invoice run prices it now: a draft that no longer bills what a run would
    /// draft in its place is refused (``BillingDecider/staleness(of:ledger:priced:)``); nil checks nothing.
    case finalize(invoice: String, number: String, billTo: BillTo? = nil, endsChanged: [ContractEndChange] = [], priced: PricedNow? = nil)
    /// Throw a draft away.
    case discard(invoice: String, reason: String)
    /// Cancel a final invoice with the credit note `creditNote`.
    case void(invoice: String, creditNote: String, reason: String)
}

/// The billing aggregate: a client's invoices, and the rule that every charge key is billed exactly once.
///
/// A draft bills, for every key due through the period, the difference between the charge as computed now and
/// what live invoices (drafts and finals) already billed under that key. A key whose charge disappeared (its
/// entries were voided or moved) is billed back to zero. Voided and discarded invoices do not count, so their
/// keys are billed again by the next run. The sum of live invoice lines per key therefore always equals the
/// charge as of the latest run: nothing leaks, nothing is billed twice.
public enum BillingDecider: Decider {
    public static let initialState = InvoiceLedger()

    public static func decide(_ command: BillingCommand, state: InvoiceLedger, context: DecisionContext) throws(DomainError)
        -> [InvoiceEvent]
    {
        try Permissions.require(.manageInvoices, by: context.actor.role)
        switch command {
        case .draft(let client, let period, let charges, let timeZone):
            return try draft(client: client, period: period, charges: charges, timeZone: timeZone, ledger: state, now: context.now)
        case .finalize(let id, let number, let billTo, let endsChanged, let priced):
            let invoice = try existing(id, in: state)
            guard invoice.status == .draft else {
                throw DomainError(.conflict, "invoice \(id) is \(describe(invoice)); only a draft can be finalized")
            }
            if let change = endsChanged.first { throw DomainError(.conflict, timed: stale(invoice, change)) }
            if let priced, let stale = try staleness(of: invoice, ledger: state, priced: priced) { throw DomainError(.conflict, stale) }
            return [.finalized(InvoiceFinalized(invoice: id, number: number, finalizedAt: context.now.iso8601, billTo: billTo))]
        case .discard(let id, let reason):
            let invoice = try existing(id, in: state)
            guard invoice.status == .draft else {
                let fix = invoice.status == .final ? "void it with `docket invoice void \(invoice.number ?? id)`" : "nothing to do"
                throw DomainError(.conflict, "invoice \(id) is \(describe(invoice)); only a draft can be discarded; \(fix)")
            }
            let reason = try Validate.nonEmpty(reason, "the reason", fix: "say why with --reason")
            return [.discarded(InvoiceDiscarded(invoice: id, reason: reason))]
        case .void(let id, let creditNote, let reason):
            let invoice = try existing(id, in: state)
            guard invoice.status == .final, let number = invoice.number else {
                let fix = invoice.status == .draft ? "discard a draft with `docket invoice discard \(id)`" : "nothing to do"
                throw DomainError(.conflict, "invoice \(id) is \(describe(invoice)); only a final invoice can be voided; \(fix)")
            }
            let reason = try Validate.nonEmpty(reason, "the reason", fix: "say why with --reason")
            return [
                .voided(InvoiceVoided(invoice: id, number: number, creditNote: creditNote, reason: reason, voidedAt: context.now.iso8601))
            ]
        }
    }

    /// Why `draft` is not finalized: `change` moved its contract's end since it was priced, and the fix (discard it and
    /// run again: a run drafts only the difference from live invoices, so it would leave the draft as it is).
    private static func stale(_ draft: Invoice, _ change: ContractEndChange) -> TimedMessage {
        let end = { (instant: Timestamp?) -> TimedMessage in instant.map { "\(time: $0)" } ?? "no end" }
        return "draft \(draft.id) is out of date: contract \(change.contract)'s end moved from \(end(change.then)) to \(end(change.now)) "
            + "since the draft was priced, so its lines may bill work the contract no longer covers, or leave out work it now "
            + "covers; re-price it: `docket invoice discard \(draft.id) --reason \"contract end moved\"`, then `docket invoice run "
            + "--period \(draft.period) --client \(draft.client)`"
    }

    public static func evolve(_ state: InvoiceLedger, _ event: InvoiceEvent) -> InvoiceLedger {
        state.applying(event)
    }

    /// The lines a run would draft: one per key whose charge differs from what live invoices billed.
    ///
    /// Amounts are compared per key and currency: when a key's currency changed (a fee under terms amended in the
    /// past), what was billed in the old currency is billed back to zero in it and the charge is billed afresh in
    /// the new one, so no invoice ever nets two currencies. A line whose amount (the charge less what was billed) does not
    /// fit in `Int64` is refused, naming the client's key and contract.
    public static func pendingLines(period: BillingPeriod, charges: [Charge], ledger: InvoiceLedger) throws(DomainError)
        -> [InvoiceLine]
    {
        let billed = ledger.billedByCurrency()
        func onFinal(_ key: String) -> Bool { billed[key]?.values.contains { $0.onFinal } ?? false }
        var lines: [InvoiceLine] = []
        var seen: Set<String> = []
        for charge in charges where period.includes(recorded: charge.period) {
            seen.insert("\(charge.currency) \(charge.key)")
            let before = billed[charge.key]?[charge.currency]
            guard !charge.amount.subtractingReportingOverflow(before?.amount ?? 0).overflow else {
                throw overflow("the line for \(charge.key)", contracts: [charge.contract])
            }
            let line = InvoiceLine(
                charge: charge, previousChargedMinutes: before?.chargedMinutes ?? 0, previousCoveredMinutes: before?.coveredMinutes ?? 0,
                previousAmount: before?.amount ?? 0, previousInvoices: before?.invoices ?? [], adjustment: onFinal(charge.key))
            if line.amount != 0 || line.chargedMinutes != 0 || line.coveredMinutes != 0 { lines.append(line) }
        }
        // Where each entry's time is charged now, by ticket, month, work type, hours class and contract: the amendment.
        var repricing: [String: [String: Int]] = [:]
        for charge in charges where period.includes(recorded: charge.period) {
            guard let family = repricingFamily(of: charge) else { continue }
            for entry in charge.entries { repricing["\(charge.currency) \(family)", default: [:]][entry.entryId] = charge.amendment }
        }
        // Where each entry is charged now, whatever the key: the line of a key its entries left names where they went.
        var chargedNow: [String: String] = [:]
        for charge in charges where charge.kind == .time {
            for entry in charge.entries { chargedNow["\(charge.currency) \(entry.entryId)"] = charge.description }
        }
        for (key, byCurrency) in billed {
            for (currency, before) in byCurrency where !seen.contains("\(currency) \(key)") && period.includes(recorded: before.last.period) {
                guard before.amount != 0 || before.chargedMinutes != 0 || before.coveredMinutes != 0 else { continue }
                var gone = before.last
                let now = repricingFamily(of: gone).flatMap { repricing["\(currency) \($0)"] } ?? [:]
                let amendments = Set(gone.entries.compactMap { now[$0.entryId] })
                let moved = distinct(gone.entries.compactMap { chargedNow["\(currency) \($0.entryId)"] })
                if !amendments.isEmpty {
                    // Its work is charged under another version of the contract (an amendment back-dated into the
                    // month): re-priced, not gone; its entries stay on the line, so the audit traces them.
                    let sorted = amendments.sorted().map(String.init)
                    gone.description += " (re-priced under amendment\(sorted.count == 1 ? "" : "s") \(sorted.joined(separator: ", ")))"
                } else if !moved.isEmpty {
                    // Its work is billed under another key now (a correction of the work type, or after hours by a
                    // calendar amended since): still billable, on the line named.
                    gone.description += " (moved to \(moved.joined(separator: "; ")))"
                    gone.entries = []
                } else {
                    gone.description += " (no longer billable)"
                    gone.entries = []
                }
                gone.currency = currency
                gone.loggedMinutes = 0
                gone.roundingMinutes = 0
                gone.minimumMinutes = 0
                gone.coveredMinutes = 0
                gone.coverage = nil
                gone.chargedMinutes = 0
                gone.amount = 0
                lines.append(
                    InvoiceLine(
                        charge: gone, previousChargedMinutes: before.chargedMinutes, previousCoveredMinutes: before.coveredMinutes,
                        previousAmount: before.amount, previousInvoices: before.invoices, adjustment: onFinal(key)))
            }
        }
        return lines.sorted { ($0.charge.key, $0.charge.currency) < ($1.charge.key, $1.charge.currency) }
    }

    /// `values` without repeats, in their first order.
    private static func distinct(_ values: [String]) -> [String] {
        var seen: Set<String> = []
        return values.filter { seen.insert($0).inserted }
    }

    /// A time charge's key without its contract version (`time:T-1042:2026-11:remote:std:acme-msa`): the same work
    /// priced under another amendment has the same family. Nil for fees.
    private static func repricingFamily(of charge: Charge) -> String? {
        let version = "#\(charge.amendment)"
        guard charge.kind == .time, charge.key.hasSuffix(version) else { return nil }
        return String(charge.key.dropLast(version.count))
    }

    private static func draft(
        client: String, period: BillingPeriod, charges: [Charge], timeZone: String, ledger: InvoiceLedger, now: Timestamp
    ) throws(DomainError) -> [InvoiceEvent]
    {
        let lines = try pendingLines(period: period, charges: charges, ledger: ledger)
        let currencies = Set(lines.map(\.charge.currency)).sorted()
        var events: [InvoiceEvent] = []
        for (offset, currency) in currencies.enumerated() {
            let mine = lines.filter { $0.charge.currency == currency }
            let contracts = Set(mine.map(\.charge.contract))
            guard let subtotal = Money.sum(mine.map(\.amount)) else {
                throw overflow("client \(client)'s \(currency) subtotal", contracts: contracts)
            }
            guard let taxes = TaxLine.of(mine) else { throw overflow("client \(client)'s \(currency) tax", contracts: contracts) }
            guard let total = Money.sum([subtotal] + taxes.map(\.tax)) else {
                throw overflow("client \(client)'s \(currency) total", contracts: contracts)
            }
            events.append(
                .drafted(
                    InvoiceDrafted(
                        invoice: "\(client)-D\(ledger.invoices.count + offset + 1)", client: client, period: period.description,
                        currency: currency, lines: mine, subtotal: subtotal, taxes: taxes,
                        total: total, draftedAt: now.iso8601, timeZone: timeZone)))
        }
        return events
    }

    /// The refusal of an amount too large for `Int64` minor units (Money rule 5).
    private static func overflow(_ what: String, contracts: Set<String>) -> DomainError {
        DomainError(
            .invalid,
            "\(what) does not fit in 64-bit minor units (over \(Int64.max)); check the amounts in the terms of contract "
                + "\(contracts.sorted().joined(separator: ", ")) and the time logged under it")
    }

    private static func existing(_ id: String, in ledger: InvoiceLedger) throws(DomainError) -> Invoice {
        guard let invoice = ledger.invoice(id) else {
            throw DomainError(.notFound, "unknown invoice \(id); list invoices with `docket invoice list`")
        }
        return invoice
    }

    private static func describe(_ invoice: Invoice) -> String {
        switch invoice.status {
        case .draft: "a draft"
        case .final: "final (\(invoice.number ?? ""))"
        case .voided: "voided by \(invoice.creditNote ?? "a credit note")"
        case .discarded: "discarded"
        }
    }
}
