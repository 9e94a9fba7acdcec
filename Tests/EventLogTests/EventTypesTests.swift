import Foundation
import EventLog
import Testing

/// `EventTypes`: a type is found by its exact bytes, whatever its length and however its string was made.
@Suite struct EventTypesTests {
    let types = EventTypes(["ticket.mail-queued", "mail.sent", "ticket.alert-received"])

    @Test func theTypesGivenAreFound() {
        for type in ["ticket.mail-queued", "mail.sent", "ticket.alert-received"] {
            #expect(types.contains(type), "\(type)")
        }
    }

    /// Types of the same length as one given, or sharing its start or end, are not it.
    @Test func typesThatDifferInABytePrefixOrLengthAreNot() {
        for type in ["ticket.mail-bounced", "ticket.mail-queuedx", "ticket.mail-queue", "mail.sens", "Mail.sent", "", "ticket.alert-receivef"] {
            #expect(!types.contains(type), "\(type)")
        }
    }

    /// A type made at run time (another buffer than the one given), a long one in a string's heap storage and a
    /// short one kept in place, reads the same.
    @Test func aTypeMadeAtRunTimeIsFoundByItsBytes() {
        let parts = ["ticket", "alert-received"]
        #expect(types.contains(parts.joined(separator: ".")))
        #expect(types.contains(String("xmail.sent".dropFirst())))
        #expect(types.contains(String(decoding: Array("ticket.mail-queued".utf8), as: UTF8.self)))
    }

    /// Types of 63 bytes and more share one bit of the byte counts: each is still found, or not, by its bytes.
    @Test func longTypesAreFoundByTheirBytes() {
        let long = String(repeating: "t", count: 63)
        let longer = String(repeating: "u", count: 80)
        let types = EventTypes([long, longer, "mail.sent"])
        #expect(types.contains(long) && types.contains(longer) && types.contains("mail.sent"))
        #expect(!types.contains(String(repeating: "t", count: 64)))
        #expect(!types.contains(String(repeating: "u", count: 63)))
        #expect(!types.contains(String(repeating: "t", count: 62)))
        #expect(!types.contains("mail.sens"))
    }

    @Test func anEmptyTypeIsFoundOnlyWhenGiven() {
        #expect(EventTypes([""]).contains(""))
        #expect(!EventTypes(["a"]).contains(""))
        #expect(!EventTypes([]).contains("mail.sent"))
    }
}
