import DocketTime
import Domain
import Testing

/// `user.os-account-set`: the OS uid that acts as a user on the server's Unix socket (issue 12, `user link-os`).
@Suite("User OS accounts")
struct UserOSAccountTests {
    let bob = given(UserDecider.self, [UserTests.addedBob])

    @Test func onlyAnAdminLinksAnOSAccount() throws {
        #expect(try bob.when(.setOSAccount(1001), by: Fixture.admin) == [.osAccountSet(UserOSAccountSet(uid: 1001))])
        #expect(bob.refusal(of: .setOSAccount(1001), by: Actor(login: "bob", role: .tech))?.code == .forbidden, "not even their own")
        #expect(bob.refusal(of: .setOSAccount(1001), by: Actor(login: "dina", role: .dispatcher))?.code == .forbidden)
        #expect(given(UserDecider.self).refusal(of: .setOSAccount(1001), by: Fixture.admin)?.code == .notFound)
    }

    @Test func linkingTheSameUidIsNothingAndUnlinkingForgetsIt() throws {
        let linked = UserEvent.osAccountSet(UserOSAccountSet(uid: 1001))
        let withUid = given(UserDecider.self, [UserTests.addedBob, linked])
        #expect(try withUid.when(.setOSAccount(1001), by: Fixture.admin).isEmpty)
        #expect(try withUid.when(.setOSAccount(1002), by: Fixture.admin) == [.osAccountSet(UserOSAccountSet(uid: 1002))])
        let unlinked = try withUid.when(.setOSAccount(nil), by: Fixture.admin)
        #expect(unlinked == [.osAccountSet(UserOSAccountSet(uid: nil))])
        #expect(UserDecider.fold([UserTests.addedBob, linked]).osUid == 1001)
        #expect(UserDecider.fold([UserTests.addedBob, linked] + unlinked).osUid == nil)
        #expect(try bob.when(.setOSAccount(nil), by: Fixture.admin).isEmpty, "nothing to unlink")
    }
}
