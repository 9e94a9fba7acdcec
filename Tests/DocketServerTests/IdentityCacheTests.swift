@testable import DocketServer
import DocketApp
import DocketTime
import Domain
import Foundation
import TestSupport
import Testing

/// Identification keeps what it read of users and tokens (``IdentityCache``) only while the log says it is current:
/// a deactivated user, a revoked token or a new uid link is refused or seen on the very next request.
@Suite(.serialized) struct IdentityCacheTests {
    @Test func usersAreLoadedAgainOnlyWhenTheirStampChanges() throws {
        let cache = IdentityCache()
        var stamp: UInt64 = 7
        var loads = 0
        func read() throws -> [UserState] { try cache.users(stamp: { stamp }, load: { loads += 1; return [] }) }
        _ = try read()
        _ = try read()
        #expect(loads == 1, "the same stamp: the kept users")
        stamp = 8
        _ = try read()
        #expect(loads == 2, "a user changed: read again")
    }

    @Test func aTokenIsKeptUntilItsStampChangesOrItExpires() throws {
        let cache = IdentityCache()
        let now = try #require(Timestamp(iso8601: "2026-11-05T09:00:00Z"))
        cache.keep("dkt_a_b", login: "bob", tokenId: "a", expiresAt: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 60_000), stamp: [1, 3])
        #expect(try cache.token("dkt_a_b", now: now) { _, _ in [1, 3] }?.0 == "bob")
        #expect(try cache.token("dkt_a_b", now: now) { _, _ in [1, 4] } == nil, "the user changed")
        #expect(try cache.token("dkt_a_b", now: now) { _, _ in [2, 3] } == nil, "the token changed (revoked)")
        #expect(try cache.token("dkt_a_b", now: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 60_000)) { _, _ in [1, 3] } == nil, "expired")
        #expect(try cache.token("dkt_other", now: now) { _, _ in [1, 3] } == nil)
    }

    /// Through a real server: bob's token and the OS account's socket work, then an admin deactivates them
    /// (through the same server) and the very next request of each is a 401.
    @Test func aDeactivatedUserIsRefusedOnTheVeryNextRequest() throws {
        let served = ServedStore()
        let me = try #require(ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? Optional(NSUserName()))
        #expect(try served.docket(["init"]).status == 0)
        for login in ["bob", me] where login != "ann" {
            #expect(try served.docket(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", "tech"]).status == 0)
        }
        let ann = try served.docket(["token", "create", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let bob = try served.docket(["token", "create", "--user", "bob", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start()
        for _ in 0..<3 {
            #expect(try served.curl("GET", "/v1/whoami", token: bob).status == 200)
            #expect(try served.curl("GET", "/v1/whoami", unixSocket: true).status == 200)
        }
        for login in ["bob", me] {
            let run = try served.curl("POST", "/v1/cli", token: ann, json: #"{"arguments":["user","deactivate","\#(login)"]}"#)
            #expect(run.status == 200, "\(run.body)")
        }
        let refused = try served.curl("GET", "/v1/whoami", token: bob)
        #expect(refused.status == 401, "\(refused.body)")
        let socket = try served.curl("GET", "/v1/whoami", unixSocket: true)
        #expect(socket.status == 401, "\(socket.body)")
        #expect(try served.curl("GET", "/v1/whoami", token: ann).status == 200)
        #expect(served.stop() == 0)
    }
}
