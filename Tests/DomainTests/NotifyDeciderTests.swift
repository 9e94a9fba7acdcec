import DocketTime
import Domain
import Testing

/// Outbound notification channels (stream `notify-<name>`): admins add, rotate and remove them.
@Suite("Notification channels")
struct NotifyDeciderTests {
    static let secret = SealedHookSecret(keyId: "0123456789abcdef", sealed: "qrvM3e7/", fingerprint: "00112233aabbccdd")
    static let other = SealedHookSecret(keyId: "0123456789abcdef", sealed: "AAEC", fingerprint: "fedcba9876543210")

    @Test(arguments: [
        "https://events.example.com/docket", "http://127.0.0.1:9000/hook?team=noc", "HTTPS://Example.com", "https://[::1]:8443/x",
        "https://hooks.example.com:443",
    ])
    func anHTTPURLWithAHostIsTaken(url: String) throws {
        #expect(try NotifyDecider.validURL(url) == url)
    }

    @Test(arguments: [
        "", "ftp://example.com/", "example.com", "https://", "https:///x", "https://:80/", "https://a b.example/", "https://é.example/",
        "https://me:pw@example.com/", "https://example.com:0/", "https://example.com:port/", "https://[::1/", "https://[::1]x/",
    ])
    func anythingElseIsInvalid(url: String) {
        #expect(throws: DomainError.self) { try NotifyDecider.validURL(url) }
    }

    @Test func anAdminAddsRotatesAndRemovesAndNobodyElseMay() throws {
        let added = try given(NotifyDecider.self).when(.add(name: "on-call", url: "https://e.example/", on: [], secret: Self.secret), by: Fixture.admin)
        #expect(added == [.added(NotifyChannelAdded(name: "on-call", url: "https://e.example/", on: [.slaBreached, .escalated], secret: Self.secret))])
        let channel = given(NotifyDecider.self, added)
        #expect(channel.refusal(of: .add(name: "on-call", url: "https://e.example/", on: [], secret: Self.secret), by: Fixture.admin)?.code == .conflict)
        #expect(try channel.when(.rotate(secret: Self.other), by: Fixture.admin) == [.rotated(NotifyChannelRotated(secret: Self.other))])
        #expect(channel.refusal(of: .remove, by: Actor(login: "dora", role: .dispatcher))?.code == .forbidden)
        let removed = try channel.when(.remove, by: Fixture.admin)
        let gone = given(NotifyDecider.self, added + removed)
        #expect(gone.refusal(of: .remove, by: Fixture.admin)?.code == .notFound)
        #expect(gone.refusal(of: .rotate(secret: Self.other), by: Fixture.admin)?.code == .notFound)
        #expect(try gone.when(.add(name: "on-call", url: "https://f.example/", on: [.escalated, .slaWarned], secret: Self.other), by: Fixture.admin)
            == [.added(NotifyChannelAdded(name: "on-call", url: "https://f.example/", on: [.slaWarned, .escalated], secret: Self.other))])
    }
}
