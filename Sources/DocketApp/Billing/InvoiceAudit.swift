import BusinessTime
import DocketTime
import Domain
import EventLog

/// Where every line of an invoice came from: the time entries and the events that shaped them, and the contract
/// terms in force with the event that set them. What an operator shows a client who disputes a charge.
public struct InvoiceAudit: Codable, Sendable, Equatable {
    public var invoice: Invoice
    /// The event that drafted the invoice, and the one that finalized it.
    public var drafted: EventReference
    public var finalized: EventReference?
    /// The event that threw the draft away (who, when, and the reason), if it was discarded.
    public var discarded: EventReference?
    public var voided: EventReference?
    public var lines: [LineAudit]
    /// When the audit was asked of a credit note (`CN-2026-0001`): that document; its lines are the invoice's, negated.
    public var creditNote: CreditNote?
}

/// One event of the log, as an audit cites it.
public struct EventReference: Codable, Sendable, Equatable {
    public var position: UInt64
    public var stream: String
    public var type: String
    public var actor: String
    /// RFC 3339.
    public var recordedAt: String
    /// The reason the event gives, when it has one (corrections and voids).
    public var reason: String?

    init(_ recorded: RecordedEvent, reason: String? = nil) {
        position = recorded.position
        stream = recorded.stream
        type = recorded.type
        actor = recorded.actor
        recordedAt = recorded.recordedAt.iso8601
        self.reason = reason
    }
}

/// One invoice line, explained.
public struct LineAudit: Codable, Sendable, Equatable {
    public var line: Int
    public var charge: Charge
    /// Minutes and amount this line bills (the charge minus what earlier invoices billed under its key).
    public var chargedMinutes: Int
    public var amount: Int64
    public var previousAmount: Int64
    /// Earlier invoices under the same key, by number when final.
    public var previousInvoices: [String]
    public var entries: [EntryAudit]
    /// The entries the earlier invoices under this key billed that this line no longer holds (voided, made
    /// non-billable, or corrected onto another ticket, month, work type or contract version), as they were billed,
    /// with their events up to this invoice's draft: the events that took them off the key, which the line bills back.
    public var earlierEntries: [EntryAudit]
    /// The contract version the line was priced under, with the event that set it.
    public var terms: TermsAudit?
    /// When the terms price after-hours work: the versions of their calendar in force when the line's entries (and
    /// those it takes back) started, as the log stood at the draft, with the events that set them: the hours that
    /// made the work business or after hours. Empty otherwise.
    public var calendars: [CalendarAudit]
    /// A one-off charge's line (kind `one-off`): every event of the charge's stream (added, voided), those after the
    /// draft among them (a void the invoice does not reflect: the next run bills it back). Nil (absent in JSON) for
    /// other lines.
    public var chargeEvents: [EventReference]? = nil
}

/// A version of a business calendar an invoice line was priced with.
public struct CalendarAudit: Codable, Sendable, Equatable {
    public var calendar: String
    public var amendment: Int
    /// RFC 3339.
    public var effectiveFrom: String
    public var setBy: EventReference
}

/// A time entry behind a line, with every event of its stream up to the draft, and those after it (a correction or a
/// void the invoice does not reflect: the next run bills the difference, or a correction that left the key's total as
/// it was drafts nothing).
public struct EntryAudit: Codable, Sendable, Equatable {
    public var entry: ChargedEntry
    public var ticket: String
    public var events: [EventReference]
    public var laterEvents: [EventReference]
    /// When the line's terms price after-hours work and the entry started outside the hours of their calendar (the
    /// version in force then, as the log stood at the draft): why. `holiday 2026-10-12 in calendar ny-office`, or
    /// `outside the hours of calendar ny-office`. Nil otherwise.
    public var afterHours: String? = nil
}

/// The terms a line was priced under.
public struct TermsAudit: Codable, Sendable, Equatable {
    public var contract: String
    public var amendment: Int
    /// RFC 3339.
    public var effectiveFrom: String
    public var billingTerms: JSONValue?
    public var setBy: EventReference
}

