@testable import DocketServer
import Foundation
import TestSupport
import Testing

/// The JSON resources through a real server and client: writes with Idempotency-Key, reads with RFC 3339 times,
/// pages, problem+json errors with the CLI's exit codes; and the operations endpoints.
@Suite(.serialized) struct ResourceAPITests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// ann (admin), bob (tech), client acme; the server running; returns (ann's token, bob's token).
    func setUp(_ served: ServedStore) throws -> (String, String) {
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        let ann = try served.docket(["token", "create", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let bob = try served.docket(["token", "create", "--user", "bob", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start(socket: false)
        return (ann, bob)
    }

    /// `POST /v1/cli` takes `Idempotency-Key` as the command's `--command-id`, as the other write routes do. It was
    /// not read there: a client retrying a POST that timed out opened a second ticket (or logged the time twice).
    @Test func theCommandLineRouteTakesIdempotencyKeyAsTheCommandId() throws {
        let served = ServedStore()
        let (_, bob) = try setUp(served)
        let open = #"{"arguments":["ticket","open","--client","acme","--subject","VPN down","--priority","P2"]}"#
        for _ in 1...2 {
            let run = try served.curl("POST", "/v1/cli", token: bob, json: open, headers: ["Idempotency-Key: cli-1"])
            #expect(run.status == 200, "\(run.body)")
            #expect(try json(run.body)["stdout"] as? String == "T-1001\n")
        }
        // The id typed in the arguments too is the same request; another command under it is refused, as are two ids.
        let typed = try served.curl(
            "POST", "/v1/cli", token: bob,
            json: #"{"arguments":["ticket","open","--client","acme","--subject","VPN down","--priority","P2","--command-id","cli-1"]}"#,
            headers: ["Idempotency-Key: cli-1"])
        #expect(try json(typed.body)["stdout"] as? String == "T-1001\n", "\(typed.body)")
        let other = try served.curl(
            "POST", "/v1/cli", token: bob, json: #"{"arguments":["ticket","open","--client","acme","--subject","Printer"]}"#,
            headers: ["Idempotency-Key: cli-1"])
        #expect(other.status == 422, "\(other.body)")
        let twoIds = try served.curl(
            "POST", "/v1/cli", token: bob,
            json: #"{"arguments":["ticket","open","--client","acme","--subject","Printer","--command-id=cli-2"]}"#,
            headers: ["Idempotency-Key: cli-1"])
        #expect(twoIds.status == 400, "\(twoIds.body)")
        #expect(try json(twoIds.body)["detail"] as? String == "Idempotency-Key cli-1 and --command-id cli-2 differ; give the command one id")
        let tickets = try served.curl("GET", "/v1/tickets", token: bob)
        #expect((try json(tickets.body)["items"] as? [[String: Any]])?.count == 1, "\(tickets.body)")
    }

    /// A read through `POST /v1/cli` with `Idempotency-Key` is served, the key ignored (a read writes nothing, so a
    /// retry is safe without one, as the GET routes ignore the header). The key was made the command's `--command-id`
    /// whatever the command: a read has none, and answered 400 "Unknown option '--command-id'".
    @Test func aReadThroughTheCommandLineRouteIgnoresIdempotencyKey() throws {
        let served = ServedStore()
        let (_, bob) = try setUp(served)
        let open = #"{"arguments":["ticket","open","--client","acme","--subject","VPN down","--priority","P2"]}"#
        #expect(try served.curl("POST", "/v1/cli", token: bob, json: open).status == 200)
        let events = try served.eventCount()
        for arguments in [#"["ticket","show","T-1001","--json"]"#, #"["queue","--json"]"#, #"["ticket","list"]"#] {
            let bare = try served.curl("POST", "/v1/cli", token: bob, json: #"{"arguments":\#(arguments)}"#)
            for _ in 1...2 {
                let keyed = try served.curl("POST", "/v1/cli", token: bob, json: #"{"arguments":\#(arguments)}"#, headers: ["Idempotency-Key: read-1"])
                #expect(keyed.status == 200, "\(keyed.body)")
                #expect(try json(keyed.body)["stdout"] as? String == json(bare.body)["stdout"] as? String)
                #expect((try json(keyed.body)["stdout"] as? String ?? "").contains("VPN down"), "\(keyed.body)")
            }
        }
        // Nothing was written, and the key is still free for a write.
        #expect(try served.eventCount() == events)
        let comment = #"{"arguments":["ticket","comment","T-1001","On it"]}"#
        #expect(try served.curl("POST", "/v1/cli", token: bob, json: comment, headers: ["Idempotency-Key: read-1"]).status == 200)
        // A malformed key is still refused, read or not.
        let bad = try served.curl("POST", "/v1/cli", token: bob, json: #"{"arguments":["queue"]}"#, headers: ["Idempotency-Key: mail:x"])
        #expect(bad.status == 400, "\(bad.body)")
    }

    /// Every row of `ticket list --json`, `queue --json`, `GET /v1/queue` and `GET /v1/tickets` carries the ticket's
    /// version, the one `ticket show` prints, so a tech can pass `--expect-version` (or `If-Match`) from a list. The
    /// rows had none: the version was only in `ticket show`. Mail queued on the ticket (its acknowledgement, a public
    /// reply's copy) counts as `ticket show` counts it.
    @Test func listRowsCarryTheVersionTicketShowPrints() throws {
        let served = ServedStore()
        let (_, bob) = try setUp(served)
        #expect(try served.docket(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"]).status == 0)
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "VPN down"], as: "bob").status == 0)
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--subject", "Printer"], as: "bob").status == 0)
        #expect(try served.docket(["ticket", "comment", "T-1001", "Looking at it"], as: "bob").status == 0)
        #expect(try served.docket(["ticket", "assign", "T-1002", "--to", "bob"], as: "bob").status == 0)
        func shown(_ number: String) throws -> Int {
            try #require(try json(served.docket(["ticket", "show", number, "--json"]).stdout)["version"] as? Int)
        }
        func versions(_ rows: [[String: Any]]) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["number"] as? String).map { ($0, row["version"] as? Int ?? -1) } })
        }
        func rows(_ text: String) throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        }
        let expected = ["T-1001": try shown("T-1001"), "T-1002": try shown("T-1002")]
        #expect(expected["T-1001"] != expected["T-1002"], "the comment and its mail moved T-1001 further")
        #expect(versions(try rows(served.docket(["ticket", "list", "--json"]).stdout)) == expected)
        #expect(versions(try rows(served.docket(["queue", "--json"]).stdout)) == expected)
        for path in ["/v1/queue", "/v1/tickets"] {
            let page = try served.curl("GET", path, token: bob)
            #expect(page.status == 200, "\(page.body)")
            #expect(versions(try #require(try json(page.body)["items"] as? [[String: Any]])) == expected, "\(path)")
        }
        // The row's version is the one a write expects: accepted now, refused once the ticket moved on.
        let version = try #require(expected["T-1001"])
        #expect(try served.docket(["ticket", "comment", "T-1001", "Fixed", "--expect-version", "\(version)"], as: "bob").status == 0)
        #expect(try served.docket(["ticket", "comment", "T-1001", "Again", "--expect-version", "\(version)"], as: "bob").status == 3)
        #expect(versions(try rows(served.docket(["queue", "--json"]).stdout))["T-1001"] == (try shown("T-1001")))
    }

    /// Paging through the queue while the team works it: a page's cursor was the offset of the next page's first item,
    /// so a P1 ticket opened between two pages pushed the items down (the next page began with the last one already
    /// shown) and tickets closed from an earlier page pulled them up (the next page skipped as many). A cursor now names
    /// where the page ended: the next page starts right after that item (or after the one before it, if it left).
    @Test func pagesOfTheQueueNeitherSkipNorRepeatWhileItChanges() throws {
        let served = ServedStore()
        let (ann, bob) = try setUp(served)
        for index in 1...10 {
            let open = try served.curl("POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"Ticket \#(index)","priority":"P3"}"#)
            #expect(open.status == 201, "\(open.body)")
        }
        func page(_ cursor: String?) throws -> (numbers: [String], next: String?) {
            let run = try served.curl("GET", "/v1/queue?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: ann)
            #expect(run.status == 200, "\(run.body)")
            let object = try json(run.body)
            let items = try #require(object["items"] as? [[String: Any]])
            return (items.compactMap { $0["number"] as? String }, object["nextCursor"] as? String)
        }
        func close(_ number: String) throws {
            let run = try served.curl("POST", "/v1/tickets/\(number)/close", token: bob, json: #"{"resolution":"done","noTime":true,"reason":"test"}"#)
            #expect(run.status == 200, "\(run.body)")
        }
        let first = try page(nil)
        #expect(first.numbers == ["T-1001", "T-1002", "T-1003"])
        // A P1 opened: it goes first, before this page.
        #expect(try served.curl("POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"Down","priority":"P1"}"#).status == 201)
        let second = try page(first.next)
        #expect(second.numbers == ["T-1004", "T-1005", "T-1006"])
        // Two tickets of the first page closed, and the last one of this page.
        for number in ["T-1001", "T-1002", "T-1006"] { try close(number) }
        let third = try page(second.next)
        #expect(third.numbers == ["T-1007", "T-1008", "T-1009"])
        let fourth = try page(third.next)
        #expect(fourth.numbers == ["T-1010"])
        #expect(fourth.next == nil)
        // A cursor this API did not give is refused; an offset (what cursors were) still reads from there.
        #expect(try served.curl("GET", "/v1/queue?limit=3&cursor=c%21%21", token: ann).status == 400)
        // The queue holds open tickets: a closed status is refused, naming the list that has them (it was an empty page).
        let closedQueue = try served.curl("GET", "/v1/queue?status=closed", token: ann)
        #expect(closedQueue.status == 400, "\(closedQueue.body)")
        #expect(closedQueue.body.contains(#"never closed ones; list those with GET \/v1\/tickets?status=closed"#), "\(closedQueue.body)")
        #expect(try served.curl("GET", "/v1/tickets?status=closed", token: ann).status == 200)
        #expect(try page("1").numbers == ["T-1003", "T-1004", "T-1005"])
        // Every item the cursor names left the list: where to go on is not known, so the answer says to start again.
        let again = try page(nil)
        #expect(again.numbers == ["T-1011", "T-1003", "T-1004"])
        for number in again.numbers { try close(number) }
        let lost = try served.curl("GET", "/v1/queue?limit=3&cursor=\(try #require(again.next))", token: ann)
        #expect(lost.status == 409, "\(lost.body)")
        #expect((try json(lost.body)["detail"] as? String)?.contains("start again from the first page") == true, "\(lost.body)")
    }

    /// A body field a route does not read is refused, naming it and the fields there are: a misspelt `non_billable`
    /// was dropped without a word, and the hour was logged (and billed) as billable remote work.
    @Test func aBodyFieldTheRouteDoesNotReadIsRefused() throws {
        let served = ServedStore()
        let (_, bob) = try setUp(served)
        #expect(try served.curl("POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"VPN down"}"#).status == 201)
        let typo = try served.curl(
            "POST", "/v1/time", token: bob, json: #"{"ticket":"T-1001","duration":"1h","work_type":"onsite","non_billable":true}"#)
        #expect(typo.status == 400, "\(typo.body)")
        #expect(try json(typo.body)["detail"] as? String == "unknown field non_billable; the fields are at, duration, for, nonBillable, note, ticket, workType")
        let misspelt = try served.curl("POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"Printer","prioirty":"P1"}"#)
        #expect(misspelt.status == 400, "\(misspelt.body)")
        let entries = try served.curl("GET", "/v1/time", token: bob)
        #expect((try json(entries.body)["items"] as? [Any])?.isEmpty == true, "nothing logged: \(entries.body)")
        let tickets = try served.curl("GET", "/v1/tickets", token: bob)
        #expect((try json(tickets.body)["items"] as? [Any])?.count == 1, "nothing opened: \(tickets.body)")
        let logged = try served.curl(
            "POST", "/v1/time", token: bob, json: #"{"ticket":"T-1001","duration":"1h","workType":"onsite","nonBillable":true}"#)
        #expect(logged.status == 201, "\(logged.body)")
    }

    @Test func writesReadsPagesAndProblems() throws {
        let served = ServedStore()
        let (ann, bob) = try setUp(served)
        for n in 1...5 {
            let open = try served.curl(
                "POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"Ticket \#(n)","priority":"P2"}"#,
                headers: ["Idempotency-Key: open-\(n)"])
            #expect(open.status == 201, "\(open.body)")
            #expect(try json(open.body)["result"] as? String == "T-\(1000 + n)")
        }
        // The same key again opens nothing new and answers with the same ticket.
        let again = try served.curl(
            "POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"Ticket 1","priority":"P2"}"#, headers: ["Idempotency-Key: open-1"])
        #expect(try json(again.body)["result"] as? String == "T-1001")
        // A key is one user's: ann sending bob's key is refused, not handed bob's ticket; Docket's own forms are refused.
        let theirs = try served.curl(
            "POST", "/v1/tickets", token: ann, json: #"{"client":"acme","subject":"Server down","priority":"P1"}"#, headers: ["Idempotency-Key: open-1"])
        #expect(theirs.status == 422, "\(theirs.body)")
        #expect(try json(theirs.body)["detail"] as? String == "command id open-1 was already used by another user; use a new command id")
        // A key is one request's: bob's key sent again with another body is refused (Stripe's rule), not answered T-1001.
        let otherBody = try served.curl(
            "POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"Another ticket","priority":"P2"}"#, headers: ["Idempotency-Key: open-1"])
        #expect(otherBody.status == 422, "\(otherBody.body)")
        #expect((try json(otherBody.body)["detail"] as? String)?.hasPrefix("command id open-1 was already used for another command") == true)
        let reserved = try served.curl(
            "POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"x","priority":"P2"}"#, headers: ["Idempotency-Key: mail:urgent-1@acme.example"])
        #expect(reserved.status == 400, "\(reserved.body)")
        #expect((try json(reserved.body)["detail"] as? String)?.contains("which Docket keeps for the mail it takes and sends") == true)
        // Pages of two, with times as RFC 3339 strings.
        var cursor: String? = "0"
        var seen: [String] = []
        while let next = cursor {
            let page = try served.curl("GET", "/v1/tickets?limit=2&cursor=\(next)", token: ann)
            #expect(page.status == 200, "\(page.body)")
            let object = try json(page.body)
            let items = try #require(object["items"] as? [[String: Any]])
            #expect(items.count <= 2)
            for item in items {
                seen.append(item["number"] as? String ?? "?")
                let opened = try #require(item["openedAt"] as? String, "openedAt is a string: \(item)")
                #expect(opened.hasSuffix("Z") && opened.contains("T"), "RFC 3339: \(opened)")
            }
            cursor = object["nextCursor"] as? String
        }
        #expect(seen == (1001...1005).reversed().map { "T-\($0)" }, "the newest first")
        let oldest = try served.curl("GET", "/v1/tickets?limit=2&order=oldest", token: ann)
        #expect(((try json(oldest.body)["items"] as? [[String: Any]]) ?? []).compactMap { $0["number"] as? String } == ["T-1001", "T-1002"], "\(oldest.body)")
        // Comment, assign, status, close.
        #expect(try served.curl("POST", "/v1/tickets/T-1001/comments", token: bob, json: #"{"text":"On it","internal":true}"#).status == 201)
        #expect(try served.curl("POST", "/v1/tickets/T-1001/assign", token: ann, json: #"{"to":"bob"}"#).status == 200)
        #expect(try served.curl("POST", "/v1/tickets/T-1001/status", token: bob, json: #"{"status":"in-progress"}"#).status == 200)
        let close = try served.curl(
            "POST", "/v1/tickets/T-1001/close", token: bob, json: #"{"resolution":"Fixed","time":"30m"}"#)
        #expect(close.status == 200, "\(close.body)")
        let time = try served.curl("GET", "/v1/time?ticket=T-1001", token: ann)
        #expect(time.status == 200, "\(time.body)")
        #expect((try json(time.body)["items"] as? [Any])?.count == 1)
        let queue = try served.curl("GET", "/v1/queue?mine=true", token: bob)
        #expect(queue.status == 200, "\(queue.body)")
        #expect(((try json(queue.body)["items"] as? [[String: Any]]) ?? []).allSatisfy { ($0["number"] as? String) != "T-1001" }, "closed: off the queue")
        // Errors: problem+json with the CLI's exit code.
        let cases: [(String, String, String?, Int, Int)] = [
            ("GET", "/v1/tickets/T-9999", nil, 404, 4),
            ("GET", "/v1/tickets?client=ghost", nil, 404, 4),
            ("GET", "/v1/queue?assignee=ghost", nil, 404, 4),
            ("GET", "/v1/time?ticket=T-9999", nil, 404, 4),
            ("GET", "/v1/time?tech=ghost", nil, 404, 4),
            ("GET", "/v1/sla?client=ghost", nil, 404, 4),
            ("GET", "/v1/tickets/X-1", nil, 400, 64),
            ("POST", "/v1/tickets/T-1001/comments", #"{"text":"again"}"#, 409, 6),
            ("POST", "/v1/tickets", #"{"subject":"no client"}"#, 400, 64),
            ("POST", "/v1/tickets", #"{"client":"acme","subject":"x","priority":"P9"}"#, 400, 64),
            ("GET", "/v1/tickets?limit=0", nil, 400, 64),
            ("GET", "/v1/tickets?order=up", nil, 400, 64),
        ]
        for (method, path, body, status, exitCode) in cases {
            let reply = try served.curl(method, path, token: bob, json: body)
            #expect(reply.status == status, "\(method) \(path): \(reply.body)")
            #expect(try json(reply.body)["exitCode"] as? Int == exitCode, "\(method) \(path): \(reply.body)")
        }
        #expect(served.stop() == 0)
    }

    @Test func healthReadinessMetricsRequestIdsAndAGracefulStop() throws {
        let served = ServedStore()
        let (ann, _) = try setUp(served)
        #expect(try served.curl("GET", "/healthz").status == 200)
        #expect(try served.curl("GET", "/readyz").status == 200)
        #expect(try served.curl("POST", "/v1/tickets", token: ann, json: #"{"client":"acme","subject":"One"}"#).status == 201)
        _ = try served.curl("GET", "/v1/tickets/T-4040", token: ann)
        let metrics = try served.curl("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"docket_commands_total{command="ticket open",outcome="ok"} 1"#), "\(metrics.body)")
        #expect(metrics.body.contains(#"docket_commands_total{command="ticket show",outcome="not-found"} 1"#), "\(metrics.body)")
        #expect(metrics.body.contains("docket_command_duration_seconds_bucket"))
        #expect(metrics.body.contains("docket_log_head_position"))
        #expect(metrics.body.contains("# HELP docket_commands_total Commands finished, by command and outcome."), "\(metrics.body)")
        #expect(metrics.body.contains(#"docket_projection_lag_events{model="queue"} 0"#), "\(metrics.body)")
        #expect(metrics.body.contains("docket_lmdb_open_readers 0"), "an idle server holds no reader: \(metrics.body)")
        let headers = try ServedStore.run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", served.address + "/healthz"])
        #expect(headers.lowercased().contains("x-request-id: "), "\(headers)")
        // SIGTERM: the server drains, closes the store and removes its socket; exit 0.
        #expect(served.stop() == 0)
        try served.start(socket: true)
        #expect(FileManager.default.fileExists(atPath: served.socket))
        #expect(served.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: served.socket), "the socket is removed on a graceful stop")
    }

    /// The billing dates (2000 through 2199) are the deciders' rule, not only the CLI's: time dated 1999 through the
    /// HTTP API is refused as `docket time log --at` refuses it (exit 65), and nothing is written.
    @Test func timeDatedBeforeTheBillingDatesIsRefusedThroughHTTPAsByTheCLI() throws {
        let served = ServedStore()
        let (_, bob) = try setUp(served)
        #expect(try served.curl("POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"Old work"}"#).status == 201)
        let old = try served.curl("POST", "/v1/time", token: bob, json: #"{"ticket":"T-1001","duration":"30m","at":"1999-12-31T10:00:00Z"}"#)
        #expect(old.status == 422, "\(old.body)")
        #expect(try json(old.body)["exitCode"] as? Int == 65, "\(old.body)")
        #expect(
            (try json(old.body)["detail"] as? String)?.contains(
                "the work's start 1999-12-31T10:00:00.000Z is out of range: billing dates run from 2000-01-01 to 2199-12-31 (UTC)") == true,
            "\(old.body)")
        let time = try served.curl("GET", "/v1/time?ticket=T-1001", token: bob)
        #expect((try json(time.body)["items"] as? [Any])?.isEmpty == true, "nothing written: \(time.body)")
        #expect(served.stop() == 0)
    }

    @Test func everyResourceHasAServiceHandlerAndACommandName() {
        #expect(ResourceRoute.all.count == 26)
        for route in ResourceRoute.all {
            #expect(!route.commandName.isEmpty, "\(route.path)")
            #expect(route.isRead == (route.method == .get), "\(route.path)")
        }
    }

    /// A ticket's JSON carries its version and its `ETag`; the writes on a ticket honour `If-Match`: a stale one is a 412
    /// problem (exit code 3) naming the version now, and nothing is written; `POST /v1/tickets/{number}/take` assigns
    /// the ticket to the caller unless another user has it (409 naming them).
    @Test func aTicketsETagGuardsItsWritesAndATakeRefusesAnotherUsersTicket() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        #expect(try served.docket(["user", "add", "tia", "--name", "Tia", "--email", "tia@msp.example", "--role", "tech"]).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        let bob = try served.docket(["token", "create", "--user", "bob", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tia = try served.docket(["token", "create", "--user", "tia", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start(socket: false)
        #expect(try served.curl("POST", "/v1/tickets", token: bob, json: #"{"client":"acme","subject":"VPN down"}"#).status == 201)
        func tag() throws -> (etag: String, version: Int) {
            let headers = try ServedStore.run(
                "/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", "-H", "Authorization: Bearer \(bob)", served.address + "/v1/tickets/T-1001"])
            let line = try #require(headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }, "\(headers)")
            let body = try json(try served.curl("GET", "/v1/tickets/T-1001", token: bob).body)
            return (String(line.dropFirst("etag:".count)).trimmingCharacters(in: .whitespaces), try #require(body["version"] as? Int))
        }
        let seen = try tag()
        #expect(seen.etag == "\"\(seen.version)\"")
        let comment = try served.curl(
            "POST", "/v1/tickets/T-1001/comments", token: bob, json: #"{"text":"Looking"}"#, headers: ["If-Match: \(seen.etag)"])
        #expect(comment.status == 201, "\(comment.body)")
        let now = try tag()
        #expect(now.version > seen.version)
        let before = try served.eventCount()
        for (path, body) in [
            ("comments", #"{"text":"Me too"}"#), ("assign", #"{"to":"tia"}"#), ("status", #"{"status":"in-progress"}"#), ("take", "{}"),
            ("close", #"{"resolution":"done","noTime":true,"reason":"test"}"#),
        ] {
            let stale = try served.curl("POST", "/v1/tickets/T-1001/\(path)", token: tia, json: body, headers: ["If-Match: \(seen.etag)"])
            #expect(stale.status == 412, "\(path): \(stale.body)")
            let problem = try json(stale.body)
            #expect(problem["exitCode"] as? Int == 3, "\(path)")
            #expect((problem["detail"] as? String)?.hasPrefix("T-1001 is at version \(now.version), not \(seen.version)") == true, "\(path): \(stale.body)")
        }
        #expect(try served.eventCount() == before, "nothing written")
        let garbled = try served.curl("POST", "/v1/tickets/T-1001/comments", token: bob, json: #"{"text":"x"}"#, headers: ["If-Match: soon"])
        #expect(garbled.status == 400, "\(garbled.body)")
        let taken = try served.curl("POST", "/v1/tickets/T-1001/take", token: bob, json: "{}", headers: ["If-Match: \(now.etag)"])
        #expect(taken.status == 200, "\(taken.body)")
        #expect(try json(taken.body)["result"] as? String == "T-1001: assigned to bob")
        let refused = try served.curl("POST", "/v1/tickets/T-1001/take", token: tia, json: "{}")
        #expect(refused.status == 409, "\(refused.body)")
        #expect(try json(refused.body)["detail"] as? String == "T-1001 is already bob's; ask bob, or reassign it with `docket ticket assign T-1001 --to tia`")
        #expect(try json(refused.body)["exitCode"] as? Int == 3)
    }
}
