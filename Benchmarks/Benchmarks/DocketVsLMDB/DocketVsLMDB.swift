import Benchmark
import EventLog
import LMDB

// Docket's event log against raw LMDB doing the same work without Docket's encoding, hashing and indexing.
// Each pair runs in one `swift package benchmark` run; each benchmark gets a fresh store under /tmp,
// created in its setup and removed in its teardown. See README.md for how to run it and the results.

/// Events per second over the measured part of one iteration, computed from our own clock: the built-in
/// `throughput` metric is a whole number of iterations per second, too coarse for a scan that takes ~0.1 s.
let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)

/// CPU time is left out: on this Linux it is read in 10 ms ticks, coarser than most iterations here.
let metrics: [BenchmarkMetric] = [.throughput, eventsPerSecond, .wallClock, .mallocCountTotal]

/// Runs `work`, which handles `events` events, and records its rate as `eventsPerSecond`.
func measure(_ benchmark: Benchmark, events: Int, _ work: () throws -> Void) rethrows {
    let clock = ContinuousClock()
    let start = clock.now
    try work()
    let elapsed = start.duration(to: clock.now)
    benchmark.stopMeasurement()
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    benchmark.measurement(eventsPerSecond, Int((Double(events) * 1e9 / nanoseconds).rounded()))
}

/// Registers a benchmark over a fixture made fresh in setup and closed (folder removed) in teardown.
func benchmark<Fixture: AnyObject>(
    _ name: String, configuration: Benchmark.Configuration, make: @escaping () throws -> Fixture,
    close: @escaping (Fixture) -> Void, run: @escaping (Benchmark, Fixture) throws -> Void
) {
    let slot = Slot<Fixture>()
    Benchmark(
        name, configuration: configuration,
        closure: { benchmark in
            guard let fixture = slot.fixture else { throw BenchmarkFailure(reason: "setup made no fixture") }
            try run(benchmark, fixture)
        },
        setup: { slot.fixture = try make() },
        teardown: {
            if let fixture = slot.fixture { close(fixture) }
            slot.fixture = nil
        })
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

let benchmarks: @Sendable () -> Void = {
    // MARK: - 1. Bulk append: 1,000 events per write transaction

    let bulk = Benchmark.Configuration(
        metrics: metrics, units: [eventsPerSecond: .kilo], warmupIterations: 3, scalingFactor: .kilo,
        maxDuration: .seconds(10), maxIterations: 2_000)

    for durable in [true, false] {
        let suffix = durable ? "" : ", no fsync"
        let label = durable ? "bulk" : "bulk-nosync"

        // 100 requests x 10 events, one `append([...])` call, one transaction. The requests are built before
        // the measurement starts (that is the caller's work), on streams that cycle through 10,000.
        benchmark(
            "1 Bulk append 1k/txn\(suffix): Docket", configuration: bulk,
            make: { try DocketFixture(label: label, durable: durable) }, close: { $0.close() },
            run: { benchmark, fixture in
                let requests = Workload.requests(firstStream: fixture.nextStream, streams: 100, eventsPerStream: 10)
                fixture.nextStream += 100
                guard let store = fixture.store else { return }
                benchmark.startMeasurement()
                try measure(benchmark, events: benchmark.scaledIterations.count) {
                    blackHole(try store.append(requests))
                }
            })

        // 1,000 puts with MDB_APPEND in one write transaction.
        benchmark(
            "1 Bulk append 1k/txn\(suffix): raw LMDB", configuration: bulk,
            make: { try RawFixture(label: label, durable: durable) }, close: { $0.close() },
            run: { benchmark, fixture in
                benchmark.startMeasurement()
                try measure(benchmark, events: benchmark.scaledIterations.count) {
                    try fixture.put(count: benchmark.scaledIterations.count)
                }
            })
    }

    // MARK: - 2. One event per durable (fsync'd) transaction

    let single = Benchmark.Configuration(
        metrics: metrics, warmupIterations: 10, scalingFactor: .one, maxDuration: .seconds(8), maxIterations: 10_000)

    benchmark(
        "2 Single durable append: Docket", configuration: single,
        make: { try DocketFixture(label: "single", durable: true) }, close: { $0.close() },
        run: { benchmark, fixture in
            let request = AppendRequest(
                stream: Workload.stream(fixture.nextStream), events: [Workload.event()], actor: Workload.actor)
            fixture.nextStream += 1
            guard let store = fixture.store else { return }
            benchmark.startMeasurement()
            try measure(benchmark, events: 1) { blackHole(try store.append(request)) }
        })

    benchmark(
        "2 Single durable append: raw LMDB", configuration: single,
        make: { try RawFixture(label: "single", durable: true) }, close: { $0.close() },
        run: { benchmark, fixture in
            benchmark.startMeasurement()
            try measure(benchmark, events: 1) { try fixture.put(count: 1) }
        })

    // MARK: - 3. Full scan of 200,000 events

    let scanned = 200_000
    let scan = Benchmark.Configuration(
        metrics: metrics, units: [eventsPerSecond: .kilo], warmupIterations: 2, scalingFactor: .one,
        maxDuration: .seconds(8), maxIterations: 100)

    // `scan` decodes every envelope (strings validated, payload copied) in read transactions of 10,000 events.
    benchmark(
        "3 Full scan 200k: Docket", configuration: scan,
        make: {
            let fixture = try DocketFixture(label: "scan", durable: false)
            try fixture.fill(events: scanned)
            return fixture
        },
        close: { $0.close() },
        run: { benchmark, fixture in
            guard let store = fixture.store else { return }
            var count = 0
            var bytes = 0
            try measure(benchmark, events: scanned) {
                try store.scan { event in
                    count += 1
                    bytes &+= event.payload.count &+ Int(event.payload[0])
                    return true
                }
            }
            guard count == scanned else { throw BenchmarkFailure(reason: "scanned \(count) events, expected \(scanned)") }
            blackHole(bytes)
        })

    // One read transaction and one cursor over the whole database, touching each value.
    benchmark(
        "3 Full scan 200k: raw LMDB", configuration: scan,
        make: {
            let fixture = try RawFixture(label: "scan", durable: false)
            try fixture.fill(values: scanned)
            return fixture
        },
        close: { $0.close() },
        run: { benchmark, fixture in
            guard let environment = fixture.environment else { return }
            var count = 0
            var bytes = 0
            try measure(benchmark, events: scanned) {
                try environment.read { txn in
                    try txn.withCursor(fixture.database) { cursor in
                        var entry = try cursor.first()
                        while let found = entry {
                            count += 1
                            bytes &+= found.value.count &+ Int(found.value[0])
                            entry = try cursor.next()
                        }
                    }
                }
            }
            guard count == scanned else { throw BenchmarkFailure(reason: "scanned \(count) events, expected \(scanned)") }
            blackHole(bytes)
        })
}
