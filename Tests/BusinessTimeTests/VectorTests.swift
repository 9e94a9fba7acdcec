import BusinessTime
import DocketTime
import Testing

/// Every vector of `vectors.json` run through `BusinessCalendar`.
///
/// Docket's conventions: a deadline that lands on a closing time is that closing instant (`boundary_end`), adding
/// zero outside hours gives the next opening, and a 25-hour day counts 25 hours. The file's `crosscheck` gives
/// the value under `boundary_end` (with zero rolling forward) for each add vector and the real-time value for each
/// elapsed vector: those are what we check, and the vectors whose source library chose otherwise are listed below
/// (and in docs/business-time.md).
@Suite struct VectorTests {
    /// Add vectors whose source library's answer differs from Docket's convention.
    static let addVectorsFollowingOtherConventions: Set<String> = [
        "biz-05",  // zendesk/biz: a deadline on a closing time moves to the next opening
        "cal-05",  // rickar/cal: adding zero outside hours returns the start unchanged
    ]
    /// Elapsed vectors whose source library counts differently.
    static let elapsedVectorsFollowingOtherConventions: Set<String> = [
        "wh-el-03"  // working_hours counts the 25-hour fall-back day as 24 hours
    ]

    @Test func vectorFileLoads() throws {
        let file = try VectorFile.load()
        #expect(file.vectors.count == 37)
        #expect(file.elapsedVectors.count == 8)
        #expect(file.dstResolutionRules.count == 4)
        #expect(Set(file.vectors.map(\.id)).count == file.vectors.count)
    }

    @Test(arguments: VectorFile.addIDs)
    func addVector(id: String) throws {
        let vector = try #require(VectorFile.addVector(id))
        let calendar = try vector.setup.calendar()
        let amount = try #require(vector.amountInSeconds, "\(id) has no add_seconds, add_minutes or add_hours")
        let ours = try #require(vector.crosscheck.boundaryEnd, "\(id) has no boundary_end crosscheck")
        let start = try instant(vector.startUtc)

        let due = calendar.add(businessSeconds: amount, to: start)
        #expect(due == (try instant(ours)), "\(id): \(amount) s after \(start)")

        let sourceAgrees = vector.expectedUtc == ours
        #expect(
            sourceAgrees != Self.addVectorsFollowingOtherConventions.contains(id), "\(id): convention list is stale")
        if amount % 60 == 0 {
            #expect(calendar.add(businessMinutes: amount / 60, to: start) == due)
        }
        // The deadline uses exactly the amount (except zero from a closed time, which rolls to the opening).
        #expect(calendar.businessSeconds(from: start, to: due) == amount)
    }

    @Test(arguments: VectorFile.elapsedIDs)
    func elapsedVector(id: String) throws {
        let vector = try #require(VectorFile.elapsedVector(id))
        #expect(vector.op == "business_seconds_between")
        let calendar = try vector.setup.calendar()
        let reference = try #require(vector.crosscheck.referenceSeconds)
        let start = try instant(vector.start)
        let end = try instant(vector.end)

        #expect(calendar.businessSeconds(from: start, to: end) == reference, "\(id)")
        #expect(calendar.businessSeconds(from: end, to: start) == 0)
        let listed = calendar.intervals(from: start, to: end).reduce(0) { $0 + $1.milliseconds }
        #expect(listed == reference * 1000, "\(id): the intervals add up to the total")

        let sourceAgrees = vector.expectedSeconds == reference
        #expect(
            sourceAgrees != Self.elapsedVectorsFollowingOtherConventions.contains(id), "\(id): convention list is stale"
        )
    }

    @Test func fallBackDayCountsTwentyFiveHoursNotTheSourcesTwentyFour() throws {
        let vector = try #require(VectorFile.elapsedVector("wh-el-03"))
        let calendar = try vector.setup.calendar()
        let counted = calendar.businessSeconds(from: try instant(vector.start), to: try instant(vector.end))
        #expect(counted == 25 * 3600)
        #expect(vector.expectedSeconds == 24 * 3600)
    }

    @Test func localTimeResolutionRules() throws {
        let rules = try #require(VectorFile.shared?.dstResolutionRules)
        var checked = 0
        for rule in rules {
            guard let local = rule.local, let resolvesTo = rule.resolvesTo else { continue }
            let parts = local.split(separator: "T").map(String.init)
            try #require(parts.count == 2)
            let calendar = try BusinessCalendar(timeZone: rule.tz, weeklyHours: .alwaysOpen)
            let resolved = calendar.instant(on: try LocalDate(parsing: parts[0]), at: try TimeOfDay(parsing: parts[1]))
            #expect(resolved == (try instant(resolvesTo)), "\(rule.id): \(local) in \(rule.tz)")
            checked += 1
        }
        #expect(checked == 3)
    }

    /// biz-dst-01: on the spring-forward Sunday, the slot 02:30–03:15 becomes 03:30–03:15, which is empty.
    @Test func slotSkippedBySpringForwardIsEmpty() throws {
        let rule = try #require(VectorFile.shared?.dstResolutionRules.first { $0.id == "biz-dst-01" })
        let setup = VectorFile.Setup(
            tz: rule.tz, schedule: try #require(rule.schedule), holidays: [], holidayHours: nil)
        let calendar = try setup.calendar()
        let start = try instant(try #require(rule.start))
        #expect(calendar.nextOpening(atOrAfter: start) == (try instant("2006-04-03T09:00:00-07:00")))
        let intervals = calendar.intervals(from: start, to: start.adding(seconds: 8 * 86_400))
        #expect(intervals.first?.start == (try instant("2006-04-03T09:00:00-07:00")))
        #expect(intervals.first?.end == (try instant("2006-04-03T17:00:00-07:00")))
        // A week later the Sunday slot is back: 02:30–03:15 PDT.
        #expect(intervals.last?.start == (try instant("2006-04-09T02:30:00-07:00")))
        #expect(intervals.last?.end == (try instant("2006-04-09T03:15:00-07:00")))
    }
}
