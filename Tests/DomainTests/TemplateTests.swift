import Domain
import Testing

@Suite("Reply templates")
struct TemplateTests {
    static let added = TemplateEvent.added(
        TemplateAdded(name: "first-response", subject: "Re: {{ticket.subject}}", body: "Hi {{contact.name}},"))
    let template = given(TemplateDecider.self, [added])

    @Test func addTemplateWithKnownPlaceholders() throws {
        let events = try given(TemplateDecider.self).when(
            .add(name: "first-response", subject: " Re: {{ticket.subject}} ", body: "Hi {{contact.name}},"),
            by: Fixture.dispatcher)
        #expect(events == [Self.added])
    }

    @Test(
        "unknown placeholders are refused when added",
        arguments: ["Hi {{contact.email}}", "{{ticket.id}}", "{{ tech.phone }}"])
    func unknownPlaceholder(body: String) throws {
        let error = try #require(given(TemplateDecider.self).refusal(of: .add(name: "t1", subject: nil, body: body)))
        #expect(error.code == .invalid)
        #expect(error.message.hasPrefix("unknown placeholder {{"))
        #expect(error.message.contains("{{client.name}}"), "lists the known ones")
    }

    @Test func unknownPlaceholderInTheSubjectIsRefused() throws {
        let error = given(TemplateDecider.self).refusal(of: .add(name: "t1", subject: "{{nope}}", body: "Hi"))
        #expect(error?.message.contains("{{nope}}") == true)
    }

    @Test("malformed placeholders are refused", arguments: ["Hi {{contact.name", "Hi {{}}", "{{ {{x}} }}"])
    func malformed(body: String) {
        #expect(given(TemplateDecider.self).refusal(of: .add(name: "t1", subject: nil, body: body))?.code == .invalid)
    }

    /// A misspelt mail template (`mail-acknowldgement`) was kept as a reply template, and the mail it meant to
    /// change went on as before; `mail-` names are the mail templates'.
    @Test func aMailNameThatIsNoMailTemplateIsRefused() throws {
        let error = try #require(given(TemplateDecider.self).refusal(of: .add(name: "mail-acknowldgement", subject: nil, body: "Hi")))
        #expect(error.code == .invalid)
        #expect(error.message.contains("mail-acknowledgement") && error.message.contains("check the spelling"), "\(error.message)")
        #expect(try given(TemplateDecider.self).when(.add(name: "mail-reply", subject: nil, body: "{{reply.text}}"), by: Fixture.dispatcher).count == 1)
    }

    @Test func addingAnExistingTemplateIsAConflict() {
        #expect(template.refusal(of: .add(name: "first-response", subject: nil, body: "x"))?.code == .conflict)
    }

    @Test func updateIsANoOpWhenUnchangedAndRemoveFreesTheName() throws {
        #expect(try template.when(.update(subject: "Re: {{ticket.subject}}", body: "Hi {{contact.name}},")).isEmpty)
        #expect(
            try template.when(.update(subject: nil, body: "Hello {{contact.name}}"))
                == [.updated(TemplateUpdated(subject: nil, body: "Hello {{contact.name}}"))])
        let removed = try template.when(.remove)
        #expect(removed == [.removed(TemplateRemoved())])
        let gone = given(TemplateDecider.self, [Self.added] + removed)
        let error = try #require(gone.refusal(of: .update(subject: nil, body: "x")))
        #expect(error.code == .notFound)
        #expect(error.message.contains("docket template add first-response"))
        #expect(try gone.when(.remove).isEmpty)
        #expect(try gone.when(.add(name: "first-response", subject: nil, body: "Again")).count == 1)
    }

    @Test func techsCannotManageTemplates() {
        #expect(template.refusal(of: .remove, by: Fixture.tech)?.code == .forbidden)
    }

    // MARK: - Rendering

    @Test func rendersEveryPlaceholder() throws {
        let text = try TemplateRenderer.render(
            "Hi {{contact.name}}, {{ tech.name }} here about {{ticket.number}} ({{ticket.subject}}) for {{client.name}}.",
            values: [
                "contact.name": "Jane", "tech.name": "Alice", "ticket.number": "T-1042", "ticket.subject": "VPN",
                "client.name": "Acme",
            ])
        #expect(text == "Hi Jane, Alice here about T-1042 (VPN) for Acme.")
    }

    @Test func missingValueNamesThePlaceholder() throws {
        let error = try #require(
            refusal { () throws(DomainError) in
                try TemplateRenderer.render("Hi {{contact.name}} from {{tech.name}}", values: ["contact.name": "Jane"])
            })
        #expect(error.code == .invalid)
        #expect(error.message.contains("{{tech.name}}"))
        #expect(!error.message.contains("{{contact.name}}"))
    }

    @Test func valuesAreNotExpandedAgain() throws {
        let text = try TemplateRenderer.render("{{contact.name}}", values: ["contact.name": "{{tech.name}}"])
        #expect(text == "{{tech.name}}")
    }

    @Test func textWithoutPlaceholdersIsUnchanged() throws {
        #expect(try TemplateRenderer.render("Plain } text { here", values: [:]) == "Plain } text { here")
        #expect(try TemplateRenderer.placeholders(in: "{{a}} and {{b}} and {{a}}") == ["a", "b", "a"])
    }
}
