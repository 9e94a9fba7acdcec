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
        #expect(channel.refusal(of: .remove(), by: Actor(login: "dora", role: .dispatcher))?.code == .forbidden)
        let removed = try channel.when(.remove(), by: Fixture.admin)
        let gone = given(NotifyDecider.self, added + removed)
        #expect(gone.refusal(of: .remove(), by: Fixture.admin)?.code == .notFound)
        #expect(gone.refusal(of: .rotate(secret: Self.other), by: Fixture.admin)?.code == .notFound)
        #expect(try gone.when(.add(name: "on-call", url: "https://f.example/", on: [.escalated, .slaWarned], secret: Self.other), by: Fixture.admin)
            == [.added(NotifyChannelAdded(name: "on-call", url: "https://f.example/", on: [.slaWarned, .escalated], secret: Self.other))])
    }

    /// A channel added with its URL sealed keeps only the scheme and host in its event: the path of a chat's incoming
    /// webhook is its secret.
    @Test func aSealedURLLeavesTheSchemeAndHostInTheEvent() throws {
        let sealedURL = SealedHookSecret(keyId: "0123456789abcdef", sealed: "c2VhbGVk", fingerprint: "0a1b2c3d4e5f6a7b")
        let added = try given(NotifyDecider.self).when(
            .add(name: "chat", url: "https://hooks.example.com:8443/services/T1/B2/secret?x=1", on: [], secret: Self.secret, sealedURL: sealedURL),
            by: Fixture.admin)
        #expect(added == [.added(NotifyChannelAdded(
            name: "chat", url: "https://hooks.example.com:8443", on: [.slaBreached, .escalated], secret: Self.secret, sealedUrl: sealedURL))])
        let state = given(NotifyDecider.self, added).state
        #expect(state.url == "https://hooks.example.com:8443" && state.sealedURL == sealedURL)
        #expect(NotifyDecider.displayURL("http://127.0.0.1:9000/hook?team=noc") == "http://127.0.0.1:9000")
        #expect(NotifyDecider.displayURL("https://[::1]:8443#x") == "https://[::1]:8443")
    }
}

extension NotifyDeciderTests {
    /// A channel an SLA policy pages is not removed: a conflict naming the policies and their rules, nothing decided.
    @Test func aChannelAPolicyPagesIsNotRemoved() throws {
        let added = try given(NotifyDecider.self).when(.add(name: "oncall", url: "https://e.example/", on: [], secret: Self.secret), by: Fixture.admin)
        let channel = given(NotifyDecider.self, added)
        let refusal = channel.refusal(of: .remove(pagedBy: [PolicyPaging(policy: "gold", rules: ["p1-page"])]), by: Fixture.admin)
        #expect(refusal?.code == .conflict)
        #expect(
            refusal?.message == "notification channel oncall is paged by SLA policy gold (escalation rule p1-page), whose pages would all "
                + "be cancelled; drop or change that rule first (`docket sla-policy amend gold --file … --effective …`), then remove the channel")
        #expect(try channel.when(.remove(pagedBy: []), by: Fixture.admin) == [.removed(NotifyChannelRemoved())])
    }
}
