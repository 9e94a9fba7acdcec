import BusinessTime
import DocketApp
import Domain
import EventLog
import Foundation
import LMDB

// seed-store: builds a big Docket store fast for the CLI latency benchmarks (see ../../README.md).
//
//   seed-store --store /tmp/docket-bench-1m   --tickets 100000 --events-per-ticket 10   (1,100,029 events)
//   seed-store --store /tmp/docket-bench-100k --tickets 100000 --events-per-ticket 3    (400,029 events)
//
// It goes through the real application and domain: users and clients are added with `DocketApplication`, and
// every ticket's events are decided by `TicketDecider` and appended with `CommandKernel.request`, so the
// payloads are the ones the CLI writes. The store is opened with the app's read models (`ReadModels().all`),
// so stream counts and the queue are maintained in the same transactions, exactly as `docket` does.
// The only shortcuts: tickets are appended 1,000 per transaction, and commits are not fsync'd
// (`durable = false`); the data is flushed with sync(2) at the end.
//
// Every ticket stays open. Per ticket, in order: ticket.opened, ticket.assigned (9 in 10 tickets; every
// 10th stays unassigned), ticket.status-changed to in-progress, then ticket.commented (public and internal
// in turn) until the ticket has `--events-per-ticket` events; plus one ticket.sla-started (24x7 calendar)
// right after ticket.opened, so every open ticket has an SLA clock (`docket sla`).
//
// A store already at the path is reused when it holds at least the requested tickets and events (the
// benchmark adds tickets to it); `--force` deletes and rebuilds it.

struct Options {
    var store = ""
    var tickets = 100_000
    var eventsPerTicket = 10
    var techs = 8
    var clients = 20
    var batch = 1_000
    var force = false

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments.dropFirst()
        func value(_ flag: String) -> String {
            guard let next = rest.popFirst() else { fail("\(flag) needs a value") }
            return next
        }
        func number(_ flag: String) -> Int {
            let text = value(flag)
            guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n > 0 else { fail("\(flag) \(text): not a positive number") }
            return n
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--store": options.store = value(flag)
            case "--tickets": options.tickets = number(flag)
            case "--events-per-ticket": options.eventsPerTicket = number(flag)
            case "--techs": options.techs = number(flag)
            case "--clients": options.clients = number(flag)
            case "--batch": options.batch = number(flag)
            case "--force": options.force = true
            case "-h", "--help":
                print("usage: seed-store --store PATH [--tickets 100000] [--events-per-ticket 10] [--techs 8] [--clients 20] [--batch 1000] [--force]")
                exit(0)
            default: fail("unknown argument \(flag)")
            }
        }
        if options.store.isEmpty { fail("--store PATH is required") }
        return options
    }

    /// Events besides the tickets': admin + techs (one user.added each) and clients (one client.registered each).
    var setupEvents: Int { 1 + techs + clients }
    var expectedEvents: Int { setupEvents + tickets * eventsPerTicket }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("seed-store: \(message)\n".utf8))
    exit(1)
}

/// A clock the seeder moves forward, so tickets are opened over the past ~200 days rather than all at once.
final class SeedClock: WallClock, @unchecked Sendable {
    // @unchecked Sendable: only the seeding thread touches `current`.
    var current: Timestamp
    init(_ start: Timestamp) { current = start }
    func now() -> Timestamp { current }
}

/// Login of tech `i` (1-based).
func tech(_ i: Int) -> String { "tech\(i)" }
/// Code of client `i` (1-based).
func client(_ i: Int) -> String { String(format: "client%02d", i) }

func storeSize(_ path: String) -> Int {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    var bytes = 0
    for file in files {
        var info = stat()
        // st_blocks: what the file really occupies (data.mdb can be sparse after map growth).
        if stat(path + "/" + file, &info) == 0 { bytes += Int(info.st_blocks) * 512 }
    }
    return bytes
}

func describe(_ store: EventStore, _ models: ReadModels, path: String) throws -> String {
    let head = try store.head().position
    let categories = try models.streamCounts.read(from: store).categories
    let summary = categories.map { "\($0.name): \($0.streams) streams, \($0.events) events" }.joined(separator: "; ")
    let open = try models.queue.queue(QueueFilter(), limit: Int.max, in: store).count
    return "\(head) events (\(summary)); \(open) open tickets; \(String(format: "%.2f", Double(storeSize(path)) / 1_048_576)) MiB on disk"
}

let options = Options.parse(CommandLine.arguments)
let path = options.store

if FileManager.default.fileExists(atPath: path + "/data.mdb") {
    if options.force {
        try FileManager.default.removeItem(atPath: path)
    } else {
        let models = ReadModels()
        let store = try EventStore(path: path, projections: models.all)
        let head = try store.head().position
        let ticketStreams = try models.streamCounts.read(from: store).categories.first { $0.name == "ticket" }?.streams ?? 0
        if head >= UInt64(options.expectedEvents), ticketStreams >= UInt64(options.tickets),
            try store.checkpoint(of: models.queue.name) == head
        {
            print("reusing \(path): \(try describe(store, models, path: path))")
            exit(0)
        }
        fail("\(path) holds a store that is not the requested seed (\(head) events, \(ticketStreams) tickets); rerun with --force to rebuild it")
    }
}

