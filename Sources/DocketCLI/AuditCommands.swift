import ArgumentParser
import BusinessTime
import DocketApp
import DocketTime
import Domain
import Foundation

/// `docket audit …`: where the numbers came from.
struct AuditGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Explain an invoice line by line, back to the minutes logged and the terms in force.",
        subcommands: [AuditInvoice.self])
}

struct AuditInvoice: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice",
        abstract: "For each line: the time entries behind it, the events and actors that shaped them, and the contract terms in force.",
        discussion: """
            docket audit invoice INV-2026-0042
            docket audit invoice INV-2026-0042 --json > dispute-acme.json
            Each entry lists its events up to the draft (logged, corrected with the reason, …) with log positions, \
            then any after it ("after this invoice": a correction or void the invoice does not reflect); \
            each line names the contract version it was priced under and the event that set it. \
            To see an invoice as it stood before a later correction: docket replay --as-of TIME --into DIR.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "INV-2026-0042, CN-2026-0001 or a draft id such as acme-D3.") var invoice: String

    func run(in session: Session) throws {
        let audit = try session.app.billing.auditInvoice(invoice)
        if output.json {
            try printJSON(audit)
            return
        }
        Terminal.out(AuditText.render(audit))
    }
}

/// The human rendering of an invoice audit.
enum AuditText {
    static func render(_ audit: InvoiceAudit) -> String {
        let invoice = audit.invoice
        let money = { (amount: Int64) in Money.format(amount, currency: invoice.currency) }
        var text: String
        if let note = audit.creditNote {
            text = "Audit of credit note \(note.number), crediting \(note.credits) in full (draft \(invoice.id)), client \(note.client), "
                + "period \(note.period), total \(money(note.total)) \(note.currency), reason: \(note.reason)\n"
                + "The lines below are those of \(note.credits), which this credit note cancels.\n"
        } else {
            text = "Audit of \(invoice.number ?? invoice.id)"
            if invoice.number != nil { text += " (draft \(invoice.id))" }
            text += ", client \(invoice.client), period \(invoice.period), \(invoice.status.rawValue), total \(money(invoice.total)) \(invoice.currency)\n"
        }
        // Times in the zone of the invoice's billing months (UTC for invoices that recorded none), as the month work is
        // billed in was decided: the events cited, when terms and hours were in force, and each entry's start (which
        // also gives its recorded UTC instant). `--json` keeps RFC 3339 UTC.
        let local = PeopleTime(zone: invoice.timeZone.flatMap(WallTimeZone.init) ?? .utc, whose: "the client's")
        let cite = { (event: EventReference) in cited(event, local: local) }
        text += "  drafted    " + cite(audit.drafted) + "\n"
        if let finalized = audit.finalized { text += "  finalized  " + cite(finalized) + "\n" }
        if let discarded = audit.discarded { text += "  discarded  " + cite(discarded) + (discarded.reason.map { "  \"\($0)\"" } ?? "") + "\n" }
        if let voided = audit.voided { text += "  voided     " + cite(voided) + " by credit note \(invoice.creditNote ?? "")\n" }
        for line in audit.lines {
            let charge = line.charge
            text += "\nLine \(line.line): \(charge.description): " + amount(of: line, money: money) + " \(invoice.currency)\n"
            if let terms = line.terms {
                text += "  terms: contract \(terms.contract) amendment \(terms.amendment), in force from \(local.text(iso8601: terms.effectiveFrom)), set by "
                    + cite(terms.setBy) + "\n"
                if let billing = terms.billingTerms { text += "         \(billing.canonicalJSON)\n" }
            }
            for calendar in line.calendars {
                text += "  hours: calendar \(calendar.calendar) amendment \(calendar.amendment), in force from \(local.text(iso8601: calendar.effectiveFrom)), set by "
                    + cite(calendar.setBy) + "\n"
            }
            if charge.kind == .time {
                text += "  minutes: logged \(charge.loggedMinutes) + rounding \(charge.roundingMinutes) + minimum \(charge.minimumMinutes)"
                    + " − covered \(charge.coveredMinutes)\(charge.coverage.map { " (\($0))" } ?? "") = \(charge.chargedMinutes) charged"
                    + (charge.afterHours ? ", after hours" : "") + "\n"
                if charge.entries.isEmpty, charge.minimumMinutes != 0 {
                    text += "  no entries: the ticket's month is topped up to its minimum at the business-hours rate (terms: minimumTopUp "
                        + "business-hours), its work that month being after hours\n"
                }
            }
            if !line.previousInvoices.isEmpty {
                text += "  already billed under this key: \(money(line.previousAmount)) on \(line.previousInvoices.joined(separator: ", "));"
                    + " this line bills the difference\n"
            }
            if charge.kind == .oneOff {
                text += "  one-off charge \(charge.key.dropFirst("one-off:".count))\(charge.ticket.map { " on \($0)" } ?? ""), month \(charge.period)\n"
                for event in line.chargeEvents ?? [] {
                    let after = event.position > audit.drafted.position ? "after this invoice: " : ""
                    text += "      " + after + cite(event) + (event.reason.map { "  \"\($0)\"" } ?? "") + "\n"
                }
            }
            text += line.entries.map { render($0, local: local) }.joined()
            if !line.earlierEntries.isEmpty {
                text += "  no longer under this key (billed on \(line.previousInvoices.last ?? "")), billed back by this line:\n"
                text += line.earlierEntries.map { render($0, local: local) }.joined()
            }
        }
        text += "\nsubtotal \(money(invoice.subtotal)) \(invoice.currency)\n"
        for tax in invoice.taxes { text += "tax \(tax.rate) on \(money(tax.base)): \(money(tax.tax))\n" }
        text += "total \(money(invoice.total)) \(invoice.currency)\n"
        if let note = audit.creditNote { text += "credited in full by \(note.number): \(money(note.total)) \(note.currency)\n" }
        return text
    }

    /// How a line's amount is reached, in figures that multiply out: the charge's minutes at the rate per hour (and the
    /// multiplier) give its amount as it stands, less what earlier invoices billed under its key. Hours rounded to two
    /// places did not multiply out (10 minutes printed as "0.17 h × 3,333.33 = 555.56"), and an adjustment's minutes
    /// times the rate is not the difference of two amounts each rounded once.
    static func amount(of line: LineAudit, money: (Int64) -> String) -> String {
        let charge = line.charge
        var text: String
        if charge.kind == .time {
            text = "\(charge.chargedMinutes) min at \(money(charge.ratePerHour))/h"
            if charge.multiplierPercent != 100 { text += " × \(charge.multiplierPercent)%" }
            text += " = \(money(charge.amount))"
        } else {
            text = money(charge.amount)
        }
        if !line.previousInvoices.isEmpty || line.previousAmount != 0 {
            text += ", less \(money(line.previousAmount)) already billed = \(money(line.amount))"
        }
        return text
    }

    /// An entry: its start in UTC, as recorded, and on the client's clock with the day of the week
    /// (`2026-11-01T02:00:00.000Z (Sat 2026-10-31 22:00 EDT)`), its minutes and work type, why it was after hours when
    /// it was, then its events.
    private static func render(_ entry: EntryAudit, local: PeopleTime) -> String {
        var start = entry.entry.startedAt
        if let instant = Timestamp(iso8601: start) { start += " (\(weekday(of: instant, in: local.zone)) \(local.text(instant)))" }
        var text = "  \(entry.entry.entryId)  \(entry.ticket)  \(entry.entry.tech)  \(start)  \(entry.entry.minutes) min"
            + "  \(entry.entry.workType)" + (entry.afterHours.map { "  after hours: \($0)" } ?? "") + "\n"
        for event in entry.events {
            text += "      " + cited(event, local: local) + (event.reason.map { "  \"\($0)\"" } ?? "") + "\n"
        }
        for event in entry.laterEvents {
            text += "      after this invoice: " + cited(event, local: local) + (event.reason.map { "  \"\($0)\"" } ?? "") + "\n"
        }
        return text
    }

    /// `Mon` … `Sun`: the day of the week `instant` falls on in `zone`.
    static func weekday(of instant: Timestamp, in zone: WallTimeZone) -> String {
        let day: Int64 = 86_400_000
        let milliseconds = zone.reading(at: instant).millisecondsSinceEpoch
        let days = milliseconds >= 0 ? milliseconds / day : (milliseconds - day + 1) / day
        // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
        return ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][Int(((days + 3) % 7 + 7) % 7)]
    }

    /// `#52 calendar.amended by ann at 2026-11-01 09:00 EDT`: the event's position, type, actor and time in `local`.
    private static func cited(_ event: EventReference, local: PeopleTime) -> String {
        "#\(event.position) \(event.type) by \(event.actor) at \(local.text(iso8601: event.recordedAt))"
    }
}
