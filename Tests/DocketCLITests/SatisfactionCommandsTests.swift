import Foundation
import TestSupport
import Testing

/// `docket survey` and `docket report satisfaction` through the binary, embedded and through `docket serve`; the
/// ratings themselves are made as a contact makes them, through the portal's links (a real server on loopback).
@Suite struct SatisfactionCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    static let november = "2026-11-10T12:00:00Z"
    static let lateNovember = "2026-12-01T03:00:00Z"  // 22:00 on 30 November in New York
    static let rating = "2026-12-01T04:00:00Z"

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", at now: String = november) throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now, "TZ": "UTC"])
    }

    func expectOK(_ arguments: [String], as user: String = "ann", at now: String = november) throws {
        let run = try docket(arguments, as: user, at: now)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
    }

    func logBytes() throws -> Int {
        try DocketProcess.runEmbedded(["log", "--json", "--limit", "1000000"], store: store, environment: ["DOCKET_USER": "ann"]).stdout.utf8.count
    }

    func setUp() throws {
        for arguments in [
            ["init", "--test-clock"], ["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"],
            ["user", "add", "dora", "--name", "Dora", "--email", "dora@msp.example", "--role", "dispatcher"],
            ["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"],
            ["client", "add", "globex", "--name", "Globex", "--time-zone", "America/New_York", "--currency", "USD"],
            ["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"],
            ["client", "contact", "add", "globex", "--name", "Gus", "--email", "gus@globex.example"],
        ] {
            try expectOK(arguments)
        }
    }

    /// Dispatchers turn the survey on with the portal's URL, off, and off for one client; bad input is refused with
    /// one line and the documented exit code, nothing written; `show` reads it back (also `--json`).
    @Test(arguments: DocketMode.allCases) func theSurveyIsTurnedOnAndOffAndBadInputWritesNothing(_ mode: DocketMode) throws {
        try setUp()
        try mode.run(serverEnvironment: ["DOCKET_NOW": Self.november]) {
            #expect(try docket(["survey", "show"], as: "bob").stdout.hasPrefix("the survey is off"))
            _ = try docket(["survey", "show"], as: "dora")  // served: dora's token is made before counting
            let before = try logBytes()
            let refusals: [([String], String, Int32, String)] = [
                (["survey", "on"], "dora", 65, "--portal-url"),
                (["survey", "on", "--portal-url", "support.msp.example"], "dora", 65, "not a portal URL"),
                (["survey", "on", "--portal-url", "https://support.msp.example/?a=1"], "dora", 65, "not a portal URL"),
                (["survey", "on", "--portal-url", "https://support.msp.example"], "bob", 5, "role tech cannot set the satisfaction survey"),
                (["survey", "off", "--client", "nope"], "dora", 4, "unknown client nope"),
                (["survey", "on", "--client", "acme", "--portal-url", "https://x.example"], "dora", 65, "without --client"),
            ]
            for (arguments, user, status, message) in refusals {
                let run = try docket(arguments, as: user)
                #expect(run.status == status && run.stderr.contains(message), "\(arguments): \(run.status) \(run.stderr)")
                #expect(run.stderr.split(separator: "\n").count == 1, "one line: \(run.stderr)")
            }
            #expect(try logBytes() == before, "nothing written")
            let on = try docket(["survey", "on", "--portal-url", "https://support.msp.example/portal/"], as: "dora")
            #expect(on.status == 0 && on.stdout == "survey on: links start with https://support.msp.example/portal/rate/\n", "\(on.stdout)\(on.stderr)")
            #expect(try docket(["survey", "on"], as: "dora").stdout.contains("nothing to change"))
            // A close in this mode (the server's own process, served) writes the links into the resolution mail.
            try expectOK(["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "Printer"])
            try expectOK(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "remote"], as: "bob")
            #expect(try linkToken("T-1001").hasPrefix("T-1001.1."))
            #expect(try docket(["survey", "off", "--client", "globex"], as: "dora").stdout == "the survey for client globex off\n")
            let shown = try docket(["survey", "show", "--json"], as: "bob").stdout
            #expect(shown.contains(#""on" : true"#) && shown.contains(#""portalURL" : "https://support.msp.example""#) && shown.contains(#""globex""#), "\(shown)")
            #expect(try docket(["survey", "off"], as: "dora").stdout == "the survey off\n")
            #expect(try docket(["survey", "show"], as: "bob").stdout.contains("clients that opted out: globex"))
            let back = try docket(["survey", "on", "--client", "globex"], as: "dora").stdout
            #expect(back == "client globex gets the survey links again once the survey is on (it is off for everyone: `docket survey on`)\n", "\(back)")
            #expect(!(try docket(["survey", "show"], as: "bob").stdout.contains("opted out")))
        }
    }

    /// The path of the `rating` link (without the rating) in the last resolution mail of `ticket`.
    func linkToken(_ ticket: String) throws -> String {
        let list = try DocketProcess.runEmbedded(["outbox", "list", "--json"], store: store, environment: ["DOCKET_USER": "ann"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let row = try #require(rows.last { ($0["reason"] as? String) == "resolution" && ($0["ticket"] as? String) == ticket })
        let message = try DocketProcess.runEmbedded(
            ["outbox", "show", try #require(row["messageId"] as? String)], store: store, environment: ["DOCKET_USER": "ann"]
        ).stdout.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        let match = try #require(message.firstMatch(of: /\/portal\/rate\/(T-[0-9]+\.[0-9]+\.[0-9a-f]{64})\/good/))
        return String(match.output.1)
    }

    /// Rates through the link of `ticket`'s last resolution mail as a browser does: GET (the CSRF cookie), then POST.
    func rate(_ ticket: String, _ rating: String, on address: String) throws {
        let token = try linkToken(ticket)
        let jar = folder.child("jar-\(ticket)-\(rating)")
        func curl(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "30", "-b", jar, "-c", jar] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        #expect(try curl([address + "/portal/rate/\(token)/\(rating)"]) == "200")
        let cookies = try String(contentsOfFile: jar, encoding: .utf8)
        let csrf = try #require(cookies.split(separator: "\n").first { $0.contains("docket_csrf") }?.split(separator: "\t").last)
        let posted = try curl(["-X", "POST", "--data-urlencode", "csrf=\(csrf)", "--data-urlencode", "rating=\(rating)", address + "/portal/rate/\(token)"])
        #expect(posted == "200", "\(ticket) \(rating)")
    }

    /// Closes in November (a ticket closed twice counts twice; globex's close at 22:00 on 30 November in New York is
    /// November's, acme's at the same instant is December's in UTC) and the ratings in force of them (a second rating
    /// replaces the first; the one after the window's end still counts), by client, tech and month; `--as-of` before
    /// the ratings has none; CSV and JSON; bad options refused.
    @Test(arguments: DocketMode.allCases) func theReportCountsClosesAndTheRatingsInForce(_ mode: DocketMode) throws {
        try setUp()
        try expectOK(["survey", "on", "--portal-url", "https://support.msp.example"], as: "dora")
        for (client, contact) in [("acme", "acme-1"), ("acme", "acme-1"), ("acme", "acme-1"), ("acme", "acme-1"), ("globex", "globex-1"), ("acme", "acme-1")] {
            try expectOK(["ticket", "open", "--client", client, "--contact", contact, "--subject", "Printer"])
        }
        let close = { (ticket: String) in ["ticket", "close", ticket, "--resolution", "done", "--no-time", "--reason", "remote"] }
        try expectOK(close("T-1001"), as: "bob")
        try expectOK(close("T-1002"), as: "dora")
        try expectOK(close("T-1003"), as: "bob")
        try expectOK(close("T-1004"), as: "bob")
        try expectOK(["ticket", "reopen", "T-1004"], as: "bob")
        try expectOK(close("T-1004"), as: "bob")
        try expectOK(close("T-1005"), as: "bob", at: Self.lateNovember)
        try expectOK(close("T-1006"), as: "bob", at: Self.lateNovember)
        let portal = ServerScope(serverEnvironment: ["DOCKET_NOW": Self.rating])
        let address = try portal.server(for: store).address
        for (ticket, rating) in [("T-1001", "good"), ("T-1002", "bad"), ("T-1002", "okay"), ("T-1003", "bad"), ("T-1004", "good"), ("T-1005", "good")] {
            try rate(ticket, rating, on: address)
        }
        portal.stopAll()

        try mode.run(serverEnvironment: ["DOCKET_NOW": Self.rating]) {
            let window = ["report", "satisfaction", "--from", "2026-11-01", "--to", "2026-12-01"]
            let byClient = try docket(window, as: "bob", at: Self.rating)
            #expect(byClient.status == 0, "\(byClient.stderr)")
            let rows = byClient.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(rows == [
                "CLIENT CLOSES RATED GOOD OKAY BAD RESPONSE RATE GOOD %", "acme 5 4 2 1 1 80.0% 50.0%", "globex 1 1 1 0 0 100.0% 100.0%",
            ], "\(byClient.stdout)")
            let byTech = try docket(window + ["--by", "tech", "--format", "csv"], as: "bob", at: Self.rating)
            #expect(byTech.stdout == "TECH,CLOSES,RATED,GOOD,OKAY,BAD,RESPONSE RATE,GOOD %\nbob,5,4,3,0,1,80.0%,75.0%\ndora,1,1,0,1,0,100.0%,0.0%\n", "\(byTech.stdout)")
            let byMonth = try docket(window + ["--by", "month", "--json"], as: "bob", at: Self.rating)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(byMonth.stdout.utf8)) as? [[String: Any]])
            #expect(json.count == 1 && json[0]["group"] as? String == "2026-11" && json[0]["closes"] as? Int == 6 && json[0]["rated"] as? Int == 5)
            #expect(json.first?["responseRatePerMille"] as? Int == 833 && json.first?["goodPerMille"] as? Int == 600, "\(byMonth.stdout)")
            // As it could be run before the ratings: the closes, none rated.
            let before = try docket(window + ["--as-of", "2026-12-01T03:30:00Z", "--json"], as: "ann", at: Self.rating)
            #expect(before.status == 0 && before.stdout.contains(#""rated" : 0"#) && !before.stdout.contains(#""rated" : 4"#), "\(before.stdout)\(before.stderr)")
            #expect(before.stdout.contains(#""responseRatePerMille" : 0"#) && before.stdout.contains(#""goodPerMille" : null"#), "\(before.stdout)")
            let bad = try docket(window + ["--by", "nope"], as: "bob", at: Self.rating)
            #expect(bad.status == 64 && bad.stderr.contains("nope"), "\(bad.stderr)")
            let backwards = try docket(["report", "satisfaction", "--from", "2026-12-01", "--to", "2026-11-01"], as: "bob", at: Self.rating)
            #expect(backwards.status == 64 && backwards.stderr.contains("--from must be before --to"))
            // Staff see the rating in force on the ticket.
            let show = try docket(["ticket", "show", "T-1002"], as: "bob", at: Self.rating).stdout
            #expect(show.contains("rating: okay by contact acme-1 (close 1, 2026-12-01 04:00 UTC)"), "\(show)")
        }
    }
}
