import DocketApp
import DocketTime
import Domain
import Testing

/// ``ReportWindow``: wall-clock ends read in each row's zone, exact instants, invoice months by day.
@Suite("Report windows: dates where the client is, invoices in the month they bill")
struct ReportWindowTests {
    static func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }
    static let november = ReportWindow(from: .wallClock(at("2026-11-01T00:00:00Z")), to: .wallClock(at("2026-12-01T00:00:00Z")))

    /// New York is on summer time (UTC−4) until 02:00 on 1 November, on winter time (UTC−5) on 1 December.
    @Test func aDateIsMidnightInTheRowsZoneAndTheReportsZoneOverridesIt() {
        let newYork = Self.november.instants(forRowsIn: "America/New_York")
        #expect(newYork.from == Self.at("2026-11-01T04:00:00Z"))
        #expect(newYork.to == Self.at("2026-12-01T05:00:00Z"))
        let none = Self.november.instants(forRowsIn: nil)
        #expect(none.from == Self.at("2026-11-01T00:00:00Z"))
        let unknown = Self.november.instants(forRowsIn: "Mars/Olympus")
        #expect(unknown.from == Self.at("2026-11-01T00:00:00Z"))
        var tokyo = Self.november
        tokyo.zone = "Asia/Tokyo"
        #expect(tokyo.instants(forRowsIn: "America/New_York").from == Self.at("2026-10-31T15:00:00Z"))
        let exact = ReportWindow(from: Self.at("2026-11-01T05:00:00Z"), to: Self.at("2026-12-01T05:00:00Z"))
        #expect(exact.instants(forRowsIn: "Asia/Tokyo").from == Self.at("2026-11-01T05:00:00Z"))
    }

    /// November's invoice is in every November window, whatever offset it was typed with, and in no December one.
    @Test(arguments: ["Z", "-05:00", "-04:00", "+02:00", "-10:00", "+09:00"])
    func anInvoiceCountsInTheMonthItBills(offset: String) {
        let window = ReportWindow(from: Self.at("2026-11-01T00:00:00\(offset)"), to: Self.at("2026-12-01T00:00:00\(offset)"))
        let november = BillingPeriod("2026-11")!
        for zone in ["America/New_York", "Europe/Berlin", "Asia/Tokyo", "Pacific/Honolulu"] as [String?] + [nil] {
            #expect(window.countsMonth(november, zone: zone), "\(offset) \(zone ?? "UTC")")
            #expect(!window.countsMonth(november.next, zone: zone), "\(offset) \(zone ?? "UTC")")
            #expect(!window.countsMonth(november.previous, zone: zone), "\(offset) \(zone ?? "UTC")")
        }
        #expect(Self.november.countsMonth(november, zone: "America/New_York"))
        #expect(!Self.november.countsMonth(november.next, zone: "America/New_York"))
    }

    @Test func wallClockEndsAreOrderedAsReadInUTC() {
        #expect(Self.november.isOrdered)
        #expect(!ReportWindow(from: .wallClock(Self.at("2026-12-01T00:00:00Z")), to: .wallClock(Self.at("2026-11-01T00:00:00Z"))).isOrdered)
        #expect(Self.november.latestEnd > Self.november.instants(forRowsIn: "Pacific/Kiritimati").to)
        #expect(Self.november.latestEnd > Self.november.instants(forRowsIn: "Pacific/Pago_Pago").to)
    }
}
