import BusinessTime
import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import Testing

/// Date bounds are the deciders' and services' rules, so every caller (the CLI, the server's CLI, the HTTP API, a
/// program on the application) is refused the same input the same way (`invalid`: exit 65, HTTP 422), with nothing
/// written: billing dates from 2000 through 2199, and an SLA policy's calendar starting by the policy's start.
@Suite struct DateBoundsServiceTests {
    static let year26 = Timestamp(iso8601: "0026-01-01T00:00:00Z")!
    static let year2226 = Timestamp(iso8601: "2226-01-01T00:00:00Z")!
    static let start = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    static let targets: [Priority: SLATarget] = [
        .p1: SLATarget(responseMinutes: 60, resolutionMinutes: 240), .p2: SLATarget(responseMinutes: 60, resolutionMinutes: 240),
        .p3: SLATarget(responseMinutes: 60, resolutionMinutes: 240), .p4: SLATarget(responseMinutes: 60, resolutionMinutes: 240),
    ]

    /// The code of the domain error `body` throws, and whether the log's head stayed where it was.
    func refusal(_ f: ServiceFixture, _ body: () throws -> Void) throws -> (DomainError.Code?, message: String, unchanged: Bool) {
        let head = try f.store.head()
        do {
            try body()
            return (nil, "", try f.store.head() == head)
        } catch let error as DomainError {
            return (error.code, error.message, try f.store.head() == head)
        }
    }

    @Test func effectiveDatesOutsideTheBillingDatesAreRefused() throws {
        let f = try ServiceFixture()
        let calendar = BusinessCalendar.twentyFourSeven
        let cases: [(String, () throws -> Void)] = [
            ("contract acme-old's effective date 0026-01-01T00:00:00.000Z", {
                try f.app.directory.createContract(
                    CreateContract(id: "acme-old", client: "acme", clientSnapshot: nil, name: "Old", effectiveFrom: Self.year26), as: "bill")
            }),
            ("calendar old's effective date 2226-01-01T00:00:00.000Z", {
                try f.app.directory.calendar("old", .define(DefineCalendar(id: "old", name: "Old", effectiveFrom: Self.year2226, calendar: calendar)), as: "bill")
            }),
            ("SLA policy old's effective date 0026-01-01T00:00:00.000Z", {
                try f.app.directory.slaPolicy(
                    "old", .define(DefineSLAPolicy(id: "old", name: "Old", effectiveFrom: Self.year26, terms: SLATerms(calendar: "24x7", targets: Self.targets))),
                    as: "bill")
            }),
        ]
        for (what, body) in cases {
            let (code, message, unchanged) = try refusal(f, body)
            #expect(code == .invalid && unchanged, "\(what): \(message)")
            #expect(message.hasPrefix("\(what) is out of range: billing dates run from 2000-01-01 to 2199-12-31 (UTC)"), "\(message)")
        }
    }

    @Test func timeStartedBeforeTheBillingDatesIsRefused() throws {
        let f = try ServiceFixture()
        let ticket = try f.app.tickets.openTicket(TicketIntake(client: "acme", subject: "Old work"), as: "bob")
        let (code, message, unchanged) = try refusal(f) {
            _ = try f.app.billing.logTime(
                TimeLogRequest(ticket: ticket, minutes: 30, workType: "remote", billable: true, startedAt: Timestamp(iso8601: "1999-12-31T10:00:00Z")!),
                as: "bob")
        }
        #expect(code == .invalid && unchanged, "\(message)")
        #expect(message.hasPrefix("the work's start 1999-12-31T10:00:00.000Z is out of range"), "\(message)")
    }

    @Test func aPolicyWhoseCalendarStartsAfterItIsRefused() throws {
        let f = try ServiceFixture()
        let february = Timestamp(iso8601: "2026-02-01T00:00:00Z")!
        try f.app.directory.calendar(
            "late", .define(DefineCalendar(id: "late", name: "Late", effectiveFrom: february, calendar: .twentyFourSeven)), as: "bill")
        let (code, message, unchanged) = try refusal(f) {
            try f.app.directory.slaPolicy(
                "gold", .define(DefineSLAPolicy(id: "gold", name: "Gold", effectiveFrom: Self.start, terms: SLATerms(calendar: "late", targets: Self.targets))),
                as: "bill")
        }
        #expect(code == .invalid && unchanged, "\(message)")
        #expect(message.hasPrefix("calendar late starts at 2026-02-01T00:00:00.000Z (its first version), after SLA policy gold's"), "\(message)")
    }
}
