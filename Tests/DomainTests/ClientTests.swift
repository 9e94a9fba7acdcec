import DocketTime
import Domain
import Testing

@Suite("Clients and contacts")
struct ClientTests {
    static func register(
        code: String = "acme", domains: [String] = ["Acme.Example", "acme.example", "mail.acme.example"],
        timeZone: String = "Europe/Paris", currency: String = "EUR"
    ) -> ClientCommand {
        .register(
            RegisterClient(code: code, name: " Acme Corp ", domains: domains, timeZone: timeZone, currency: currency))
    }

    let acme = given(ClientDecider.self, [Fixture.registeredAcme])
    let acmeWithJane = given(
        ClientDecider.self,
        [
            Fixture.registeredAcme,
            .contactAdded(ClientContactAdded(contactId: "c-1", name: "Jane", email: "jane@acme.example", phone: nil)),
        ])

    @Test func registerNormalizesDomainsAndStartsActive() throws {
        let events = try given(ClientDecider.self).when(Self.register(), by: Fixture.dispatcher)
        #expect(
            events == [
                .registered(
                    ClientRegistered(
                        code: "acme", name: "Acme Corp", domains: ["acme.example", "mail.acme.example"],
                        timeZone: "Europe/Paris", currency: "EUR"))
            ])
        let snapshot = try #require(ClientDecider.fold(events).snapshot)
        #expect(snapshot == ClientSnapshot(code: "acme", name: "Acme Corp", isActive: true))
    }

    @Test(
        "bad client codes are refused",
        arguments: ["a", "Acme", "-acme", "ac me", "acmé", String(repeating: "a", count: 33)])
    func badCode(code: String) throws {
        let error = try #require(given(ClientDecider.self).refusal(of: Self.register(code: code)))
        #expect(error.code == .invalid)
        #expect(error.message.contains("client code"))
    }

    @Test("good client codes are accepted", arguments: ["ab", "acme-eu", "42", String(repeating: "z", count: 32)])
    func goodCode(code: String) throws {
        #expect(try given(ClientDecider.self).when(Self.register(code: code)).count == 1)
    }

    @Test(
        "bad e-mail domains are refused",
        arguments: ["acme", "@acme.example", "acme..example", "-acme.example", "ac me.example", "acme.example-"])
    func badDomain(domain: String) throws {
        let error = try #require(given(ClientDecider.self).refusal(of: Self.register(domains: [domain])))
        #expect(error.code == .invalid)
        #expect(error.message.contains("e-mail domain"))
    }

    @Test(
        "time zones that are not IANA names are refused",
        arguments: ["Mars/Olympus_Mons", "GMT+5", "UTC+1", "europe/paris", ""])
    func unknownTimeZone(timeZone: String) throws {
        let error = try #require(given(ClientDecider.self).refusal(of: Self.register(timeZone: timeZone)))
        #expect(error.code == .invalid)
        #expect(error.message.contains("time zone \"\(timeZone)\" is unknown"))
    }

    @Test("IANA time zones are accepted", arguments: ["UTC", "Etc/GMT+5", "America/New_York", "Asia/Kolkata"])
    func ianaTimeZone(timeZone: String) throws {
        #expect(try given(ClientDecider.self).when(Self.register(timeZone: timeZone)).count == 1)
    }

    @Test("bad currencies are refused", arguments: ["eur", "EU", "EURO", "E1R", "", "ABC", "XXX", "XTS", "XAU", "HRK"])
    func badCurrency(currency: String) throws {
        #expect(given(ClientDecider.self).refusal(of: Self.register(currency: currency))?.code == .invalid)
    }

    @Test("ISO 4217 currencies are accepted", arguments: ["EUR", "USD", "JPY", "BHD", "CHF", "XOF", "CLF", "ZWG"])
    func isoCurrency(currency: String) throws {
        #expect(try given(ClientDecider.self).when(Self.register(currency: currency)).count == 1)
    }

    @Test func aCurrencyThatIsNotISO4217IsNamed() throws {
        let error = try #require(given(ClientDecider.self).refusal(of: Self.register(currency: "ABC")))
        #expect(error.message.contains("\"ABC\" is not an ISO 4217 currency code"), "\(error.message)")
    }

    @Test func registeringTwiceIsAConflict() throws {
        let error = try #require(acme.refusal(of: Self.register()))
        #expect(error.code == .conflict)
        #expect(error.message.contains("docket client update acme"))
    }

    @Test func updateRecordsOnlyWhatChanged() throws {
        let events = try acme.when(
            .update(name: "Acme Corp", domains: ["ACME.example", "acme.test"], timeZone: "Europe/Paris"))
        #expect(events == [.updated(ClientUpdated(domains: ["acme.example", "acme.test"]))])
        #expect(ClientDecider.fold([Fixture.registeredAcme] + events).domains == ["acme.example", "acme.test"])
        #expect(try acme.when(.update(name: "Acme Corp", domains: nil, timeZone: nil)).isEmpty)
        #expect(acme.refusal(of: .update(name: nil, domains: nil, timeZone: nil))?.code == .invalid)
    }

    /// A staff note: trimmed, one line of at most 500 characters, set, left as it is, and removed with "".
    @Test func aStaffNoteIsSetKeptAndRemoved() throws {
        let note = "On credit hold: no billable work without Bill's OK"
        let events = try acme.when(.update(name: nil, domains: nil, timeZone: nil, staffNote: "  \(note) "))
        #expect(events == [.updated(ClientUpdated(staffNote: note))])
        let noted = given(ClientDecider.self, [Fixture.registeredAcme] + events)
        #expect(noted.state.staffNote == note)
        #expect(try noted.when(.update(name: nil, domains: nil, timeZone: nil, staffNote: note)).isEmpty, "as it is")
        let removed = try noted.when(.update(name: nil, domains: nil, timeZone: nil, staffNote: ""))
        #expect(removed == [.updated(ClientUpdated(staffNote: ""))])
        #expect(ClientDecider.fold([Fixture.registeredAcme] + events + removed).staffNote == nil)
        #expect(acme.refusal(of: .update(name: nil, domains: nil, timeZone: nil, staffNote: "two\nlines"))?.message.contains("write it on one line") == true)
        let long = String(repeating: "x", count: ClientDecider.longestStaffNote + 1)
        #expect(acme.refusal(of: .update(name: nil, domains: nil, timeZone: nil, staffNote: long))?.code == .invalid)
        #expect(try acme.when(.update(name: nil, domains: nil, timeZone: nil, staffNote: String(long.dropLast()))).count == 1)
    }

    /// Billing details: address lines trimmed, blank ones dropped, an empty address or tax id removes it; what is
    /// already so records nothing; a line too long, too many lines or a tax id that is not one are refused.
    @Test func billingDetailsAreSetChangedAndRemoved() throws {
        let events = try acme.when(
            .update(name: nil, domains: nil, timeZone: nil, billingAddress: [" Acme Corp ", "", "75002 Paris"], taxId: " FR40303265045 "))
        #expect(events == [.updated(ClientUpdated(billingAddress: ["Acme Corp", "75002 Paris"], taxId: "FR40303265045"))])
        let billed = given(ClientDecider.self, [Fixture.registeredAcme] + events)
        #expect(billed.state.billingAddress == ["Acme Corp", "75002 Paris"] && billed.state.taxId == "FR40303265045")
        #expect(try billed.when(.update(name: nil, domains: nil, timeZone: nil, billingAddress: ["Acme Corp", "75002 Paris"])).isEmpty)
        let removed = try billed.when(.update(name: nil, domains: nil, timeZone: nil, billingAddress: [""], taxId: ""))
        #expect(removed == [.updated(ClientUpdated(billingAddress: [], taxId: ""))])
        let state = ClientDecider.fold([Fixture.registeredAcme] + events + removed)
        #expect(state.billingAddress.isEmpty && state.taxId == nil)
        for (address, taxId) in [
            (Array(repeating: "line", count: 7), nil), ([String(repeating: "x", count: 101)], nil), (["a\u{7}b"], nil), (nil, "FR#1"), (nil, "X"),
        ] as [([String]?, String?)] {
            #expect(acme.refusal(of: .update(name: nil, domains: nil, timeZone: nil, billingAddress: address, taxId: taxId))?.code == .invalid)
        }
    }

    @Test func deactivateAndReactivateAreIdempotent() throws {
        #expect(try acme.when(.deactivate) == [.deactivated(ClientDeactivated())])
        #expect(try acme.when(.reactivate).isEmpty)
        let inactive = given(ClientDecider.self, [Fixture.registeredAcme, .deactivated(ClientDeactivated())])
        #expect(try inactive.when(.deactivate).isEmpty)
        #expect(try inactive.when(.reactivate) == [.reactivated(ClientReactivated())])
        #expect(inactive.state.snapshot?.isActive == false)
    }

    @Test func deactivatedClientRefusesChanges() throws {
        let inactive = given(ClientDecider.self, [Fixture.registeredAcme, .deactivated(ClientDeactivated())])
        let error = try #require(
            inactive.refusal(of: .addContact(id: "c-1", ContactDetails(name: "Jane", email: "jane@acme.example"))))
        #expect(error.code == .inactive)
        #expect(error.message.contains("docket client reactivate acme"))
    }

    @Test func addContactLowercasesEmailAndTrims() throws {
        let events = try acme.when(
            .addContact(id: "c-1", ContactDetails(name: " Jane ", email: "Jane@ACME.example", phone: " +33 1 23 ")))
        #expect(
            events == [
                .contactAdded(
                    ClientContactAdded(contactId: "c-1", name: "Jane", email: "jane@acme.example", phone: "+33 1 23"))
            ])
        #expect(ClientDecider.fold([Fixture.registeredAcme] + events).snapshot?.contactIDs == ["c-1"])
    }

    @Test func duplicateContactEmailIsRefused() throws {
        let error = try #require(
            acmeWithJane.refusal(of: .addContact(id: "c-2", ContactDetails(name: "J2", email: "JANE@acme.example"))))
        #expect(error.code == .conflict)
        #expect(error.message.contains("contact c-1 of client acme already has the e-mail jane@acme.example"))
    }

    @Test func duplicateContactIdIsRefused() throws {
        let error = try #require(
            acmeWithJane.refusal(of: .addContact(id: "c-1", ContactDetails(name: "J2", email: "j2@acme.example"))))
        #expect(error.code == .conflict)
    }

    @Test(
        "bad contact e-mails are refused",
        arguments: ["jane", "jane@", "@acme.example", "ja ne@acme.example", "jane@acme", "a@b@acme.example"])
    func badEmail(email: String) throws {
        let error = try #require(acme.refusal(of: .addContact(id: "c-9", ContactDetails(name: "X", email: email))))
        #expect(error.code == .invalid)
        #expect(error.message.contains("e-mail address"))
    }

    @Test func updateContactReplacesDetailsAndIsANoOpWhenUnchanged() throws {
        let events = try acmeWithJane.when(
            .updateContact(id: "c-1", ContactDetails(name: "Jane Doe", email: "jane@acme.example", phone: "555")))
        #expect(
            events == [
                .contactUpdated(
                    ClientContactUpdated(contactId: "c-1", name: "Jane Doe", email: "jane@acme.example", phone: "555"))
            ])
        #expect(
            try acmeWithJane.when(.updateContact(id: "c-1", ContactDetails(name: "Jane", email: "jane@acme.example")))
                .isEmpty)
    }

    @Test func aBillingContactIsAddedMadeAndUnmadeByItsDetails() throws {
        let added = try acmeWithJane.when(
            .addContact(id: "c-2", ContactDetails(name: "Bea", email: "bea@acme.example", billing: true)))
        #expect(added == [.contactAdded(ClientContactAdded(contactId: "c-2", name: "Bea", email: "bea@acme.example", phone: nil, billing: true))])
        let made = try acmeWithJane.when(.updateContact(id: "c-1", ContactDetails(name: "Jane", email: "jane@acme.example", billing: true)))
        #expect(made == [.contactUpdated(ClientContactUpdated(contactId: "c-1", name: "Jane", email: "jane@acme.example", phone: nil, billing: true))])
        let state = made.reduce(acmeWithJane.state, ClientDecider.evolve)
        #expect(state.contacts["c-1"]?.isBilling == true)
        let unmade = try Scenario<ClientDecider>(state: state).when(
            .updateContact(id: "c-1", ContactDetails(name: "Jane", email: "jane@acme.example", billing: false)))
        #expect(unmade == [.contactUpdated(ClientContactUpdated(contactId: "c-1", name: "Jane", email: "jane@acme.example", phone: nil))], "false is absent")
        #expect(unmade.reduce(state, ClientDecider.evolve).contacts["c-1"]?.isBilling == false)
    }

    @Test func updateContactToAnotherContactsEmailIsRefused() throws {
        let two = given(
            ClientDecider.self,
            [
                Fixture.registeredAcme,
                .contactAdded(
                    ClientContactAdded(contactId: "c-1", name: "Jane", email: "jane@acme.example", phone: nil)),
                .contactAdded(ClientContactAdded(contactId: "c-2", name: "Joe", email: "joe@acme.example", phone: nil)),
            ])
        let error = two.refusal(of: .updateContact(id: "c-2", ContactDetails(name: "Joe", email: "jane@acme.example")))
        #expect(error?.code == .conflict)
    }

    @Test func removeContact() throws {
        #expect(
            try acmeWithJane.when(.removeContact(id: "c-1")) == [
                .contactRemoved(ClientContactRemoved(contactId: "c-1"))
            ])
        let error = try #require(acme.refusal(of: .removeContact(id: "c-1")))
        #expect(error.code == .notFound)
        #expect(error.message.contains("client acme has no contact c-1"))
        let state = ClientDecider.fold([
            Fixture.registeredAcme,
            .contactAdded(ClientContactAdded(contactId: "c-1", name: "Jane", email: "jane@acme.example", phone: nil)),
            .contactRemoved(ClientContactRemoved(contactId: "c-1")),
        ])
        #expect(state.contacts.isEmpty)
        #expect(state.retiredContactIds == ["c-1"])
    }

    @Test func aRemovedContactsIdIsNeverGivenAgain() throws {
        let removed = given(
            ClientDecider.self,
            [
                Fixture.registeredAcme,
                .contactAdded(ClientContactAdded(contactId: "c-1", name: "Hank", email: "hank@acme.example", phone: nil)),
                .contactRemoved(ClientContactRemoved(contactId: "c-1")),
            ])
        let error = try #require(removed.refusal(of: .addContact(id: "c-1", ContactDetails(name: "Nora", email: "nora@acme.example"))))
        #expect(error.code == .conflict)
        #expect(error.message == "contact id c-1 belonged to a removed contact of client acme and is never given again; choose another id")
        #expect(try removed.when(.addContact(id: "c-2", ContactDetails(name: "Nora", email: "nora@acme.example"))).count == 1)
    }

    @Test func commandsOnAMissingClientAreNotFound() {
        #expect(given(ClientDecider.self).refusal(of: .deactivate)?.code == .notFound)
    }
}
