import DocketTime
import Domain
import Testing

@Suite("Permissions")
struct PermissionTests {
    /// The rules from the issue, written out independently of `Permissions`.
    static let expected: [Action: Set<Role>] = [
        .workTickets: [.tech, .dispatcher, .admin],
        .manageClients: [.dispatcher, .billing, .admin],
        .manageContracts: [.billing, .admin],
        .manageRates: [.billing, .admin],
        .manageInvoices: [.billing, .admin],
        .manageUsers: [.admin],
        .manageTemplates: [.dispatcher, .admin],
        .manageRoutingRules: [.dispatcher, .admin],
        .scheduleTickets: [.dispatcher, .admin],
        .manageSchedules: [.dispatcher, .admin],
        .manageFollowUps: [.dispatcher, .admin],
        .manageSurvey: [.dispatcher, .admin],
        .readCosts: [.billing, .admin],
        .readPast: [.billing, .admin],
    ]

    @Test("each role x action is allowed exactly as the table says", arguments: Role.allCases, Action.allCases)
    func roleAction(role: Role, action: Action) throws {
        let allowed = try #require(Self.expected[action]).contains(role)
        let error = refusal { () throws(DomainError) in try Permissions.require(action, by: role) }
        if allowed {
            #expect(error == nil)
        } else {
            let error = try #require(error)
            #expect(error.code == .forbidden)
            #expect(error.message.contains("role \(role)"))
            #expect(error.message.contains(action.description))
            for allowedRole in try #require(Self.expected[action]) {
                #expect(error.message.contains(allowedRole.rawValue), "names \(allowedRole) as someone who can")
            }
        }
    }

    @Test func billingCannotWorkTicketsMessage() throws {
        let error = try #require(
            refusal { () throws(DomainError) in try Permissions.require(.workTickets, by: .billing) })
        #expect(
            error.description
                == "role billing cannot work tickets; ask someone with role tech, dispatcher or admin to do it")
    }

    // MARK: - Every decider checks first

    @Test("ticket commands check workTickets before anything else", arguments: Role.allCases)
    func ticketDecider(role: Role) {
        // The stream is empty: a decider that looked at state first would answer notFound instead of forbidden.
        let error = given(TicketDecider.self).refusal(of: .close(resolution: "x", time: .logged), by: Fixture.actor(role))
        #expect((error?.code == .forbidden) == !(Self.expected[.workTickets]?.contains(role) ?? false))
    }

    @Test("client commands check manageClients first", arguments: Role.allCases)
    func clientDecider(role: Role) {
        let error = given(ClientDecider.self).refusal(of: .deactivate, by: Fixture.actor(role))
        #expect((error?.code == .forbidden) == !(Self.expected[.manageClients]?.contains(role) ?? false))
    }

    @Test("contract commands check manageContracts first", arguments: Role.allCases)
    func contractDecider(role: Role) {
        let error = given(ContractDecider.self).refusal(of: .end(effectiveFrom: Fixture.now), by: Fixture.actor(role))
        #expect((error?.code == .forbidden) == !(Self.expected[.manageContracts]?.contains(role) ?? false))
    }

    @Test("user commands check manageUsers first", arguments: Role.allCases)
    func userDecider(role: Role) {
        let error = given(UserDecider.self).refusal(of: .deactivate, by: Fixture.actor(role))
        #expect((error?.code == .forbidden) == (role != .admin))
    }

    @Test("template commands check manageTemplates first", arguments: Role.allCases)
    func templateDecider(role: Role) {
        let error = given(TemplateDecider.self).refusal(of: .remove, by: Fixture.actor(role))
        #expect((error?.code == .forbidden) == !(Self.expected[.manageTemplates]?.contains(role) ?? false))
    }

    @Test("allowed roles get past the permission check and reach the rules", arguments: Role.allCases)
    func allowedRolesSucceed(role: Role) throws {
        let ticket = given(TicketDecider.self, [Fixture.opened()])
        let client = given(ClientDecider.self, [Fixture.registeredAcme])
        let template = given(TemplateDecider.self)
        let actor = Fixture.actor(role)
        if Permissions.allows(role, to: .workTickets) {
            #expect(try ticket.when(.setPriority("P1"), by: actor).count == 1)
        }
        if Permissions.allows(role, to: .manageClients) {
            #expect(try client.when(.deactivate, by: actor) == [.deactivated(ClientDeactivated())])
        }
        if Permissions.allows(role, to: .manageTemplates) {
            #expect(try template.when(.add(name: "hi", subject: nil, body: "Hi"), by: actor).count == 1)
        }
    }
}
