import BusinessTime
import Domain
import EventLog
import Foundation
import LMDB

// Seeds a store for the billing-report benchmark (issue 5 §9): `seed-billing PATH [EVENTS] [--sla]` (default 10,000,000;
// `--help` prints the usage, an unknown option or a wrong count is refused with one line and exit 2).
// With `--sla` every ticket also gets a `ticket.sla-started` right after `ticket.opened`, with an office calendar
// (America/New_York, Mon–Fri 08:00–18:00, ten 2026 holidays) frozen in, as real stores record it (issue 10): the
// read-model benchmarks (`readmodels-bench.sh`) use this mix (about 9.3 events per ticket).
//
// The mix, per ticket (about 8.3 events): ticket.opened, ticket.sla-less assignment, status change, two comments,
// two time entries (one in 8 corrected, one in 40 voided), ticket.closed. 200 clients with contracts, 20 techs with
// cost rates (a raise mid-year), and at each month end, per client: invoice.drafted (a time line per ticket with
// its entries, a retainer fee for one client in three), invoice.number-issued + invoice.finalized, and one invoice
// in 53 voided with a credit note. Payloads are the domain types' own canonical JSON: each kind is encoded once by
// `Domain` with placeholder values that are then replaced byte for byte (so the JSON matches the schemas exactly),
// or encoded by `Domain` outright for the rare kinds. Events are appended raw in bulk transactions without fsync.

/// A clock the seeder moves along simulated 2026.
final class SimulatedClock: WallClock, @unchecked Sendable {
    // @unchecked Sendable: the seeder is single-threaded; only it reads and sets `instant`.
    var instant = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    func now() -> Timestamp { instant }
}

/// A payload encoded once by Domain, with placeholders replaced per event.
struct Template {
    let bytes: [UInt8]
    init(_ event: some DomainEvent) { bytes = event.payload() }

    func with(_ replacements: [(String, String)]) -> [UInt8] {
        var out = bytes
        for (placeholder, value) in replacements {
            guard let offset = Template.offset(of: placeholder, in: out) else { fatalError("placeholder \(placeholder) missing") }
            out.replaceSubrange(offset..<(offset + placeholder.utf8.count), with: value.utf8)
        }
        return out
    }

    /// Where `needle` first occurs in `haystack`: a plain byte loop over the buffers, since Foundation's generic
    /// `firstRange(of:)` on byte arrays was a fifth of the seeder's CPU (Glibc's `memmem` is not visible to Swift).
    static func offset(of needle: String, in haystack: [UInt8]) -> Int? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first, pattern.count <= haystack.count else { return nil }
        return haystack.withUnsafeBufferPointer { bytes in
            pattern.withUnsafeBufferPointer { wanted in
                guard let base = bytes.baseAddress, let target = wanted.baseAddress else { return nil }
                var start = 0
                while start <= bytes.count - wanted.count {
                    if bytes[start] == first, memcmp(base + start, target, wanted.count) == 0 {
                        return start
                    }
                    start += 1
                }
                return nil
            }
        }
    }
}

let usage = """
    usage: seed-billing PATH [EVENTS] [--sla]
      PATH     a folder for a new store (created; a store that holds events is left alone)
      EVENTS   how many events to seed, about (default 10000000)
      --sla    start an SLA clock on every ticket (the mix of the read-model benchmarks)
      -h, --help  show this and exit

    """

/// Says `message` on stderr in one line and exits 2 (a wrong command line: nothing was seeded).
func refuse(_ message: String) -> Never {
    FileHandle.standardError.write(Data("seed-billing: \(message); see seed-billing --help\n".utf8))
    exit(2)
}

var withSLA = false
var arguments: [String] = []
for argument in CommandLine.arguments.dropFirst() {
    switch argument {
    case "-h", "--help":
        print(usage, terminator: "")
        exit(0)
    case "--sla": withSLA = true
    case _ where argument.hasPrefix("-"): refuse("unknown option '\(argument)'")
    default: arguments.append(argument)
    }
}
guard (1...2).contains(arguments.count) else { refuse("give a store folder and, optionally, a number of events") }
let path = arguments[0]
guard arguments.count == 1 || Int(arguments[1]).map({ $0 > 0 }) == true else {
    refuse("EVENTS must be a whole number above 0, not '\(arguments[1])'")
}
let target = arguments.count > 1 ? Int(arguments[1])! : 10_000_000
let clock = SimulatedClock()
var options = Environment.Options()
options.durable = false
let store = try EventStore(path: path, options: options, clock: clock)
guard try store.head().position == 0 else {
    print("\(path) already holds \(try store.head().position) events; remove it to seed again")
    exit(0)
}

