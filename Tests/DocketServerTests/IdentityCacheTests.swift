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
        var stamp = UsersStamp(streams: ["user-ann"], versions: [1])
        var loads = 0
        func read() throws -> [UserState] { try cache.users(stamp: { stamp }, load: { loads += 1; return [] }) }
        _ = try read()
        _ = try read()
        #expect(loads == 1, "the same stamp: the kept users")
        stamp = UsersStamp(streams: ["user-ann"], versions: [2])
        _ = try read()
        #expect(loads == 2, "a user changed: read again")
        stamp = UsersStamp(streams: ["user-ann", "user-bob"], versions: [2, 1])
        _ = try read()
        #expect(loads == 3, "a user was added: read again")
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

    /// The socket's users are kept under the log's own user stream versions, which no read model rebuild touches:
    /// while the server runs, other processes add the OS account's user, rebuild the read models (`stream-counts`,
    /// which the key used to be read from, among them), and deactivate the user; each next socket request answers
    /// what the log says.
    @Test func theSocketSeesUserEventsAndRebuildsByOtherProcesses() throws {
        let served = ServedStore()
        let me = try #require(ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? Optional(NSUserName()))
        #expect(try served.docket(["init"]).status == 0)
        try served.start()
        func whoami() throws -> (status: Int, body: String) { try served.curl("GET", "/v1/whoami", unixSocket: true) }
        if me != "ann" {
            #expect(try whoami().status == 401, "no user \(me) yet")
            #expect(try served.docket(["user", "add", me, "--name", me, "--email", "me@msp.example", "--role", "tech"]).status == 0)
        }
        #expect(try whoami().body.contains(#""login":"\#(me)""#), "a user added by another process is seen on the next request")
        for model in ["stream-counts", ""] {
            #expect(try served.docket(["rebuild"] + (model.isEmpty ? [] : [model])).status == 0)
            #expect(try whoami().status == 200, "a rebuild (\(model.isEmpty ? "all" : model)) changes no identity")
        }
        if me != "ann" {
            #expect(try served.docket(["user", "deactivate", me]).status == 0)
            #expect(try whoami().status == 401, "deactivated by another process: refused on the next request")
            #expect(try served.docket(["rebuild", "stream-counts"]).status == 0)
            #expect(try whoami().status == 401, "still refused after a rebuild")
        }
        #expect(served.stop() == 0)
    }
}
