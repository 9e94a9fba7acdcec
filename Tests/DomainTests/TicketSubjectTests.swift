import Domain
import Testing

@Suite("One line: a ticket's subject and the names people read")
struct TicketSubjectTests {
    @Test(arguments: zip(
        ["VPN\ndown", "VPN\rdown", "VPN\tdown", "\u{1B}[31mVPN down", "VPN\u{7F}down", "VPN\u{85}down", "VPN\u{2028}down"],
        ["000A", "000D", "0009", "001B", "007F", "0085", "2028"]))
    func aSubjectWithALineBreakOrControlCharacterIsRefused(_ subject: String, code: String) throws {
        let error = try #require(given(TicketDecider.self).refusal(of: TicketLifecycleTests.openCommand(subject: subject)))
        #expect(error.code == .invalid)
        #expect(
            error.message
                == "the subject holds a line break or control character (U+\(code)); give a one-line subject and put the rest in the description")
    }

    @Test func aSubjectOverTheLimitIsRefusedAndOneAtItIsRecorded() throws {
        let atLimit = String(repeating: "é", count: TicketSubject.maxBytes / 2) + "a"  // 255 bytes
        #expect(atLimit.utf8.count == TicketSubject.maxBytes)
        let events = try given(TicketDecider.self).when(TicketLifecycleTests.openCommand(subject: atLimit))
        guard case .opened(let opened) = try #require(events.first) else {
            Issue.record("expected ticket.opened")
            return
        }
        #expect(opened.subject == atLimit)
        let error = try #require(given(TicketDecider.self).refusal(of: TicketLifecycleTests.openCommand(subject: atLimit + "b")))
        #expect(error.code == .invalid)
        #expect(error.message == "the subject is 256 bytes, over the 255 allowed; shorten it and put the rest in the description")
    }

    @Test func textFromOutsideBecomesOneLineWithItsRunsOfControlsAsOneSpace() {
        #expect(TicketSubject.fromIntake("  Backup failed\r\n\ton FS01 \u{1B}[2J ") == "Backup failed on FS01 [2J")
        #expect(TicketSubject.fromIntake("a\u{2029}b\u{85}c") == "a b c")
        #expect(TicketSubject.fromIntake("Disk  full \n on  DC01") == "Disk  full on  DC01")  // its own spaces kept
        #expect(TicketSubject.fromIntake("Printer jam") == "Printer jam")
    }

    @Test func textFromOutsideWithNothingLeftIsMissing() {
        #expect(TicketSubject.fromIntake("") == TicketSubject.missing)
        #expect(TicketSubject.fromIntake(" \r\n\u{1B} ") == "(no subject)")
    }

    @Test func longTextFromOutsideIsCutAtACharacterAndEndsInAnEllipsis() throws {
        let long = String(repeating: "Ü", count: 200) + " tail"  // 405 bytes
        let subject = TicketSubject.fromIntake(long)
        #expect(subject.utf8.count <= TicketSubject.maxBytes)
        #expect(subject.hasSuffix("Ü…"))
        #expect(subject == String(repeating: "Ü", count: 126) + "…")
        // A cut that would end in a space drops it.
        let spaced = String(repeating: "a", count: 251) + " bcdef"
        #expect(TicketSubject.fromIntake(spaced) == String(repeating: "a", count: 251) + "…")
        // What intake makes is what a decision accepts.
        let events = try given(TicketDecider.self).when(TicketLifecycleTests.openCommand(subject: subject))
        #expect(events.count == 1)
    }

    /// A mail's subject can be megabytes long: cutting it is one pass (a character at a time from the end, counting
    /// the rest again each time, would take hours here). It takes 0.2 s alone; the limit is generous because in the
    /// full suite on two cores a test waits for a thread under the clock (a 1-minute limit failed there twice, at
    /// 275 s, while the cut itself is unchanged).
    @Test(.timeLimit(.minutes(10))) func aMegabyteSubjectIsCutInOnePass() {
        let subject = TicketSubject.fromIntake(String(repeating: "ab\u{1B} ", count: 300_000))
        #expect(subject.utf8.count <= TicketSubject.maxBytes)
        #expect(subject.hasPrefix("ab ab ab") && subject.hasSuffix("…"))
    }

    @Test func aNameWithALineBreakOrControlCharacterIsRefused() throws {
        let acme = given(ClientDecider.self, [Fixture.registeredAcme])
        let client = try #require(acme.refusal(of: .update(name: "Acme\u{1B}[8m", domains: nil, timeZone: nil)))
        #expect(client.message == "the client name holds a line break or control character (U+001B); write it on one line")
        let contact = try #require(acme.refusal(of: .addContact(id: "c-1", ContactDetails(name: "Jane\nDoe", email: "jane@acme.example"))))
        #expect(contact.message == "the contact name holds a line break or control character (U+000A); write it on one line")
        let user = try #require(given(UserDecider.self).refusal(of: .add(AddUser(login: "bob", name: "Bob\tT", email: "bob@msp.example", role: .tech))))
        #expect(user.message == "the user's name holds a line break or control character (U+0009); write it on one line")
        // Spaces, accents and emoji are names.
        #expect(try acme.when(.update(name: "Acme Zahnärzte 🦷", domains: nil, timeZone: nil)).count == 1)
    }
}
