import Domain
import Testing

@Suite struct StreamNameTests {
    /// The byte-wise prefix test answers as `String.hasPrefix` does, also where bytes and characters part ways: a
    /// combining mark after the prefix makes its last character another one, and a name shorter than the prefix or
    /// of another category has none.
    @Test(arguments: [
        "ticket-T-1042", "ticket-", "ticket", "tickets-T-1", "billing-acme", "ticket-\u{301}T-1", "ticket-é", "tïcket-T-1", "",
    ])
    func aStreamHasACategoryPrefixAsItsCharactersSay(name: String) {
        #expect(StreamName.stream(name, hasPrefix: "ticket-") == name.hasPrefix("ticket-"))
    }
}
