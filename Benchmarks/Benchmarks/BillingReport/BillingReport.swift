import Benchmark
import DocketApp
import Domain
import EventLog
import Foundation
import LMDB

// The profitability report rebuilt from a big log (issue 5 §9), next to the raw LMDB scan of the same store in the
// same run. Needs a store seeded by `seed-billing` at $BILLING_STORE (default /tmp/docket-bench-billing-10m);
// skips itself without one. See README.md, "Billing reports (issue 5)".

let storePath = ProcessInfo.processInfo.environment["BILLING_STORE"] ?? "/tmp/docket-bench-billing-10m"
let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
let metrics: [BenchmarkMetric] = [eventsPerSecond, .wallClock, .peakMemoryResident]

/// Runs `work`, which returns how many events it handled, and records the rate.
func measure(_ benchmark: Benchmark, _ work: () throws -> UInt64) rethrows {
    let clock = ContinuousClock()
    let start = clock.now
    let events = try work()
    let elapsed = start.duration(to: clock.now)
    benchmark.stopMeasurement()
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    benchmark.measurement(eventsPerSecond, Int((Double(events) * 1e9 / nanoseconds).rounded()))
}

/// 100,000 `time.logged` payloads as Docket writes them, for the decoder comparison.
let loggedPayloads: [[UInt8]] = (0..<100_000).map { index in
    TimeEvent.logged(TimeLogged(
        entryId: "TE-\(index)", ticket: "T-\(1001 + index / 2)", tech: "tech\(index % 20)", minutes: 15 + index % 90, workType: "remote",
        billable: index % 6 != 0, startedAt: Timestamp(millisecondsSinceEpoch: 1_767_225_600_000 + Int64(index) * 60_000).iso8601,
        note: "remote session")).payload()
}

let benchmarks: @Sendable () -> Void = {
    // The measurement behind the hand-written reader (docs/billing.md, "Reports"): the same 100k payloads read with
    // Foundation's JSONDecoder (the domain's own decode) and with the reports' reader.
    let decoders = Benchmark.Configuration(
        metrics: metrics, units: [eventsPerSecond: .kilo], warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 10)
    Benchmark("Billing 0a decode 100k time.logged with JSONDecoder", configuration: decoders) { benchmark in
        try measure(benchmark) {
            for payload in loggedPayloads {
                blackHole(try TimeEvent.decode(type: "time.logged", schemaVersion: 1, payload: payload))
            }
            return UInt64(loggedPayloads.count)
        }
    }
    Benchmark("Billing 0b decode 100k time.logged with the reports' reader", configuration: decoders) { benchmark in
        let type = Array("time.logged".utf8)
        let stream = Array("time-TE-1".utf8)
        try measure(benchmark) {
            try type.withUnsafeBytes { type in
                try stream.withUnsafeBytes { stream in
                    for payload in loggedPayloads {
                        try payload.withUnsafeBytes { bytes in
                            blackHole(try BillingReportEvent.read(RawEventView(
                                position: 1, recordedAtMilliseconds: 0, schemaVersion: 1, stream: stream, type: type,
                                actor: UnsafeRawBufferPointer(start: nil, count: 0), payload: bytes)))
                        }
                    }
                }
            }
            return UInt64(loggedPayloads.count)
        }
    }

    guard FileManager.default.fileExists(atPath: storePath + "/data.mdb") else {
        print("BillingReport: no store at \(storePath); seed one with `seed-billing \(storePath)` (skipping)")
        return
    }
    let configuration = Benchmark.Configuration(
        metrics: metrics, units: [eventsPerSecond: .kilo], warmupIterations: 1, maxDuration: .seconds(60), maxIterations: 3)

    // Raw LMDB: one cursor over the `events` database, reading each value's length and first byte, in read
    // transactions of 50,000 entries like the report's scan.
    Benchmark("Billing 1 raw LMDB scan of the log", configuration: configuration) { benchmark in
        var options = Environment.Options()
        options.readOnly = true
        let environment = try Environment(path: storePath, options: options)
        let events = try environment.openDatabase(named: "events")
        benchmark.startMeasurement()
        try measure(benchmark) {
            var count: UInt64 = 0
            var checksum = 0
            var next: UInt64 = 1
            while true {
                let batch = try environment.read { txn -> UInt64 in
                    try txn.withCursor(events) { cursor in
                        var seen: UInt64 = 0
                        var entry = try cursor.seek(atLeast: withUnsafeBytes(of: next.bigEndian) { Array($0) })
                        while let found = entry, seen < 50_000 {
                            checksum &+= found.value.count &+ Int(found.value[0])
                            seen += 1
                            entry = try cursor.next()
                        }
                        return seen
                    }
                }
                count += batch
                next += batch
                if batch < 50_000 { break }
            }
            blackHole(checksum)
            return count
        }
    }

    // The profitability report: open the store, fold the whole log, compute the rows.
    Benchmark("Billing 2 profitability report rebuilt from the log", configuration: configuration) { benchmark in
        var options = Environment.Options()
        options.readOnly = true
        let store = try EventStore(path: storePath, options: options)
        let window = BillingReportWindow(
            from: Timestamp(iso8601: "2026-01-01T00:00:00Z")!, to: Timestamp(iso8601: "2027-01-01T00:00:00Z")!)
        benchmark.startMeasurement()
        try measure(benchmark) {
            let fold = try BillingReportBuilder.build(from: store, window: window)
            blackHole(fold.profitability())
            return try store.head().position
        }
    }
}
