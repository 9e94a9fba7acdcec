import DocketTime
import Domain
import Testing

/// `user.time-zone-set`: the zone a user reads and types times in (issue 15, points 8 and 16).
@Suite("User time zones")
struct UserTimeZoneTests {
    let bob = given(UserDecider.self, [UserTests.addedBob])

    @Test func aUserSetsTheirOwnZoneAndAnAdminAnyones() throws {
        let me = Actor(login: "bob", role: .dispatcher)
        #expect(try bob.when(.setTimeZone("America/New_York"), by: me) == [.timeZoneSet(UserTimeZoneSet(timeZone: "America/New_York"))])
        #expect(try bob.when(.setTimeZone("Europe/Berlin"), by: Fixture.admin).count == 1)
        #expect(bob.refusal(of: .setTimeZone("Europe/Berlin"), by: Fixture.tech)?.code == .forbidden, "alice cannot set bob's")
        #expect(bob.refusal(of: .setTimeZone("Mars/Olympus"), by: me)?.code == .invalid)
        #expect(given(UserDecider.self).refusal(of: .setTimeZone("UTC"), by: Fixture.admin)?.code == .notFound)
    }

    @Test func settingTheSameZoneIsNothingAndClearingForgetsIt() throws {
        let set = UserEvent.timeZoneSet(UserTimeZoneSet(timeZone: "America/New_York"))
        let withZone = given(UserDecider.self, [UserTests.addedBob, set])
        #expect(try withZone.when(.setTimeZone("America/New_York"), by: Fixture.admin).isEmpty)
        let cleared = try withZone.when(.setTimeZone(nil), by: Fixture.admin)
        #expect(cleared == [.timeZoneSet(UserTimeZoneSet(timeZone: nil))])
        #expect(UserDecider.fold([UserTests.addedBob, set]).timeZone == "America/New_York")
        #expect(UserDecider.fold([UserTests.addedBob, set] + cleared).timeZone == nil)
        #expect(try bob.when(.setTimeZone(nil), by: Fixture.admin).isEmpty, "nothing to clear")
    }
}
