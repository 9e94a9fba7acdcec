import DocketTime
import Domain
import Testing

@Suite("Users")
struct UserTests {
    static let addedBob = UserEvent.added(UserAdded(login: "bob", name: "Bob", email: "bob@msp.example", role: .tech))
    let bob = given(UserDecider.self, [addedBob])

    @Test func addUser() throws {
        let events = try given(UserDecider.self).when(
            .add(AddUser(login: "bob", name: " Bob ", email: "Bob@MSP.example", role: .tech)))
        #expect(events == [Self.addedBob])
        #expect(
            UserDecider.fold(events).snapshot == UserSnapshot(login: "bob", name: "Bob", role: .tech, isActive: true))
    }

    @Test(
        "bad logins are refused",
        arguments: ["b", "Bob", ".bob", "-bob", "bo b", "bob!", String(repeating: "b", count: 33)])
    func badLogin(login: String) throws {
        let error = try #require(
            given(UserDecider.self).refusal(
                of: .add(AddUser(login: login, name: "B", email: "b@msp.example", role: .tech))))
        #expect(error.code == .invalid)
        #expect(error.message.contains("login"))
    }

    @Test("good logins are accepted", arguments: ["bo", "j.doe", "j_doe-2", "42"])
    func goodLogin(login: String) throws {
        #expect(
            try given(UserDecider.self).when(
                .add(AddUser(login: login, name: "B", email: "b@msp.example", role: .tech))
            )
            .count == 1)
    }

    @Test func addingAnExistingUserIsAConflict() {
        #expect(
            bob.refusal(of: .add(AddUser(login: "bob", name: "B", email: "b@msp.example", role: .tech)))?.code
                == .conflict)
    }

    @Test func changeRoleRecordsThePreviousRoleAndIsANoOpWhenSame() throws {
        #expect(
            try bob.when(.changeRole(.dispatcher)) == [
                .roleChanged(UserRoleChanged(role: .dispatcher, previousRole: .tech))
            ])
        #expect(try bob.when(.changeRole(.tech)).isEmpty)
    }

    @Test func adminsCannotDemoteOrDeactivateThemselves() throws {
        let root = given(
            UserDecider.self, [.added(UserAdded(login: "root", name: "Root", email: "r@msp.example", role: .admin))])
        #expect(root.refusal(of: .changeRole(.tech), by: Fixture.admin)?.code == .forbidden)
        #expect(root.refusal(of: .deactivate, by: Fixture.admin)?.code == .forbidden)
        // Another admin may.
        let other = Actor(login: "ops", role: .admin)
        #expect(try root.when(.deactivate, by: other) == [.deactivated(UserDeactivated())])
    }

    @Test func deactivatedUserCannotAct() throws {
        #expect(try UserDecider.actor(login: "bob", state: bob.state) == Actor(login: "bob", role: .tech))
        let deactivated = try bob.when(.deactivate)
        #expect(deactivated == [.deactivated(UserDeactivated())])
        let state = UserDecider.fold([Self.addedBob] + deactivated)
        let error = try #require(
            refusal { () throws(DomainError) in try UserDecider.actor(login: "bob", state: state) })
        #expect(error.code == .inactive)
        #expect(error.message.hasPrefix("user bob is deactivated; ask an admin to reactivate them"))
        #expect(
            try given(UserDecider.self, [Self.addedBob] + deactivated).when(.reactivate) == [
                .reactivated(UserReactivated())
            ])
        #expect(try bob.when(.reactivate).isEmpty)
    }

    @Test func unknownUserCannotAct() throws {
        let error = refusal { () throws(DomainError) in
            try UserDecider.actor(login: "zed", state: UserDecider.initialState)
        }
        #expect(error?.code == .notFound)
    }

    @Test func bootstrapCreatesTheFirstAdmin() throws {
        let events = try UserDecider.bootstrapAdmin(
            login: "root", name: "Root", email: "root@msp.example", now: Fixture.now)
        #expect(events == [.added(UserAdded(login: "root", name: "Root", email: "root@msp.example", role: .admin))])
        #expect(try UserDecider.actor(login: "root", state: UserDecider.fold(events)).role == .admin)
    }

    @Test func bootstrapValidatesAndRefusesWhenUsersExist() throws {
        let bad = refusal { () throws(DomainError) in
            try UserDecider.bootstrapAdmin(login: "Root!", name: "Root", email: "root@msp.example", now: Fixture.now)
        }
        #expect(bad?.code == .invalid)
        let late = refusal { () throws(DomainError) in
            try UserDecider.bootstrapAdmin(
                login: "root", name: "Root", email: "root@msp.example", now: Fixture.now, isFirstUser: false)
        }
        #expect(late?.code == .conflict)
        #expect(
            try UserDecider.bootstrapAdmin(
                login: "root", name: "Root", email: "root@msp.example", now: Fixture.now, isFirstUser: true
            ).count == 1)
    }

    @Test func rolesParse() throws {
        #expect(try Role.parse("Billing") == .billing)
        #expect(refusal { () throws(DomainError) in try Role.parse("boss") }?.code == .invalid)
    }
}
