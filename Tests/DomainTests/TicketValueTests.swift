import Domain
import Foundation
import Testing

@Suite("Ticket numbers and priorities")
struct TicketValueTests {
    @Test func parsesAndPrints() throws {
        let number = try #require(TicketNumber("T-1042"))
        #expect(number.value == 1042)
        #expect(number.description == "T-1042")
        #expect(TicketNumber.first.description == "T-1001")
        #expect(TicketNumber.first.next.description == "T-1002")
        #expect(StreamName.ticket(number) == "ticket-T-1042")
        #expect(StreamName.ticket("T-1042") == "ticket-T-1042")
    }

    @Test func readsTheNumberOfATicketStream() {
        #expect(TicketNumber(stream: "ticket-T-1042")?.value == 1042)
        #expect(TicketNumber(stream: StreamName.ticket(TicketNumber(999_999_999)!))?.value == 999_999_999)
        for other in ["ticket-", "ticket", "T-1042", "tickets-T-1042", "Ticket-T-1042", "client-T-1042", "ticket-T-1042x", ""] {
            #expect(TicketNumber(stream: other) == nil)
        }
    }

    @Test(
        "junk is rejected",
        arguments: [
            "", "T-", "T-0", "T-01042", "t-1042", "1042", "T1042", "T-10a2", "T--1",
            " T-1042", "T-1042 ", "T-1234567890", "T-+12", "TT-12",
        ])
    func junk(text: String) {
        #expect(TicketNumber(text) == nil)
        #expect(TicketNumber(stream: "ticket-" + text) == nil)
        #expect(refusal { () throws(DomainError) in try TicketNumber.parse(text) }?.code == .invalid)
    }

    @Test func codesAsAString() throws {
        let data = try JSONEncoder().encode([TicketNumber.first])
        #expect(String(decoding: data, as: UTF8.self) == "[\"T-1001\"]")
        #expect(try JSONDecoder().decode([TicketNumber].self, from: data) == [TicketNumber.first])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([TicketNumber].self, from: Data("[\"X-1\"]".utf8))
        }
    }

    @Test func prioritiesParseFromLiteralsAndText() throws {
        let p1: Priority = "P1"
        #expect(p1 == .p1)
        #expect(try Priority.parse("p4") == .p4)
        #expect(refusal { () throws(DomainError) in try Priority.parse("P5") }?.code == .invalid)
        #expect(Priority.allCases.sorted() == [.p1, .p2, .p3, .p4])
        #expect(Priority.p1 < Priority.p2)
    }

    @Test func streamNames() {
        #expect(StreamName.client("acme") == "client-acme")
        #expect(StreamName.contract("acme-2026") == "contract-acme-2026")
        #expect(StreamName.user("alice") == "user-alice")
        #expect(StreamName.template("first-response") == "template-first-response")
    }
}
