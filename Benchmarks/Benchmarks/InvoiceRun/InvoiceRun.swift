// Issue 5 §9: an invoice run over 1M time entries, through the real service (read models, ChargeCalculator,
// BillingDecider, appends). The store is seeded before the measurement starts: users, 200 clients on the three
// contract models (hourly with after-hours on an office calendar, block, retainer), 100k tickets and 1M time entries
// spread over January–November 2026, appended in bulk with the read models applied in the same transactions.
import Benchmark
import BusinessTime
import DocketApp
import Domain
import EventLog
import Foundation
import LMDB

/// A clock the seeder sets; the run happens "on 1 December 2026".
private final class SettableClock: WallClock, @unchecked Sendable {
    // @unchecked Sendable: set by the single seeding thread before any other use.
    var instant = Timestamp(iso8601: "2026-12-01T09:00:00Z")!
    func now() -> Timestamp { instant }
}

private struct Seeded {
    let folder: String
    let store: EventStore
    let app: DocketApplication
}

/// A repeatable pseudo-random sequence (SplitMix64).
private struct SplitMix {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}

private func seed(entries: Int, tickets: Int, clients: Int) throws -> Seeded {
    let folder = NSTemporaryDirectory() + "docket-invoice-run-\(UUID().uuidString)"
    var options = Environment.Options()
    options.durable = false
    let clock = SettableClock()
    let models = ReadModels()
    let store = try EventStore(path: folder, options: options, clock: clock, projections: models.all)
    let service = DocketApplication(store: store, models: models, clock: clock)
    try service.directory.bootstrapAdmin(login: "ann", name: "Ann", email: "ann@msp.example")
    try service.directory.user("bill", .add(AddUser(login: "bill", name: "Bill", email: "bill@msp.example", role: .billing)), as: "ann")
    let techs = (0..<20).map { "tech\($0)" }
    for tech in techs {
        try service.directory.user(tech, .add(AddUser(login: tech, name: tech, email: "\(tech)@msp.example", role: .tech)), as: "ann")
    }
    let day = [try BusinessSlot("13:00", "23:00")]
    let office = try BusinessCalendar(timeZone: "UTC", weeklyHours: try WeeklyHours(day, on: [.mon, .tue, .wed, .thu, .fri]), holidays: [])
    let start = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    try service.directory.calendar("office", .define(DefineCalendar(id: "office", name: "Office", effectiveFrom: start, calendar: office)), as: "bill")
    let codes = (0..<clients).map { String(format: "client%03d", $0) }
    for (index, code) in codes.enumerated() {
        try service.directory.client(
            code, .register(RegisterClient(code: code, name: code, domains: ["\(code).example"], timeZone: "UTC", currency: "USD")), as: "ann")
        let terms: JSONValue
        switch index % 3 {
        case 0:
            terms = [
                "model": "hourly", "currency": "USD", "rates": ["remote": 12_500, "onsite": 15_000, "*": 11_000],
                "rounding": ["incrementMinutes": 15, "scope": "entry"], "minimumMinutesPerTicket": 30,
                "afterHours": ["calendar": "office", "multiplierPercent": 150], "taxBasisPoints": 825,
            ]
        case 1:
            terms = [
                "model": "block", "currency": "USD",
                "block": ["id": "2026", "minutes": 6_000, "priceMinor": 900_000, "overageRatePerHour": 14_000],
                "rounding": ["incrementMinutes": 6, "scope": "ticket"],
            ]
        default:
            terms = [
                "model": "retainer", "currency": "USD", "rates": ["*": 12_000],
                "retainer": ["monthlyFeeMinor": 250_000, "includedMinutes": 600, "coveredCategories": ["helpdesk"]],
            ]
        }
        try service.directory.createContract(
            CreateContract(id: "\(code)-2026", client: code, clientSnapshot: nil, name: code, effectiveFrom: start, billingTerms: terms),
            as: "bill")
    }
    var random = SplitMix(state: 2026)
    let categories = ["helpdesk", "network", "server", "project"]
    var batch: [AppendRequest] = []
    func flush() throws {
        guard !batch.isEmpty else { return }
        try store.append(batch)
        batch.removeAll(keepingCapacity: true)
    }
    for index in 0..<tickets {
        let number = TicketNumber("T-\(1_001 + index)")!
        let opened = TicketEvent.opened(
            TicketOpened(
                number: number, client: codes[index % clients], contact: nil, category: categories[random.next(categories.count)],
                priority: .p3, source: .phone, subject: "Ticket \(index)", description: ""))
        batch.append(
            AppendRequest(
                stream: StreamName.ticket(number), expectedVersion: .noStream,
                events: [NewEvent(type: opened.eventType, schemaVersion: opened.schemaVersion, payload: opened.payload())], actor: "ann"))
        if batch.count == 10_000 { try flush() }
    }
    try flush()
    let workTypes = ["remote", "remote", "onsite", "travel"]
    let year = start.millisecondsSinceEpoch
    let span: Int64 = 334 * 86_400_000  // 1 January to 30 November
    for index in 0..<entries {
        let ticket = 1_001 + random.next(tickets)
        let startedAt = Timestamp(millisecondsSinceEpoch: year + Int64(random.next(Int(span / 60_000))) * 60_000)
        let logged = TimeEvent.logged(
            TimeLogged(
                entryId: "TE-\(index + 1)", ticket: "T-\(ticket)", tech: techs[random.next(techs.count)], minutes: 5 + random.next(236),
                workType: workTypes[random.next(workTypes.count)], billable: random.next(10) != 0, startedAt: startedAt.iso8601, note: nil))
        batch.append(
            AppendRequest(
                stream: StreamName.timeEntry("TE-\(index + 1)"), expectedVersion: .noStream,
                events: [NewEvent(type: logged.eventType, schemaVersion: logged.schemaVersion, payload: logged.payload())], actor: "tech0"))
        if batch.count == 10_000 { try flush() }
    }
    try flush()
    return Seeded(folder: folder, store: store, app: service)
}

let benchmarks: @Sendable () -> Void = {
    let entries = Int(ProcessInfo.processInfo.environment["INVOICE_RUN_ENTRIES"] ?? "") ?? 1_000_000
    Benchmark(
        "Invoice run over \(entries) time entries, 200 clients (first run: drafts everything)",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds, maxDuration: .seconds(900), maxIterations: 1)
    ) { benchmark in
        let seeded = try seed(entries: entries, tickets: entries / 10, clients: 200)
        defer { try? FileManager.default.removeItem(atPath: seeded.folder) }
        benchmark.startMeasurement()
        let runs = try seeded.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bill")
        benchmark.stopMeasurement()
        precondition(runs.filter { !$0.drafted.isEmpty }.count == 200, "every client gets a draft")
        blackHole(runs)

        // The same run again (nothing new to bill: every charge is compared with what the drafts billed).
        let clock = ContinuousClock()
        let rerun = try clock.measure {
            let again = try seeded.app.billing.runInvoices(period: BillingPeriod("2026-11")!, as: "bill")
            precondition(again.allSatisfy { $0.drafted.isEmpty }, "a rerun drafts nothing")
        }
        FileHandle.standardError.write(Data("rerun with nothing new to bill: \(rerun)\n".utf8))
    }
}
