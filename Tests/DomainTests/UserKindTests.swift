import DocketTime
import Domain
import Testing

/// `user.kind-set`: a service account (intake, the scheduler) is told apart from a person, who gets staff mail.
@Suite("User kinds")
struct UserKindTests {
    let bob = given(UserDecider.self, [UserTests.addedBob])

    @Test func addingAServiceAccountMarksItInTheSameAppend() throws {
        let add = AddUser(login: "intake", name: "Intake", email: "intake@msp.example", role: .dispatcher, kind: .service)
        let events = try given(UserDecider.self).when(.add(add), by: Fixture.admin)
        #expect(events.count == 2)
        #expect(events.last == .kindSet(UserKindSet(kind: .service)))
        #expect(UserDecider.fold(events).kind == .service)
        let person = try given(UserDecider.self).when(.add(AddUser(login: "dora", name: "Dora", email: "dora@msp.example", role: .dispatcher)), by: Fixture.admin)
        #expect(person.count == 1, "a person is the default: no extra event")
    }

    @Test func onlyAnAdminSetsTheKindAndTheSameKindIsNothing() throws {
        #expect(try bob.when(.setKind(.person), by: Fixture.admin).isEmpty)
        #expect(try bob.when(.setKind(.service), by: Fixture.admin) == [.kindSet(UserKindSet(kind: .service))])
        #expect(bob.refusal(of: .setKind(.service), by: Actor(login: "dina", role: .dispatcher))?.code == .forbidden)
        #expect(given(UserDecider.self).refusal(of: .setKind(.service), by: Fixture.admin)?.code == .notFound)
        let service = UserEvent.kindSet(UserKindSet(kind: .service))
        #expect(UserDecider.fold([UserTests.addedBob, service]).kind == .service)
        #expect(try given(UserDecider.self, [UserTests.addedBob, service]).when(.setKind(.person), by: Fixture.admin) == [.kindSet(UserKindSet(kind: .person))])
    }
}
