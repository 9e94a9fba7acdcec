import Foundation
import TestSupport
import Testing

/// The satisfaction survey over real HTTP against `docket serve`: the resolution mail's one-click links (a GET records
/// nothing, the POST records `ticket.rated` as the contact), a signed-in contact's rating, and every refusal writing
/// nothing.
@Suite(.serialized) struct PortalRatingTests {
    /// PortalRoutesTests' store (Acme's carla with T-1001, Globex's gus with T-1002), the survey on, T-1001 closed by bob.
    static func served(environment: [String: String] = [:]) throws -> ServedStore {
        let served = try PortalRoutesTests.served()
        _ = served.stop()
        #expect(try served.docket(["survey", "on", "--portal-url", "https://support.msp.example/"]).status == 0)
        let close = try served.docket(
            ["ticket", "close", "T-1001", "--resolution", "Driver reinstalled", "--no-time", "--reason", "remote fix"], as: "bob",
            environment: environment)
        #expect(close.status == 0, "\(close.stderr)")
        try served.start(socket: false)
        return served
    }

    /// The path of the `rating` link in the last resolution mail of `ticket` (quoted-printable soft breaks undone).
    static func ratingPath(_ served: ServedStore, ticket: String = "T-1001", rating: String) throws -> String {
        let list = try served.docket(["outbox", "list", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let row = try #require(rows.last { ($0["reason"] as? String) == "resolution" && ($0["ticket"] as? String) == ticket })
        let message = try served.docket(["outbox", "show", try #require(row["messageId"] as? String)]).stdout
            .replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        let prefix = "https://support.msp.example/portal/rate/"
        let line = try #require(message.split(whereSeparator: \.isNewline).first { $0.contains(prefix) && $0.hasSuffix("/" + rating) })
        return "/portal/rate/" + line[try #require(line.range(of: prefix)).upperBound...]
    }

    /// The last resolution mail of T-1001, whole.
    static func resolutionMail(_ served: ServedStore) throws -> String {
        let list = try served.docket(["outbox", "list", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let row = try #require(rows.last { ($0["reason"] as? String) == "resolution" && ($0["ticket"] as? String) == "T-1001" })
        return try served.docket(["outbox", "show", try #require(row["messageId"] as? String)]).stdout
    }

    static func log(_ served: ServedStore) throws -> String { try served.docket(["log", "--json", "--limit", "100000"]).stdout }

    static func satisfaction(_ served: ServedStore, _ ticket: String = "T-1001") throws -> [String: Any]? {
        let show = try served.docket(["ticket", "show", ticket, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        return object["satisfaction"] as? [String: Any]
    }

    @Test func aLinkShowsItsRatingOnGetAndRecordsItOnlyOnPost() throws {
        let served = try Self.served()
        let bad = try Self.ratingPath(served, rating: "bad")
        let token = String(bad.dropFirst("/portal/rate/".count).dropLast("/bad".count))
        #expect(token.hasPrefix("T-1001.1."))
        let history = try served.docket(["ticket", "show", "T-1001", "--json"]).stdout
        #expect(history.contains("ticket.survey-sent.v1") && !history.contains(String(token.suffix(64))), "the log keeps the hash, not the secret")

        let mailScanner = PortalBrowser(served, name: "scanner")
        let before = try Self.log(served)
        let page = try mailScanner.get(bad)
        #expect(page.status == 200)
        #expect(page.body.contains(#"value="bad" checked"#) && !page.body.contains(#"value="good" checked"#))
        #expect(page.body.contains("T-1001") && page.body.contains("<textarea id=\"comment\""))
        #expect(try mailScanner.get(try Self.ratingPath(served, rating: "good")).body.contains(#"value="good" checked"#))
        let cut = try mailScanner.get("/portal/rate/" + token)
        #expect(cut.status == 200 && cut.body.contains(#"value="bad" required"#) && !cut.body.contains("checked"), "the link without its rating: nothing chosen")
        #expect(try Self.log(served) == before, "opening a link records nothing")
        #expect(try Self.satisfaction(served) == nil)

        // Refused, and nothing written: no CSRF token, a rating that is none of the three, a comment over 2000 bytes,
        // an unknown secret, a rating path that is none of the three.
        let browser = PortalBrowser(served, name: "carla")
        #expect(try browser.get(bad).status == 200)
        let post = "/portal/rate/" + token
        #expect(try browser.post(post, [("rating", "bad")], csrf: false).status == 403)
        let great = try browser.post(post, [("rating", "great")])
        #expect(great.status == 422 && great.body.contains("good, okay or bad"))
        let long = try browser.post(post, [("rating", "bad"), ("comment", String(repeating: "x", count: 2001))])
        #expect(long.status == 422 && long.body.contains("over the 2000"))
        let forged = "T-1001.1." + String(repeating: "0", count: 64)
        let unknown = try browser.get("/portal/rate/\(forged)/good")
        #expect(unknown.status == 403 && unknown.body.contains("not valid"))
        #expect(try browser.post("/portal/rate/\(forged)", [("rating", "good")]).status == 403)
        #expect(try browser.get("/portal/rate/T-9999.1.\(String(repeating: "0", count: 64))/good").status == 403)
        #expect(try browser.get("/portal/rate/\(token)/great").status == 404)
        #expect(try Self.log(served) == before, "no refusal writes")

        let rated = try browser.post(post, [("rating", "bad"), ("comment", "Still jams <b>every</b> morning")])
        #expect(rated.status == 200 && rated.body.contains("Thank you"))
        var satisfaction = try #require(try Self.satisfaction(served))
        #expect(satisfaction["rating"] as? String == "bad" && satisfaction["contact"] as? String == "acme-1" && satisfaction["close"] as? Int == 1)
        #expect(satisfaction["comment"] as? String == "Still jams <b>every</b> morning")
        let show = try served.docket(["ticket", "show", "T-1001"]).stdout
        #expect(show.contains("rating: bad by contact acme-1 (close 1,") && show.contains("\"Still jams <b>every</b> morning\""))
        let json = try served.docket(["ticket", "show", "T-1001", "--json"]).stdout
        #expect(json.contains(#""actor" : "contact:acme-1""#) && json.contains("ticket.rated.v1"))
        // The page shows the rating given; a second rating of the same close replaces it (both stay in the log).
        #expect(try browser.get(bad).body.contains("Still jams &lt;b&gt;every&lt;/b&gt; morning"))
        #expect(try browser.post(post, [("rating", "good")]).status == 200)
        satisfaction = try #require(try Self.satisfaction(served))
        #expect(satisfaction["rating"] as? String == "good" && satisfaction["comment"] == nil)
        #expect(try Self.log(served).components(separatedBy: "ticket.rated").count - 1 == 2)

        // Reopened: the link no longer rates (not closed); closed again, the old link is for an earlier resolution.
        #expect(try served.docket(["ticket", "reopen", "T-1001"], as: "bob").status == 0)
        let reopened = try browser.post(post, [("rating", "bad")])
        #expect(reopened.status == 409 && reopened.body.contains("is not closed"))
        #expect(try served.docket(["ticket", "close", "T-1001", "--resolution", "Replaced the drum", "--no-time", "--reason", "x"], as: "bob").status == 0)
        let old = try browser.get(bad)
        #expect(old.status == 403 && old.body.contains("earlier resolution"))
        let second = try Self.ratingPath(served, rating: "okay")
        #expect(second.hasPrefix("/portal/rate/T-1001.2."))
        #expect(try browser.post(String(second.dropLast("/okay".count)), [("rating", "okay")]).status == 200)
        #expect(try Self.satisfaction(served)?["close"] as? Int == 2)

        // The API's ticket (with its satisfaction) and the report validate against schemas/openapi.yaml.
        let apiToken = try served.docket(["token", "create", "--user", "ann", "--name", "t"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var exchanges: [OpenAPIResponseValidator.Exchange] = []
        for path in ["/v1/tickets/T-1001", "/v1/reports/satisfaction?from=2026-01-01&to=2100-01-01"] {
            let answer = try served.curl("GET", path, token: apiToken)
            #expect(answer.status == 200 && answer.body.contains("okay"), "\(path): \(answer.body)")
            exchanges.append(.init(method: "GET", path: path, status: answer.status, contentType: "application/json", body: answer.body))
        }
        let validation = try OpenAPIResponseValidator.validate(exchanges, document: OpenAPIDocumentTests.document)
        #expect(validation.exitCode == 0, "\(validation.output)")
    }

    @Test func anExpiredLinkGetsAClearPageAndWritesNothing() throws {
        let closedAt = ["DOCKET_NOW": "2026-11-02T09:00:00Z"]
        let served = try Self.served(environment: closedAt)
        _ = served.stop()
        try served.start(environment: ["DOCKET_NOW": "2026-12-02T09:00:01Z"], socket: false)
        let path = try Self.ratingPath(served, rating: "good")
        let browser = PortalBrowser(served, name: "late")
        let before = try Self.log(served)
        let page = try browser.get(path)
        #expect(page.status == 403 && page.body.contains("expired") && page.body.contains("30 days"))
        #expect(try browser.post(String(path.dropLast("/good".count)), [("rating", "good")]).status == 403)
        #expect(try Self.log(served) == before)
    }

    @Test func aSignedInContactRatesAClosedTicketAndNoOtherClientsContactCan() throws {
        let served = try Self.served()
        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        let page = try carla.get("/portal/tickets/T-1001")
        #expect(page.body.contains(#"action="/portal/tickets/T-1001/rating""#))
        let signedIn = try Self.log(served)
        #expect(try carla.post("/portal/tickets/T-1001/rating", [("rating", "okay")], csrf: false).status == 403)
        #expect(try Self.log(served) == signedIn, "no CSRF token: nothing written")
        #expect(try carla.post("/portal/tickets/T-1001/rating", [("rating", "okay"), ("comment", "Took a while")]).status == 303)
        #expect(try carla.get("/portal/tickets/T-1001").body.contains("You rated this resolution <strong>Okay</strong>: “Took a while”"))
        #expect(try Self.satisfaction(served)?["rating"] as? String == "okay")

        let before = try Self.log(served)
        let open = try carla.post("/portal/tickets/T-1003/rating", [("rating", "good")])
        #expect(open.status == 404, "no such ticket for her")
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "Open one"]).status == 0)
        let afterOpen = try Self.log(served)
        let notClosed = try carla.post("/portal/tickets/T-1003/rating", [("rating", "good")])
        #expect(notClosed.status == 409 && notClosed.body.contains("is not closed"))
        #expect(try carla.post("/portal/tickets/T-1001/rating", [("rating", "meh")]).status == 422)
        let gus = PortalBrowser(served, name: "gus")
        try gus.signIn("gus@globex.example")
        let afterSignIn = try Self.log(served)
        #expect(try gus.post("/portal/tickets/T-1001/rating", [("rating", "bad")]).status == 404)
        #expect(!(try gus.get("/portal/tickets/T-1001").body.contains("rating")))
        #expect(try Self.log(served) == afterSignIn)
        #expect(before != afterOpen)
    }

    /// A contact removed from the client since the mail (someone who left its company) rates no more through its link,
    /// as its sign-in links and sessions stop working; nothing is written.
    @Test func aRemovedContactsLinkRatesNoMore() throws {
        let served = try Self.served()
        let path = try Self.ratingPath(served, rating: "good")
        let browser = PortalBrowser(served, name: "left")
        #expect(try browser.get(path).status == 200)
        #expect(try served.docket(["client", "contact", "remove", "acme", "acme-1"]).status == 0)
        let before = try Self.log(served)
        let page = try browser.get(path)
        #expect(page.status == 403 && page.body.contains("its contact is no longer one of the client"), "\(page.body)")
        #expect(try browser.post(String(path.dropLast("/good".count)), [("rating", "good")]).status == 403)
        #expect(try Self.log(served) == before)
    }

    @Test func noLinksWhenTheClientOptedOutOrTheSurveyIsOff() throws {
        let served = try PortalRoutesTests.served()
        _ = served.stop()
        #expect(try served.docket(["survey", "on", "--portal-url", "https://support.msp.example"]).status == 0)
        #expect(try served.docket(["survey", "off", "--client", "acme"]).status == 0)
        #expect(try served.docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "x"], as: "bob").status == 0)
        #expect(!(try Self.resolutionMail(served).contains("/portal/rate/")))
        #expect(try served.docket(["survey", "on", "--client", "acme"]).status == 0)
        #expect(try served.docket(["survey", "off"]).status == 0)
        #expect(try served.docket(["ticket", "reopen", "T-1001"], as: "bob").status == 0)
        #expect(try served.docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "x"], as: "bob").status == 0)
        #expect(!(try Self.resolutionMail(served).contains("/portal/rate/")))
        #expect(!(try served.docket(["ticket", "show", "T-1001", "--json"]).stdout.contains("survey-sent")))
    }
}