let clients = (0..<200).map { String(format: "c%03d", $0) }
let techs = (0..<20).map { String(format: "tech%02d", $0) }
let categories = ["network", "helpdesk", "server", "security", "onboarding"]
let placeholderTime = "2099-12-31T23:59:59.000Z"

let opened = Template(TicketEvent.opened(TicketOpened(
    number: TicketNumber(999_999_999)!, client: "CLIENTXX", contact: nil, category: "CATEGORYXX", priority: .p3, source: .email,
    subject: "Printer on floor 3 is offline again", description: "Since this morning nobody can print; the queue shows errors.")))
let assigned = Template(TicketEvent.assigned(TicketAssigned(assignee: "TECHXX", previousAssignee: nil)))
let status = Template(TicketEvent.statusChanged(TicketStatusChanged(status: .inProgress, previousStatus: .new)))
let comment = Template(TicketEvent.commented(TicketCommented(
    text: "Checked the spooler and restarted it; the queue drains again. Watching it for an hour.", visibility: .internal)))
let closed = Template(TicketEvent.closed(TicketClosed(resolution: "Spooler restarted; driver updated.")))
let logged = Template(TimeEvent.logged(TimeLogged(
    entryId: "TE-88888888", ticket: "T-999999999", tech: "TECHXX", minutes: 77777, workType: "remote", billable: true,
    startedAt: placeholderTime, note: "remote session")))
let loggedNonBillable = Template(TimeEvent.logged(TimeLogged(
    entryId: "TE-88888888", ticket: "T-999999999", tech: "TECHXX", minutes: 77777, workType: "travel", billable: false,
    startedAt: placeholderTime, note: nil)))
let corrected = Template(TimeEvent.corrected(TimeCorrected(minutes: 77777, reason: "logged the wrong duration")))
let voided = Template(TimeEvent.voided(TimeVoided(reason: "logged on the wrong ticket")))

/// The SLA start recorded with every ticket under `--sla`: an office calendar and four priority targets, as the
/// application resolves them at intake (placeholders for the priority and the start instant).
let slaStarted: Template? = withSLA ? {
    do {
        let hours = try WeeklyHours([BusinessSlot("08:00", "18:00")], on: [.mon, .tue, .wed, .thu, .fri])
        let holidays = try ["2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-07-03", "2026-09-07",
                        "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"].map { try LocalDate(parsing: $0) }
        let calendar = try BusinessCalendar(timeZone: "America/New_York", weeklyHours: hours, holidays: holidays)
        return Template(TicketSLAEvent.started(TicketSLAStarted(
            policy: "standard", policyAmendment: 0, calendarId: "office", calendarAmendment: 0, calendar: calendar,
            targets: [.p1: SLATarget(responseMinutes: 30, resolutionMinutes: 240), .p2: SLATarget(responseMinutes: 60, resolutionMinutes: 480),
                      .p3: SLATarget(responseMinutes: 240, resolutionMinutes: 2_880), .p4: SLATarget(responseMinutes: 480, resolutionMinutes: 14_400)],
            warnAtPercent: [75, 90], escalations: [], priority: .p3, startedAt: Timestamp(iso8601: placeholderTime)!)))
    } catch {
        fatalError("SLA calendar: \(error)")
    }
}() : nil

/// A Charge as the calculator writes it for an hourly contract (built with the memberwise initialiser: going
/// through `JSONSerialization` and `JSONDecoder` here was half of the seeder's CPU).
func charge(key: String, kind: Charge.Kind, period: String, ticket: String?, minutes: Int, amount: Int64, entries: [ChargedEntry]) -> Charge {
    Charge(
        key: key, kind: kind, period: period, description: kind == .time ? "Remote support \(ticket ?? "")" : "Retainer \(period)",
        ticket: ticket, workType: ticket == nil ? nil : "remote", afterHours: false, contract: "msa", amendment: 0, currency: "USD",
        entries: entries, loggedMinutes: minutes, roundingMinutes: 0, minimumMinutes: 0, coveredMinutes: 0, coverage: nil,
        chargedMinutes: minutes, ratePerHour: 12_000, multiplierPercent: 100, amount: amount, taxBasisPoints: 0)
}

var pending: [AppendRequest] = []
var pendingEvents = 0
var written = 0
@MainActor func add(_ stream: String, _ type: String, _ payload: [UInt8], actor: String = "seed") {
    pending.append(AppendRequest(stream: stream, events: [NewEvent(type: type, payload: payload, eventId: .random())], actor: actor))
    pendingEvents += 1
}
@MainActor func flush() throws {
    guard !pending.isEmpty else { return }
    _ = try store.append(pending)
    written += pendingEvents
    pending.removeAll(keepingCapacity: true)
    pendingEvents = 0
}

