import DocketApp
import Domain
import EventLog
import Foundation
import TestSupport
import Testing

@Suite struct CommandKernelTests {
    @Test func pausesGrowThenStayUnderTheCap() {
        let policy = RetryPolicy(attempts: 40, baseMilliseconds: 2, maxMilliseconds: 200)
        #expect((1...9).map(policy.ceiling(afterAttempt:)) == [2, 4, 8, 16, 32, 64, 128, 200, 200])
        #expect(policy.ceiling(afterAttempt: 1_000) == 200, "no overflow however many attempts")
        var random = SeededRandom(seed: 42)
        for attempt in 1..<40 {
            let delays = (0..<200).map { _ in policy.delay(afterAttempt: attempt, using: &random) }
            #expect(delays.allSatisfy { (0...policy.ceiling(afterAttempt: attempt)).contains($0) })
            if attempt >= 4 { #expect(Set(delays).count > 1, "jittered, not a fixed pause") }
        }
        #expect(policy.worstCaseMilliseconds == 2 + 4 + 8 + 16 + 32 + 64 + 128 + 200 * 32, "bounded: under 7 s in all")
        #expect(RetryPolicy().worstCaseMilliseconds == 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 500 * 41, "the default budget: 50 decisions, at most ~21 s")
    }

    @Test func aConflictIsDecidedAgainFromTheNewStateUntilItLands() throws {
        let fixture = try ServiceFixture()
        let kernel = CommandKernel(store: fixture.store, retry: RetryPolicy(attempts: 5, baseMilliseconds: 0))
        var decisions = 0
        let landedAt = try kernel.execute(commandId: "k-1", actor: "ann", replay: { _ in -1 }) { () -> CommandKernel.Decision<Int> in
            decisions += 1
            let version = try fixture.store.version(of: "probe-1")
            // The first three times, another writer gets there first.
            if decisions <= 3 { try fixture.store.append(sampleAppend("probe-1")) }
            return CommandKernel.Decision(
                appends: [AppendRequest(stream: "probe-1", expectedVersion: version == 0 ? .noStream : .exact(version), events: [sampleEvent(9)], commandId: "k-1", actor: "ann")],
                output: Int(version) + 1)
        }
        #expect(decisions == 4)
        #expect(landedAt == 4)
        #expect(try fixture.store.version(of: "probe-1") == 4)
        let again = try kernel.execute(commandId: "k-1", actor: "ann", replay: { Int($0.streamVersion) }) { () -> CommandKernel.Decision<Int> in
            Issue.record("a retried command id is not decided again")
            return CommandKernel.Decision(appends: [], output: 0)
        }
        #expect(again == 4)
    }

    @Test func aCommandIdIsOneUsers() throws {
        let fixture = try ServiceFixture()
        let kernel = CommandKernel(store: fixture.store)
        func decide(_ actor: String) -> CommandKernel.Decision<Int> {
            CommandKernel.Decision(
                appends: [AppendRequest(stream: "probe-\(actor)", expectedVersion: .any, events: [sampleEvent(9)], commandId: "k-3", actor: actor)],
                output: 1)
        }
        #expect(try kernel.execute(commandId: "k-3", actor: "ann", replay: { _ in 2 }) { decide("ann") } == 1)
        #expect(try kernel.execute(commandId: "k-3", actor: "ann", replay: { _ in 2 }) { decide("ann") } == 2, "ann's retry replays")
        let head = try fixture.store.head().position
        #expect(throws: EventLogError.self) {
            try kernel.execute(commandId: "k-3", actor: "bob", replay: { _ in 2 }) { decide("bob") }
        }
        do {
            _ = try kernel.execute(commandId: "k-3", actor: "bob", replay: { _ in 2 }) { decide("bob") }
        } catch let error as EventLogError {
            #expect(error.message == "command id k-3 was already used by another user; use a new command id")
        }
        #expect(try fixture.store.head().position == head, "bob's attempt wrote nothing")
    }

