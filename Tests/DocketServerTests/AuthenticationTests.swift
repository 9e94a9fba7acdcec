import Foundation
import TestSupport
import Testing

/// Who may do what through the server, with a real HTTP client (curl) on loopback and the real Unix socket.
@Suite(.serialized) struct AuthenticationTests {
    static let t0 = "2026-11-02T09:00:00Z"
    static let later = "2026-11-05T09:00:00Z"

    /// A store with ann (admin), bob and tia (techs), dan (deactivated after his token was made), client acme,
    /// and tokens: ann's, bob's, tia's (revoked), eve's (1 day, expired by `later`), dan's.
    func setUp(_ served: ServedStore) throws -> [String: String] {
        let env = ["DOCKET_NOW": Self.t0]
        #expect(try served.docket(["init"], environment: env).status == 0)
        for login in ["bob", "tia", "dan", "eve"] {
            let run = try served.docket(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", "tech"], environment: env)
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"], environment: env).status == 0)
        var tokens: [String: String] = [:]
        for (login, extra) in [("ann", []), ("bob", []), ("tia", []), ("dan", []), ("eve", ["--expires", "1d"])] {
            let run = try served.docket(["token", "create", "--user", login, "--name", "t"] + extra, environment: env)
            #expect(run.status == 0, "\(run.stderr)")
            tokens[login] = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let tiaId = tokens["tia"]!.split(separator: "_")[1]
        #expect(try served.docket(["token", "revoke", String(tiaId)], environment: env).status == 0)
        #expect(try served.docket(["user", "deactivate", "dan"], environment: env).status == 0)
        return tokens
    }

    @Test func refusedCallersGet401Or403AndWriteNothing() throws {
        let served = ServedStore()
        let tokens = try setUp(served)
        let before = try served.eventCount()
        try served.start(environment: ["DOCKET_NOW": Self.later], socket: false)
        let open = #"{"client":"acme","subject":"Printer jam"}"#
        let cases: [(String, String?, Int)] = [
            ("no token", nil, 401), ("bad token", "dkt_000000000000_" + String(repeating: "0", count: 64), 401),
            ("malformed token", "hello", 401), ("revoked token", tokens["tia"], 401), ("expired token", tokens["eve"], 401),
            ("deactivated user", tokens["dan"], 401),
        ]
        for (label, token, status) in cases {
            let reply = try served.curl("POST", "/v1/tickets", token: token, json: open)
            #expect(reply.status == status, "\(label): \(reply.body)")
            let problem = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
            #expect(problem?["type"] as? String == "urn:docket:problem:unauthenticated", "\(label)")
            let cli = try served.curl("POST", "/v1/cli", token: token, json: #"{"arguments":["ticket","open","--client","acme","--subject","x"]}"#)
            #expect(cli.status == status, "\(label) on /v1/cli")
        }
        // Wrong role: a tech may not add users, through the CLI endpoint or any other.
        let forbidden = try served.curl(
            "POST", "/v1/cli", token: tokens["bob"],
            json: #"{"arguments":["user","add","mal","--name","Mal","--email","m@x.example","--role","admin"]}"#)
        #expect(forbidden.status == 403, "\(forbidden.body)")
        let outcome = try JSONSerialization.jsonObject(with: Data(forbidden.body.utf8)) as? [String: Any]
        #expect(outcome?["status"] as? Int == 5)
        // --as through the server is refused: the token decides who acts.
        let impersonation = try served.curl(
            "POST", "/v1/cli", token: tokens["bob"], json: #"{"arguments":["ticket","open","--client","acme","--subject","x","--as","ann"]}"#)
        #expect(impersonation.status == 400, "\(impersonation.body)")
        #expect(served.stop() == 0)
        #expect(try served.eventCount() == before, "nothing was written")
    }

    @Test func aGoodTokenActsAsItsUser() throws {
        let served = ServedStore()
        let tokens = try setUp(served)
        try served.start(environment: ["DOCKET_NOW": Self.later], socket: false)
        let who = try served.curl("GET", "/v1/whoami", token: tokens["bob"])
        #expect(who.status == 200)
        #expect(who.body.contains(#""login":"bob""#))
        let open = try served.curl("POST", "/v1/tickets", token: tokens["bob"], json: #"{"client":"acme","subject":"Printer jam"}"#)
        #expect(open.status == 201, "\(open.body)")
        #expect(open.body == #"{"result":"T-1001"}"#)
        let show = try served.curl("GET", "/v1/tickets/T-1001", token: tokens["ann"])
        #expect(show.status == 200, "\(show.body)")
        let ticket = try #require(try JSONSerialization.jsonObject(with: Data(show.body.utf8)) as? [String: Any])
        let history = try #require(ticket["history"] as? [[String: Any]])
        #expect(history.first?["actor"] as? String == "bob")
        #expect(served.stop() == 0)
        // Each token's last use is kept beside the log (not as events) and shown by token list.
        let list = try served.docket(["token", "list", "--json"], environment: ["DOCKET_NOW": Self.later])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let lastUsed = Dictionary(uniqueKeysWithValues: rows.map { ($0["user"] as? String ?? "", $0["lastUsedAt"] as? String) })
        #expect(lastUsed["bob"] == "2026-11-05T09:00:00.000Z" || lastUsed["bob"] == "2026-11-05T09:00:00Z", "\(rows)")
        #expect(lastUsed["ann"] != nil)
        #expect(lastUsed["eve"] == .some(nil), "never used")
    }

    @Test func theUnixSocketIdentifiesTheCallersOSAccount() throws {
        let served = ServedStore()
        _ = try setUp(served)
        let me = try #require(ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? Optional(NSUserName()))
        try served.start(environment: ["DOCKET_NOW": Self.later])
        let unknown = try served.curl("GET", "/v1/whoami", unixSocket: true)
        #expect(unknown.status == 401, "OS user \(me) is not a Docket user yet: \(unknown.body)")
        #expect(served.stop() == 0)
        #expect(try served.docket(["user", "add", me, "--name", "Me", "--email", "me@msp.example", "--role", "tech"], environment: ["DOCKET_NOW": Self.t0]).status == 0)
        try served.start(environment: ["DOCKET_NOW": Self.later])
        let known = try served.curl("GET", "/v1/whoami", unixSocket: true)
        #expect(known.status == 200, "\(known.body)")
        #expect(known.body.contains(#""login":"\#(me)""#))
        #expect(known.body.contains("uid \(getuid())"))
        // The CLI as a client of the socket: the event's actor is the OS account, whatever $DOCKET_USER says.
        let run = try DocketProcess.runEmbedded(
            ["ticket", "open", "--client", "acme", "--subject", "Via socket"], store: served.store,
            environment: ["DOCKET_SERVER": served.socket, "DOCKET_USER": "ann"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "T-1001\n")
        let show = try served.curl("GET", "/v1/tickets/T-1001", unixSocket: true)
        #expect(show.body.contains(#""actor":"\#(me)""#), "\(show.body)")
        #expect(served.stop() == 0)
    }
}
