import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import Hooks
import TestSupport
import Testing

/// Issue 13 §2: webhook sources are events; their secrets are sealed under the store's hook key, never in clear.
@Suite struct HookServiceTests {
    let fixture: ServiceFixture
    var service: IntakeService { fixture.app.intake }
    let key: HookKey

    init() throws {
        fixture = try ServiceFixture()
        key = try HookKey(bytes: Array(repeating: 42, count: 32))
    }

    @Test func createSealsTheSecretAndDeliveriesOpenIt() throws {
        let secret = try #require(try service.createHook("ninja", format: .generic, actsAs: "dora", defaultClient: "acme", as: "ann", key: { key }))
        #expect(secret.hasPrefix("dkh_"))
        let events = try fixture.store.read(stream: "hook-ninja")
        #expect(events.map(\.type) == ["hook.created"])
        #expect(!String(decoding: events[0].payload, as: UTF8.self).contains(secret.dropFirst(4)), "never in clear")
        let authority = try #require(try service.hookAuthority("ninja", key: key))
        #expect(authority.secrets == [secret])
        #expect(authority.state.actsAs == "dora")
        #expect(authority.state.defaultClient == "acme")
        #expect(authority.state.format == .generic)
        #expect(try service.hookAuthority("nobody", key: key) == nil)
        #expect(try service.hookAuthority("../etc", key: key) == nil)
    }

    @Test func anotherKeyCannotOpenTheSecretAndSaysHowToFixIt() throws {
        _ = try service.createHook("ninja", format: .generic, actsAs: "dora", defaultClient: nil, as: "ann", key: { key })
        let other = try HookKey(bytes: Array(repeating: 1, count: 32))
        #expect(throws: DomainError.self) { try service.hookAuthority("ninja", key: other) }
    }

    @Test func rotationWithGraceKeepsThePreviousSecretUntilTheGraceEnds() throws {
        let first = try #require(try service.createHook("prom", format: .alertmanager, actsAs: "dora", defaultClient: nil, as: "ann", key: { key }))
        let second = try #require(try service.rotateHook("prom", graceMilliseconds: 3_600_000, as: "ann", key: { key }))
        #expect(first != second)
        #expect(try service.hookAuthority("prom", key: key)?.secrets == [second, first])
        let listed = try #require(try service.hooks(as: "ann").first)
        #expect(listed.fingerprint == HookKey.fingerprint(second))
        #expect(listed.previousFingerprint == HookKey.fingerprint(first))
        fixture.clock.advance(milliseconds: 61 * 60_000)
        #expect(try service.hookAuthority("prom", key: key)?.secrets == [second])
        let third = try #require(try service.rotateHook("prom", graceMilliseconds: 0, as: "ann", key: { key }))
        #expect(try service.hookAuthority("prom", key: key)?.secrets == [third], "no grace: the old secret stops at once")
    }

    @Test func onlyAdminsManageHooksAndTheKeyIsNotTouchedOtherwise() throws {
        var asked = false
        #expect(throws: DomainError.self) {
            try service.createHook("ninja", format: .generic, actsAs: "dora", defaultClient: nil, as: "dora", key: { asked = true; return key })
        }
        #expect(!asked, "a refused command makes no key file")
        #expect(throws: DomainError.self) { try service.hooks(as: "bob") }
        #expect(try fixture.store.read(stream: "hook-ninja").isEmpty)
    }

    @Test(arguments: [
        ("nobody", nil as String?), ("bill", nil), ("dora", "unknown-client"), ("dora", nil),
    ])
    func aHookMustActAsAnActiveUserWhoMayOpenTicketsForAKnownClient(user: String, client: String?) throws {
        if user == "dora", client == nil {
            _ = try service.createHook("dup", format: .mail, actsAs: user, defaultClient: nil, as: "ann", key: { key })
            #expect(throws: DomainError.self) { try service.createHook("dup", format: .mail, actsAs: user, defaultClient: nil, as: "ann", key: { key }) }
            #expect(try fixture.store.read(stream: "hook-dup").count == 1)
            return
        }
        #expect(throws: DomainError.self) { try service.createHook("x", format: .mail, actsAs: user, defaultClient: client, as: "ann", key: { key }) }
        #expect(try fixture.store.read(stream: "hook-x").isEmpty)
    }

    @Test func rotatingAnUnknownSourceIsNotFound() throws {
        #expect(throws: DomainError.self) { try service.rotateHook("ghost", graceMilliseconds: 0, as: "ann", key: { key }) }
    }
}