func seconds(_ d: Duration) -> String {
    String(format: "%.1f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}

let wall = ContinuousClock()
let started = wall.now
let dayMs: Int64 = 86_400_000
let realNow = SystemClock().now().millisecondsSinceEpoch
let clock = SeedClock(Timestamp(millisecondsSinceEpoch: realNow - 200 * dayMs))
var environment = Environment.Options()
environment.durable = false
environment.initialMapSize = 1 << 30
let models = ReadModels()
let store = try EventStore(path: path, options: environment, clock: clock, projections: models.all)
let service = DocketApplication(store: store, models: models, clock: clock)
let runner = CommandKernel(store: store)

// Users and clients, through the application service (each its own transaction).
try service.directory.bootstrapAdmin(login: "admin", name: "Ada Admin", email: "admin@msp.example")
var techSnapshots: [UserSnapshot] = []
for i in 1...options.techs {
    try service.directory.user(tech(i), .add(AddUser(login: tech(i), name: "Tech \(i)", email: "\(tech(i))@msp.example", role: .tech)), as: "admin")
    guard let snapshot = try service.directory.user(tech(i)).snapshot else { fail("user \(tech(i)) has no snapshot") }
    techSnapshots.append(snapshot)
}
var clientSnapshots: [ClientSnapshot] = []
for i in 1...options.clients {
    try service.directory.client(
        client(i),
        .register(RegisterClient(code: client(i), name: "Client \(i) Ltd", domains: ["client\(i).example"], timeZone: "Europe/London", currency: "EUR")),
        as: "admin")
    guard let snapshot = try service.directory.client(client(i)).snapshot else { fail("client \(client(i)) has no snapshot") }
    clientSnapshots.append(snapshot)
}

// Tickets: decided by the domain, appended `batch` tickets per transaction.
let priorities: [Priority] = [.p1, .p2, .p2, .p3, .p3, .p3, .p3, .p3, .p4, .p4]
let sources = TicketSource.allCases
let span = 199 * dayMs
let batches = (options.tickets + options.batch - 1) / options.batch
var nextNumber = TicketNumber.first
var ticketIndex = 0
var lastReport = started
for batchIndex in 0..<batches {
    clock.current = Timestamp(millisecondsSinceEpoch: realNow - 200 * dayMs + span * Int64(batchIndex) / Int64(max(batches, 1)))
    var requests: [AppendRequest] = []
    requests.reserveCapacity(options.batch)
    for _ in 0..<min(options.batch, options.tickets - ticketIndex) {
        let i = ticketIndex
        ticketIndex += 1
        let number = nextNumber
        nextNumber = number.next
        let techIndex = i % options.techs
        let actor = Actor(login: tech(techIndex + 1), role: .tech)
        let context = DecisionContext(actor: actor, now: clock.current)
        let clientSnapshot = clientSnapshots[i % options.clients]
        var commands: [TicketCommand] = [
            .open(OpenTicket(
                number: number, client: clientSnapshot.code, clientSnapshot: clientSnapshot,
                category: ["network", "backup", "email", "hardware", "printing"][i % 5],
                priority: priorities[i % priorities.count], source: sources[i % sources.count],
                subject: "Seeded ticket \(number): user reports the \(["VPN", "printer", "mailbox", "laptop", "backup job"][i % 5]) is failing",
                description: "Seeded by seed-store for the CLI latency benchmark. Ticket \(i + 1) of \(options.tickets)."))
        ]
        if i % 10 != 9 { commands.append(.assign(to: techSnapshots[techIndex].login, user: techSnapshots[techIndex])) }
        commands.append(.setStatus(.inProgress))
        var comment = 0
        while commands.count < options.eventsPerTicket {
            comment += 1
            commands.append(.comment(
                "Update \(comment) on \(number): checked the logs, spoke with the contact, next step scheduled.",
                visibility: comment % 2 == 0 ? .internal : .public))
        }
        var events: [TicketEvent] = []
        var state = TicketDecider.initialState
        for command in commands.prefix(options.eventsPerTicket) {
            let decided = try TicketDecider.decide(command, state: state, context: context)
            state = decided.reduce(state, TicketDecider.evolve)
            events += decided
        }
        var request = runner.request(stream: StreamName.ticket(number), version: 0, events: events, context: context, commandId: nil)
        // Every seeded ticket runs an SLA on the 24x7 calendar (as `ticket.sla-started` would record it), so
        // `docket sla` has a clock per open ticket to order.
        let started = TicketSLAEvent.started(TicketSLAStarted(
            policy: "bench", policyAmendment: 0, calendarId: "24x7", calendarAmendment: 0, calendar: .twentyFourSeven,
            targets: [.p1: SLATarget(responseMinutes: 30, resolutionMinutes: 240), .p2: SLATarget(responseMinutes: 60, resolutionMinutes: 480),
                      .p3: SLATarget(responseMinutes: 240, resolutionMinutes: 2_880), .p4: SLATarget(responseMinutes: 480, resolutionMinutes: 14_400)],
            warnAtPercent: [75, 90], escalations: [], priority: priorities[i % priorities.count], startedAt: context.now))
        request.events.insert(NewEvent(type: started.eventType, schemaVersion: started.schemaVersion, payload: started.payload()), at: 1)
        requests.append(request)
    }
    try store.append(requests)
    if wall.now - lastReport > .seconds(10) || batchIndex == batches - 1 {
        lastReport = wall.now
        let elapsed = started.duration(to: wall.now)
        FileHandle.standardError.write(Data("seed-store: \(ticketIndex)/\(options.tickets) tickets, \(try store.head().position) events, \(seconds(elapsed))\n".utf8))
    }
}
sync()
let elapsed = started.duration(to: wall.now)
print("seeded \(path) in \(seconds(elapsed)): \(try describe(store, models, path: path))")
