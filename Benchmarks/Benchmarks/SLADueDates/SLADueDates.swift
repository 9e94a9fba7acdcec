// Issue 4: computing SLA due dates for 1M tickets (pure business-time arithmetic, no I/O).
import Benchmark
import BusinessTime
import EventLog

/// New York office hours, Mon–Fri 08:00–18:00, with US holidays: the calendar most MSP tickets run on.
private func officeCalendar() throws -> BusinessCalendar {
    let day = [try BusinessSlot("08:00", "18:00")]
    let hours = try WeeklyHours(day, on: [.mon, .tue, .wed, .thu, .fri])
    let holidays = try ["2026-01-01", "2026-05-25", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"].map { try LocalDate(parsing: $0) }
    return try BusinessCalendar(timeZone: "America/New_York", weeklyHours: hours, holidays: holidays)
}

/// 1M ticket intake instants spread over 2026 (a fixed linear congruential sequence: repeatable).
private func intakeInstants(_ count: Int) -> [Timestamp] {
    var state: UInt64 = 2026
    let start = Timestamp(iso8601: "2026-01-01T00:00:00Z")!.millisecondsSinceEpoch
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Timestamp(millisecondsSinceEpoch: start + Int64((state >> 20) % (365 * 86_400_000)))
    }
}

let benchmarks: @Sendable () -> Void = {
    let count = 1_000_000
    // Targets a P1–P4 policy gives: 30 min response … 5 business days resolution.
    let targets: [Int64] = [30, 240, 480, 2_400]
    Benchmark(
        "SLA due dates for 1M tickets (office calendar)",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .mega, maxDuration: .seconds(30), maxIterations: 5)
    ) { benchmark in
        let calendar = try officeCalendar()
        let instants = intakeInstants(count)
        benchmark.startMeasurement()
        var checksum: Int64 = 0
        for (index, instant) in instants.enumerated() {
            checksum &+= calendar.add(businessMinutes: targets[index & 3], to: instant).millisecondsSinceEpoch
        }
        blackHole(checksum)
    }
    Benchmark(
        "SLA due dates for 1M tickets (24x7)",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .mega, maxDuration: .seconds(30), maxIterations: 5)
    ) { benchmark in
        let calendar = BusinessCalendar.twentyFourSeven
        let instants = intakeInstants(count)
        benchmark.startMeasurement()
        var checksum: Int64 = 0
        for (index, instant) in instants.enumerated() {
            checksum &+= calendar.add(businessMinutes: targets[index & 3], to: instant).millisecondsSinceEpoch
        }
        blackHole(checksum)
    }
}