// Setup: an admin (replay, rebuild, export and import of a store with events need one), users with cost rates,
// clients, contracts.
add("user-ann", "user.added", UserEvent.added(UserAdded(login: "ann", name: "Ann Admin", email: "ann@msp.example", role: .admin)).payload())
for (index, tech) in techs.enumerated() {
    add("user-\(tech)", "user.added", UserEvent.added(UserAdded(login: tech, name: tech, email: "\(tech)@msp.example", role: .tech)).payload())
    for (version, (cost, from)) in [(4_000 + 100 * Int64(index), "2026-01-01T00:00:00Z"), (4_500 + 100 * Int64(index), "2026-07-01T00:00:00Z")].enumerated() {
        add("user-\(tech)", "user.cost-rate-set", UserEvent.costRateSet(UserCostRateSet(
            version: version + 1, costPerHourMinor: cost, currency: "USD", effectiveFrom: Timestamp(iso8601: from)!)).payload())
    }
}
for client in clients {
    add("client-\(client)", "client.registered", ClientEvent.registered(ClientRegistered(
        code: client, name: "Client \(client)", domains: ["\(client).example"], timeZone: "America/New_York", currency: "USD")).payload())
    add("contract-\(client)-msa", "contract.created", ContractEvent.created(ContractCreated(
        id: "\(client)-msa", client: client, name: "MSA", effectiveFrom: Timestamp(iso8601: "2026-01-01T00:00:00Z")!, slaPolicy: nil,
        billingTerms: ["model": "hourly", "currency": "USD", "rates": ["*": 12_000]])).payload())
}
try flush()

// The work: tickets spread evenly over 2026; invoices at each month end.
// 8.3 events per ticket on average: 6 ticket events, 2 time entries, 1 correction in 8, 1 void in 40 (9.3 with --sla).
let tickets = max(1, (target - written) * 10 / (withSLA ? 93 : 83))
let yearStart = Timestamp(iso8601: "2026-01-01T00:00:00Z")!.millisecondsSinceEpoch
let yearMilliseconds: Int64 = 365 * 86_400_000
var entryNumber = 0
var month = 1
var invoiceNumber = 0
var creditNumber = 0
var draftsPerClient = [String: Int]()
/// Per client, this month's tickets with their billable entries.
var unbilled = [String: [(ticket: String, entries: [ChargedEntry])]]()
let started = Date()

@MainActor func monthEnd(_ month: Int) -> Int64 {
    Timestamp(iso8601: String(format: "2026-%02d-01T00:00:00Z", month + 1 > 12 ? 1 : month + 1))!.millisecondsSinceEpoch
        + (month == 12 ? yearMilliseconds : 0)
}

@MainActor func invoiceMonth(_ month: Int) throws {
    try flush()
    let period = String(format: "2026-%02d", month)
    for client in clients {
        var lines: [InvoiceLine] = []
        for billed in unbilled[client] ?? [] {
            let minutes = billed.entries.reduce(0) { $0 + $1.minutes }
            let line = charge(
                key: "time:\(billed.ticket):\(period):remote:std:\(client)-msa#0", kind: .time, period: period, ticket: billed.ticket,
                minutes: minutes, amount: Money.price(minutes: minutes, ratePerHour: 12_000, multiplierPercent: 100)!, entries: billed.entries)
            lines.append(InvoiceLine(charge: line, previousChargedMinutes: 0, previousCoveredMinutes: 0, previousAmount: 0, previousInvoices: [], adjustment: false))
        }
        if Int(client.dropFirst())! % 3 == 0 {
            let fee = charge(key: "retainer-fee:\(client)-msa:\(period)", kind: .retainerFee, period: period, ticket: nil, minutes: 0, amount: 250_000, entries: [])
            lines.append(InvoiceLine(charge: fee, previousChargedMinutes: 0, previousCoveredMinutes: 0, previousAmount: 0, previousInvoices: [], adjustment: false))
        }
        guard !lines.isEmpty else { continue }
        let subtotal = lines.reduce(Int64(0)) { $0 + $1.amount }
        let draft = (draftsPerClient[client] ?? 0) + 1
        draftsPerClient[client] = draft
        let id = "\(client)-D\(draft)"
        let at = clock.instant.iso8601
        add("billing-\(client)", "invoice.drafted", InvoiceEvent.drafted(InvoiceDrafted(
            invoice: id, client: client, period: period, currency: "USD", lines: lines, subtotal: subtotal, taxes: [], total: subtotal,
            draftedAt: at)).payload())
        invoiceNumber += 1
        let number = String(format: "INV-2026-%04d", invoiceNumber)
        add("invoice-numbers-2026", "invoice.number-issued", InvoiceEvent.numberIssued(InvoiceNumberIssued(number: number, invoice: id, client: client)).payload())
        add("billing-\(client)", "invoice.finalized", InvoiceEvent.finalized(InvoiceFinalized(invoice: id, number: number, finalizedAt: at)).payload())
        if invoiceNumber % 53 == 0 {  // 53, not 50: with 200 clients, 50 would always void the same four
            creditNumber += 1
            let credit = String(format: "CN-2026-%04d", creditNumber)
            add("credit-note-numbers-2026", "invoice.number-issued", InvoiceEvent.numberIssued(InvoiceNumberIssued(number: credit, invoice: id, client: client)).payload())
            add("billing-\(client)", "invoice.voided", InvoiceEvent.voided(InvoiceVoided(
                invoice: id, number: number, creditNote: credit, reason: "wrong contact billed", voidedAt: at)).payload())
        }
        try flush()
    }
    unbilled.removeAll(keepingCapacity: true)
}

