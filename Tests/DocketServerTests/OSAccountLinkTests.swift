import Foundation
import TestSupport
import Testing

/// `docket user link-os`: the uid an admin linked identifies the caller on the real Unix socket, before the OS
/// login name; a linked user is not reachable by name from another uid.
@Suite(.serialized) struct OSAccountLinkTests {
    @Test func aLinkedUidActsAsItsUserOnTheSocket() throws {
        let served = ServedStore()
        let tokens = try AuthenticationTests().setUp(served)
        let me = try #require(osLoginName(uid: getuid()), "the test's OS account has a name")
        let uid = String(getuid())
        #expect(try served.docket(["user", "add", me, "--name", "Me", "--email", "me@msp.example", "--role", "tech"], environment: ["DOCKET_NOW": AuthenticationTests.t0]).status == 0)
        try served.start(environment: ["DOCKET_NOW": AuthenticationTests.later])
        func whoami() throws -> (status: Int, body: String) { try served.curl("GET", "/v1/whoami", unixSocket: true) }
        func cli(_ arguments: [String], as login: String) throws -> (status: Int, body: String) {
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["arguments": arguments]), as: UTF8.self)
            return try served.curl("POST", "/v1/cli", token: tokens[login], json: body)
        }
        #expect(try whoami().body.contains(#""login":"\#(me)""#), "no link yet: the OS login name maps")

        let link = try cli(["user", "link-os", "bob", "--uid", uid], as: "ann")
        #expect(link.status == 200, "\(link.body)")
        let asBob = try whoami()
        #expect(asBob.status == 200 && asBob.body.contains(#""login":"bob""#) && asBob.body.contains("uid \(uid)"), "\(asBob.body)")

        let taken = try cli(["user", "link-os", "tia", "--uid", uid], as: "ann")
        #expect(taken.status == 409, "\(taken.body)")
        #expect(taken.body.contains("linked to user bob"), "\(taken.body)")
        let notAdmin = try cli(["user", "link-os", "tia", "--uid", "4242"], as: "bob")
        #expect(notAdmin.status == 403, "\(notAdmin.body)")

        // A user linked to another uid is not reached by their name; with no link to this uid, it gets 401.
        #expect(try cli(["user", "link-os", me, "--uid", "4242"], as: "ann").status == 200)
        #expect(try cli(["user", "unlink-os", "bob"], as: "ann").status == 200)
        let refused = try whoami()
        #expect(refused.status == 401, "\(refused.body)")
        #expect(refused.body.contains("linked to uid 4242"), "\(refused.body)")
        #expect(try cli(["user", "unlink-os", me], as: "ann").status == 200)
        #expect(try whoami().body.contains(#""login":"\#(me)""#), "unlinked: the name maps again")
        #expect(served.stop() == 0)

        let show = try served.docket(["user", "show", "bob", "--json"])
        #expect(!show.stdout.contains("osUid"), "bob was unlinked: \(show.stdout)")
        #expect(try served.docket(["user", "link-os", "tia", "--uid", "77"]).status == 0)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try served.docket(["user", "show", "tia", "--json"]).stdout.utf8)) as? [String: Any])
        #expect(shown["osUid"] as? Int == 77)
        let list = try served.docket(["user", "list"], environment: ["DOCKET_NOW": AuthenticationTests.later])
        #expect(list.stdout.contains("OS UID") && list.stdout.contains("77"), "\(list.stdout)")
        let refusedUid = try served.docket(["user", "link-os", "tia", "--uid", "-1"])
        #expect(refusedUid.status == 64, "\(refusedUid.stderr)")
    }
}

/// The OS account name of `uid`, as the server looks it up.
private func osLoginName(uid: uid_t) -> String? {
    guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return nil }
    return String(cString: name)
}