    /// A command id given for one request and reused for another (another command line, another HTTP body) is
    /// refused, where the first request's result used to be returned as if the second had been carried out; the same
    /// request again is a retry. Ids whose first event carries no stamp (stored before stamps, or given without a
    /// request) are answered as retries, as before.
    @Test func aCommandIdIsOneRequests() throws {
        let fixture = try ServiceFixture()
        let kernel = CommandKernel(store: fixture.store)
        func decide() -> CommandKernel.Decision<Int> {
            CommandKernel.Decision(
                appends: [AppendRequest(stream: "probe-r", expectedVersion: .any, events: [sampleEvent(9)], commandId: "k-4", actor: "ann")],
                output: 1)
        }
        func run(_ request: String?) throws -> Int {
            try RequestFingerprint.$current.withValue(request.map { RequestFingerprint(commandId: "k-4", request: $0) }) {
                try kernel.execute(commandId: "k-4", actor: "ann", replay: { _ in 2 }) { decide() }
            }
        }
        #expect(try run("ticket close T-1001 --time 30m") == 1)
        let first = try #require(try fixture.store.read(stream: "probe-r").first)
        #expect(first.eventId.uuid.6 >> 4 == 8, "the first event's id is the request's stamp")
        #expect(try run("ticket close T-1001 --time 30m") == 2, "the same request again is a retry")
        #expect(try run(nil) == 2, "a caller that gives no request (mail intake, a service) is answered as a retry")
        let head = try fixture.store.head().position
        do {
            _ = try run("ticket comment T-1001 hello")
            Issue.record("another request with the same id must be refused")
        } catch let error as DomainError {
            // Bad input (exit 65, HTTP 422); its instant RFC 3339 UTC in the message the API gives, apart for the CLI.
            #expect(error.code == .invalid)
            #expect(
                error.message == "command id k-4 was already used for another command (test.happened on probe-r at \(first.recordedAt.iso8601)); "
                    + "if that was this command sent another way (the API, then the CLI), it is done; else use a new command id, "
                    + "or repeat that command exactly to retry it")
        }
        #expect(try fixture.store.head().position == head, "the refused request wrote nothing")
        // A fingerprint for another id leaves this one alone.
        let other = try RequestFingerprint.$current.withValue(RequestFingerprint(commandId: "k-5", request: "x")) {
            try kernel.execute(commandId: "k-4", actor: "ann", replay: { _ in 2 }) { decide() }
        }
        #expect(other == 2)
    }

    @Test func anUnstampedFirstEventIsAnsweredAsARetryWhateverTheRequest() throws {
        let fixture = try ServiceFixture()
        let kernel = CommandKernel(store: fixture.store)
        try fixture.store.append(AppendRequest(stream: "probe-u", expectedVersion: .any, events: [sampleEvent(9)], commandId: "k-6", actor: "ann"))
        let answer = try RequestFingerprint.$current.withValue(RequestFingerprint(commandId: "k-6", request: "anything")) {
            try kernel.execute(commandId: "k-6", actor: "ann", replay: { _ in 2 }) { CommandKernel.Decision(appends: [], output: 1) }
        }
        #expect(answer == 2)
    }

    @Test func givingUpRethrowsTheConflictAndWritesNothing() throws {
        let fixture = try ServiceFixture()
        let kernel = CommandKernel(store: fixture.store, retry: RetryPolicy(attempts: 3, baseMilliseconds: 0))
        var decisions = 0
        #expect(throws: WrongExpectedVersion.self) {
            try kernel.execute(commandId: "k-2", actor: "ann", replay: { _ in }) { () -> CommandKernel.Decision<Void> in
                decisions += 1
                let version = try fixture.store.version(of: "probe-2")
                try fixture.store.append(sampleAppend("probe-2"))
                return CommandKernel.Decision(
                    appends: [AppendRequest(stream: "probe-2", expectedVersion: .exact(version), events: [sampleEvent(9)], commandId: "k-2", actor: "ann")],
                    output: ())
            }
        }
        #expect(decisions == 3)
        #expect(try fixture.store.result(ofCommand: "k-2") == nil)
    }

    @Test func nextFreeFindsTheEndOfANumberedRun() throws {
        let fixture = try ServiceFixture()
        let kernel = fixture.app.kernel
        #expect(try kernel.nextFree(from: 1) { "n-\($0)" } == 1)
        for n in 1...37 { try fixture.store.append(sampleAppend("n-\(n)")) }
        #expect(try kernel.nextFree(from: 1) { "n-\($0)" } == 38)
        #expect(try kernel.nextFree(from: 37) { "n-\($0)" } == 38)
    }

    /// Ticket and time-entry numbers come from the log's stream index: a store that keeps no stream-counts read
    /// model still numbers T-1001, T-1002 and TE-1, TE-2.
    @Test func numbersComeFromTheLogNotAReadModel() throws {
        let folder = TemporaryFolder()
        let clock = ManualClock()
        let models = ReadModels()
        let store = try EventStore(path: folder.child("store"), clock: clock, projections: models.all.filter { $0.name != "stream-counts" })
        let service = DocketApplication(store: store, models: models, clock: clock)
        try service.directory.bootstrapAdmin(login: "ann", name: "Ann", email: "ann@msp.example")
        #expect(try service.directory.bootstrapAdmin(login: "eve", name: "Eve", email: "eve@msp.example") == false)
        try service.directory.client("acme", .register(RegisterClient(code: "acme", name: "Acme", domains: [], timeZone: "UTC", currency: "USD")), as: "ann")
        let numbers = try (0..<2).map { _ in try service.tickets.openTicket(TicketIntake(client: "acme", subject: "x"), as: "ann") }
        #expect(numbers.map(\.description) == ["T-1001", "T-1002"])
        let entries = try (0..<2).map { _ in try service.billing.logTime(TimeLogRequest(ticket: numbers[0], minutes: 5, workType: "remote"), as: "ann") }
        #expect(entries == ["TE-1", "TE-2"])
    }
}

// The suite's SplitMix64 (QueueRebuildTests) drives the jitter draws.
extension SeededRandom: RandomNumberGenerator {}