for index in 0..<tickets {
    let instant = yearStart + yearMilliseconds * Int64(index) / Int64(tickets)
    while month <= 12, instant >= monthEnd(month) {
        clock.instant = Timestamp(millisecondsSinceEpoch: monthEnd(month))
        try invoiceMonth(month)
        month += 1
    }
    clock.instant = Timestamp(millisecondsSinceEpoch: instant)
    let number = 1001 + index
    let ticket = "T-\(number)"
    let stream = "ticket-\(ticket)"
    let client = clients[index % clients.count]
    let tech = techs[(index / 7) % techs.count]
    add(stream, "ticket.opened", opened.with([("T-999999999", ticket), ("CLIENTXX", client), ("CATEGORYXX", categories[index % categories.count])]))
    if let slaStarted {
        add(stream, "ticket.sla-started", slaStarted.with([(placeholderTime, Timestamp(millisecondsSinceEpoch: instant).iso8601)]))
    }
    add(stream, "ticket.assigned", assigned.with([("TECHXX", tech)]))
    add(stream, "ticket.status-changed", status.bytes)
    add(stream, "ticket.commented", comment.bytes, actor: tech)
    var billable: [ChargedEntry] = []
    for part in 0..<2 {
        entryNumber += 1
        let entry = "TE-\(entryNumber)"
        let minutes = 15 + (index * 7 + part * 13) % 90
        let startedAt = Timestamp(millisecondsSinceEpoch: instant + Int64(part) * 3_600_000).iso8601
        let isBillable = entryNumber % 6 != 0
        let template = isBillable ? logged : loggedNonBillable
        add("time-\(entry)", "time.logged", template.with([("TE-88888888", entry), ("T-999999999", ticket), ("TECHXX", tech), ("77777", String(minutes)), (placeholderTime, startedAt)]), actor: tech)
        var final = minutes
        if entryNumber % 8 == 0 {
            final = minutes + 10
            add("time-\(entry)", "time.corrected", corrected.with([("77777", String(final))]), actor: tech)
        }
        if entryNumber % 40 == 0 {
            add("time-\(entry)", "time.voided", voided.bytes, actor: tech)
        } else if isBillable, entryNumber % 25 != 0 {  // one billable entry in 25 is held back (never billed)
            billable.append(ChargedEntry(entryId: entry, tech: tech, startedAt: startedAt, minutes: final, workType: "remote", position: 0))
        }
    }
    add(stream, "ticket.commented", comment.bytes, actor: tech)
    add(stream, "ticket.closed", closed.bytes, actor: tech)
    if !billable.isEmpty { unbilled[client, default: []].append((ticket, billable)) }
    if pendingEvents >= 20_000 {
        try flush()
        if (index / 2_000) % 50 == 0 {
            let rate = Double(written) / Date().timeIntervalSince(started)
            FileHandle.standardError.write(Data("seeded \(written) events (\(Int(rate))/s)\n".utf8))
        }
    }
}
while month <= 12 {
    clock.instant = Timestamp(millisecondsSinceEpoch: monthEnd(month))
    try invoiceMonth(month)
    month += 1
}
try flush()
print("seeded \(try store.head().position) events in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(tickets) tickets, \(entryNumber) time entries, \(invoiceNumber) invoices, \(creditNumber) credit notes")