extension BillingService {
    /// The audit of an invoice named by its id, number or credit note.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func auditInvoice(_ reference: String) throws -> InvoiceAudit {
        let invoice = try self.invoice(reference)
        var drafted: EventReference?
        var finalized: EventReference?
        var discarded: EventReference?
        var voided: EventReference?
        for recorded in try readAll(stream: StreamName.billing(invoice.client)) {
            switch try InvoiceEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload) {
            case .drafted(let e) where e.invoice == invoice.id: drafted = EventReference(recorded)
            case .finalized(let e) where e.invoice == invoice.id: finalized = EventReference(recorded)
            case .discarded(let e) where e.invoice == invoice.id: discarded = EventReference(recorded, reason: e.reason)
            case .voided(let e) where e.invoice == invoice.id: voided = EventReference(recorded, reason: e.reason)
            default: continue
            }
        }
        guard let drafted else {
            throw DomainError(.notFound, "invoice \(reference) has no draft event in the log; run `docket verify` and `docket rebuild billing`")
        }
        let numbers = Dictionary(try invoices(InvoiceFilter(client: invoice.client)).map { ($0.id, $0.number ?? $0.id) }, uniquingKeysWith: { a, _ in a })
        var contractEvents: [String: [RecordedEvent]] = [:]
        var earlierInvoices: [String: Invoice] = [:]
        var calendarEvents: [String: [RecordedEvent]] = [:]
        var lines: [LineAudit] = []
        func audit(_ entry: ChargedEntry, ticket: String?) throws -> EntryAudit {
            let all = try readAll(stream: StreamName.timeEntry(entry.entryId)).map { recorded in
                EventReference(recorded, reason: Self.reason(of: recorded))
            }
            return EntryAudit(
                entry: entry, ticket: ticket ?? "", events: all.filter { $0.position <= drafted.position },
                laterEvents: all.filter { $0.position > drafted.position })
        }
        for (index, line) in invoice.lines.enumerated() {
            let charge = line.charge
            var entries = try charge.entries.map { try audit($0, ticket: charge.ticket) }
            for id in line.previousInvoices where earlierInvoices[id] == nil { earlierInvoices[id] = try self.invoice(id) }
            let holds = Set(charge.entries.map(\.entryId))
            var earlierEntries = try Self.lastBilled(charge, on: line.previousInvoices.compactMap { earlierInvoices[$0] })
                .filter { !holds.contains($0.entryId) }.map { try audit($0, ticket: charge.ticket) }
            if contractEvents[charge.contract] == nil {
                contractEvents[charge.contract] = try readAll(stream: StreamName.contract(charge.contract))
            }
            let terms = try Self.terms(charge, in: contractEvents[charge.contract] ?? [])
            var calendars: [CalendarAudit] = []
            if charge.kind == .time, let id = Self.afterHoursCalendar(terms?.billingTerms) {
                if calendarEvents[id] == nil {
                    calendarEvents[id] = try readAll(stream: StreamName.calendar(id)).filter { $0.position <= drafted.position }
                }
                calendars = try Self.calendars(id, at: (entries + earlierEntries).map(\.entry.startedAt), in: calendarEvents[id] ?? [])
                let state = try Self.calendarState(id, in: calendarEvents[id] ?? [])
                entries = entries.map { Self.explainingHours($0, calendar: id, state) }
                earlierEntries = earlierEntries.map { Self.explainingHours($0, calendar: id, state) }
            }
            var chargeEvents: [EventReference]?
            if charge.kind == .oneOff, charge.key.hasPrefix("one-off:") {
                chargeEvents = try readAll(stream: StreamName.charge(String(charge.key.dropFirst("one-off:".count)))).map { recorded in
                    guard case .voided(let e)? = try? ChargeEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
                    else { return EventReference(recorded) }
                    return EventReference(recorded, reason: e.reason)
                }
            }
            lines.append(
                LineAudit(
                    line: index + 1, charge: charge, chargedMinutes: line.chargedMinutes, amount: line.amount, previousAmount: line.previousAmount,
                    previousInvoices: line.previousInvoices.map { numbers[$0] ?? $0 }, entries: entries, earlierEntries: earlierEntries,
                    terms: terms, calendars: calendars, chargeEvents: chargeEvents))
        }
        let creditNote = invoice.creditNote == reference ? invoice.creditNoteDocument : nil
        return InvoiceAudit(
            invoice: invoice, drafted: drafted, finalized: finalized, discarded: discarded, voided: voided, lines: lines, creditNote: creditNote)
    }

    /// The entries the last of `invoices` (in draft order) with a line under `charge`'s key and currency billed there:
    /// each line holds the key's whole state, so the latest says what was billed before.
    static func lastBilled(_ charge: Charge, on invoices: [Invoice]) -> [ChargedEntry] {
        for invoice in invoices.reversed() {
            if let line = invoice.lines.last(where: { $0.charge.key == charge.key && $0.charge.currency == charge.currency }) {
                return line.charge.entries
            }
        }
        return []
    }

    /// The after-hours calendar billing `terms` name, if any.
    static func afterHoursCalendar(_ terms: JSONValue?) -> String? {
        guard case .object(let fields)? = terms, case .object(let afterHours)? = fields["afterHours"],
            case .string(let id)? = afterHours["calendar"]
        else { return nil }
        return id
    }

    /// Calendar `id` folded from `events`.
    static func calendarState(_ id: String, in events: [RecordedEvent]) throws -> CalendarState {
        try events.reduce(CalendarState.builtIn(id) ?? CalendarDecider.initialState) { state, recorded in
            CalendarDecider.evolve(
                state, try CalendarEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload))
        }
    }

    /// `entry` with why it was after hours on calendar `id` (the version in force when it started, as the charge
    /// calculator decides it), when it was.
    static func explainingHours(_ entry: EntryAudit, calendar id: String, _ state: CalendarState) -> EntryAudit {
        guard let start = Timestamp(iso8601: entry.entry.startedAt), let calendar = state.calendar(at: start)?.calendar,
            !calendar.isOpen(at: start)
        else { return entry }
        var explained = entry
        let day = calendar.localDate(containing: start)
        explained.afterHours = calendar.holidays.contains(day) ? "holiday \(day) in calendar \(id)" : "outside the hours of calendar \(id)"
        return explained
    }

    /// The versions of calendar `id` (folded from `events`) in force at `instants` (RFC 3339), by amendment, each with
    /// the event that set it.
    static func calendars(_ id: String, at instants: [String], in events: [RecordedEvent]) throws -> [CalendarAudit] {
        var state = CalendarState.builtIn(id) ?? CalendarDecider.initialState
        var setBy: [Int: RecordedEvent] = [:]
        for recorded in events {
            let event = try CalendarEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload)
            state = CalendarDecider.evolve(state, event)
            switch event {
            case .defined: setBy[0] = recorded
            case .amended(let e): setBy[e.amendment] = recorded
            }
        }
        let versions = instants.compactMap { Timestamp(iso8601: $0).flatMap(state.version(at:)) }
        return Dictionary(versions.map { ($0.amendment, $0) }, uniquingKeysWith: { a, _ in a }).values
            .sorted { $0.amendment < $1.amendment }
            .compactMap { version in
                setBy[version.amendment].map {
                    CalendarAudit(calendar: id, amendment: version.amendment, effectiveFrom: version.effectiveFrom.iso8601, setBy: EventReference($0))
                }
            }
    }

    /// Every event of `stream`, in order, read in pages.
    func readAll(stream: String) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        while true {
            let batch = try store.read(stream: stream, from: UInt64(events.count) + 1, limit: 1_000)
            events += batch
            if batch.count < 1_000 { return events }
        }
    }

    static func reason(of recorded: RecordedEvent) -> String? {
        guard let event = try? TimeEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload) else {
            return nil
        }
        switch event {
        case .corrected(let e): return e.reason
        case .voided(let e): return e.reason
        default: return nil
        }
    }

    private static func terms(_ charge: Charge, in events: [RecordedEvent]) throws -> TermsAudit? {
        for recorded in events {
            switch try ContractEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, payload: recorded.payload) {
            case .created(let e) where charge.amendment == 0:
                return TermsAudit(
                    contract: charge.contract, amendment: 0, effectiveFrom: e.effectiveFrom.iso8601, billingTerms: e.billingTerms,
                    setBy: EventReference(recorded))
            case .amended(let e) where e.amendment == charge.amendment:
                return TermsAudit(
                    contract: charge.contract, amendment: e.amendment, effectiveFrom: e.effectiveFrom.iso8601, billingTerms: e.billingTerms,
                    setBy: EventReference(recorded))
            default: continue
            }
        }
        return nil
    }
}
