import DocketApp
import Foundation
import Testing

/// The ticket answers' JSON view: the queue row's fields under their own names, instants as RFC 3339 strings,
/// everything else exactly as the row's own encoding writes it.
@Suite struct TicketSummaryViewTests {
    /// A queue row with every optional field set, as its `Codable` form reads it.
    static let row = """
        {"number":"T-1042","client":"acme","contact":"carla@acme.example","category":"printers","priority":"P2","source":"email",
         "subject":"Printer","status":"in-progress","assignee":"bob","watchers":["dora"],"openedAt":1793955600000,"openedPosition":12,
         "updatedAt":1793959200123,"updatedPosition":3000000000000,"publicComments":2,"internalComments":1,"resolution":"toner",
         "mergedInto":"T-1050","mergedFrom":["T-1001"],"sla":{"dueAt":1793970000000,"clock":"resolution","paused":false},
         "dueDate":1794330000000,"version":9}
        """

    func object(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func instantsAreRFC3339AndTheRestIsTheRowsOwnEncoding() throws {
        let summary = try JSONDecoder().decode(TicketSummary.self, from: Data(Self.row.utf8))
        let own = try object(summary)
        let view = try object(TicketSummaryView(summary))
        #expect(Set(view.keys) == Set(own.keys), "the view has the row's fields, no more, no fewer")
        #expect(view["openedAt"] as? String == "2026-11-06T09:00:00.000Z")
        #expect(view["updatedAt"] as? String == "2026-11-06T10:00:00.123Z")
        #expect(view["dueDate"] as? String == "2026-11-10T17:00:00.000Z")
        let sla = try #require(view["sla"] as? [String: Any])
        #expect(sla["dueAt"] as? String == "2026-11-06T13:00:00.000Z")
        #expect(sla["clock"] as? String == "resolution")
        #expect(sla["paused"] as? Bool == false)
        // A big number that is not an instant stays a number.
        #expect(view["updatedPosition"] as? NSNumber == 3_000_000_000_000)
        for key in own.keys where !["openedAt", "updatedAt", "dueDate", "sla"].contains(key) {
            #expect(view[key] as? NSObject == own[key] as? NSObject, "\(key)")
        }
    }

    @Test func absentFieldsStayAbsent() throws {
        var summary = try JSONDecoder().decode(TicketSummary.self, from: Data(Self.row.utf8))
        summary.contact = nil
        summary.dueDate = nil
        summary.sla = nil
        summary.mergedInto = nil
        let view = try object(TicketSummaryView(summary))
        #expect(Set(view.keys) == Set(try object(summary).keys))
        #expect(view["dueDate"] == nil && view["sla"] == nil && view["contact"] == nil && view["mergedInto"] == nil)
    }
}
