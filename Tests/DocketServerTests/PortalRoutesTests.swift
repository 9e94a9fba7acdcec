import Foundation
import TestSupport
import Testing

/// A browser's side of the portal over real HTTP: curl with a cookie jar, forms posted url-encoded.
struct PortalBrowser {
    let served: ServedStore
    let jar: String

    init(_ served: ServedStore, name: String) {
        self.served = served
        jar = served.folder.child("\(name).cookies")
    }

    struct Answer {
        var status: Int
        var headers: String
        var body: String
        func header(_ name: String) -> [String] {
            headers.split(separator: "\r\n").compactMap { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == name.lowercased() else { return nil }
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
    }

    func request(_ method: String, _ path: String, fields: [(String, String)]? = nil, extra: [String] = []) throws -> Answer {
        var arguments = ["-s", "-D", "-", "-o", "-", "-w", "\n%{http_code}", "-X", method, "--max-time", "30", "-b", jar, "-c", jar] + extra
        for (name, value) in fields ?? [] { arguments += ["--data-urlencode", "\(name)=\(value)"] }
        if method == "POST", fields == nil, !extra.contains("--data-binary"), !extra.contains("--form-string") { arguments += ["--data", ""] }
        arguments.append(served.address + path)
        let run = try ServedStore.run("/usr/bin/curl", arguments)
        let lines = run.split(separator: "\n", omittingEmptySubsequences: false)
        let text = lines.dropLast().joined(separator: "\n")
        let split = text.range(of: "\r\n\r\n")
        return Answer(
            status: Int(lines.last ?? "") ?? 0, headers: split.map { String(text[..<$0.lowerBound]) } ?? text,
            body: split.map { String(text[$0.upperBound...]) } ?? "")
    }

    func get(_ path: String) throws -> Answer { try request("GET", path) }

    /// Posts `fields` with the CSRF token from the jar (unless `csrf` is false).
    func post(_ path: String, _ fields: [(String, String)] = [], csrf: Bool = true) throws -> Answer {
        try request("POST", path, fields: (csrf ? [("csrf", try token())] : []) + fields)
    }

    /// The CSRF cookie's value from the jar.
    func token() throws -> String {
        let text = try String(contentsOfFile: jar, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.split(separator: "\t").dropLast().last == "docket_csrf" })
        return String(line.split(separator: "\t").last ?? "")
    }

    /// Signs in as `email`: asks for a link, takes it from the outbox (as the mail would bring it) and follows it.
    func signIn(_ email: String) throws {
        #expect(try get("/portal").status == 200)
        #expect(try post("/portal/sign-in", [("email", email)]).status == 200)
        let link = try PortalRoutesTests.lastLink(served, to: email)
        let path = String(link[try #require(link.range(of: "/portal/link/")).lowerBound...])
        #expect(try get(path).status == 200)
        let landed = try post(path)
        #expect(landed.status == 303, "\(landed.body)")
    }
}

/// Issue 13 §4-§5: the portal's pages over real HTTP against `docket serve`.
@Suite(.serialized) struct PortalRoutesTests {
    /// A served store with Acme (contact carla, ticket T-1001 with a public and an internal comment) and Globex
    /// (contact gus, ticket T-1002).
    static func served(_ arguments: [String] = []) throws -> ServedStore {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["user", "add", "bob", "--name", "Bob Tech", "--email", "bob@msp.example", "--role", "tech"]).status == 0)
        for (code, name) in [("acme", "Acme"), ("globex", "Globex")] {
            #expect(try served.docket(["client", "add", code, "--name", name, "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        }
        #expect(try served.docket(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"]).status == 0)
        #expect(try served.docket(["client", "contact", "add", "globex", "--name", "Gus", "--email", "gus@globex.example"]).status == 0)
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "<script>alert(1)</script> printer"]).status == 0)
        #expect(try served.docket(["ticket", "comment", "T-1001", "Driver reinstalled"], as: "bob").status == 0)
        #expect(try served.docket(["ticket", "comment", "T-1001", "secret internal note", "--internal"], as: "bob").status == 0)
        #expect(try served.docket(["ticket", "open", "--client", "globex", "--subject", "Globex only"]).status == 0)
        try served.start(socket: false, arguments: arguments)
        return served
    }

    /// The link in the last sign-in mail queued to `email`, from `docket outbox` (quoted-printable soft breaks undone).
    static func lastLink(_ served: ServedStore, to email: String) throws -> String {
        let list = try served.docket(["outbox", "list", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let row = try #require(rows.last { ($0["reason"] as? String) == "sign-in" && ($0["to"] as? [String]) == [email] })
        let message = try served.docket(["outbox", "show", try #require(row["messageId"] as? String)]).stdout
            .replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        let start = try #require(message.range(of: "http"))
        return String(message[start.lowerBound...].prefix { !$0.isWhitespace })
    }

    @Test func aContactSignsInSeesTheirTicketsEscapedRepliesOpensAndSignsOut() throws {
        let served = try Self.served()
        let carla = PortalBrowser(served, name: "carla")
        let home = try carla.get("/portal")
        #expect(home.body.contains("<meta name=\"viewport\""))
        #expect(home.body.contains("<label for=\"email\">"))
        #expect(home.header("Set-Cookie").contains { $0.hasPrefix("docket_csrf=") && $0.contains("HttpOnly") && $0.contains("SameSite=Lax") })
        try carla.signIn("carla@acme.example")
        let session = try #require(try String(contentsOfFile: carla.jar, encoding: .utf8).split(separator: "\n").first { $0.contains("docket_portal") })
        #expect(session.hasPrefix("#HttpOnly_"))

        let list = try carla.get("/portal/tickets")
        #expect(list.status == 200)
        #expect(list.body.contains("T-1001") && !list.body.contains("T-1002") && !list.body.contains("Globex only"))
        #expect(!list.body.contains("<script>") && list.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; printer"))

        let page = try carla.get("/portal/tickets/T-1001")
        #expect(page.status == 200)
        #expect(page.body.contains("Driver reinstalled") && !page.body.contains("secret internal note"))
        #expect(!page.body.contains("<script>"))
        #expect(page.header("Content-Security-Policy").first?.contains("default-src 'none'") == true)

        #expect(try carla.post("/portal/tickets/T-1001/replies", [("text", "Thanks, <b>works</b>")]).status == 303)
        #expect(try carla.get("/portal/tickets/T-1001").body.contains("Thanks, &lt;b&gt;works&lt;/b&gt;"))
        let history = try served.docket(["ticket", "show", "T-1001", "--json"]).stdout
        #expect(history.contains("contact:acme-1"))

        #expect(try carla.get("/portal/tickets/new").body.contains("<label for=\"subject\">"))
        let opened = try carla.post("/portal/tickets", [("subject", "VPN down"), ("description", "since 9"), ("category", "Network"), ("priority", "P2")])
        #expect(opened.status == 303 && opened.header("Location") == ["/portal/tickets/T-1003"])
        #expect(try carla.post("/portal/tickets", [("subject", "urgent"), ("priority", "P1")]).status == 422)

        #expect(try carla.post("/portal/sign-out").status == 303)
        let after = try carla.get("/portal/tickets")
        #expect(after.status == 303 && after.header("Location") == ["/portal"])
    }

    /// A billing contact (`client contact add … --billing`) reads the client's final and voided invoices and their
    /// credit notes in the portal, as `invoice show` gives them (h:mm, the footnote on what raised the time); drafts,
    /// another client's invoices and, for a contact who is not a billing contact, every invoice are the same 404, and
    /// reading writes nothing. The portal had no invoices: a client's bookkeeper asked the MSP for each one by mail.
    @Test func aBillingContactReadsTheClientsInvoicesAndNoOtherContactDoes() throws {
        let served = try Self.served()
        for code in ["acme", "globex"] {
            let terms = #"{"model":"hourly","currency":"USD","rates":{"*":12000},"minimumMinutesPerTicket":30}"#
            #expect(try served.docket(["contract", "add", "\(code)-msa", "--client", code, "--name", "MSA", "--effective", "2026-01-01", "--terms", terms]).status == 0)
        }
        #expect(try served.docket(["time", "log", "T-1001", "10m", "--at", "2026-11-03T15:00:00Z"], as: "bob").status == 0)
        #expect(try served.docket(["time", "log", "T-1002", "1h", "--at", "2026-11-03T15:00:00Z"], as: "bob").status == 0)
        #expect(try served.docket(["invoice", "run", "--period", "2026-11"]).status == 0)
        func number(_ draft: String) throws -> String {
            let finalized = try served.docket(["invoice", "finalize", draft])
            #expect(finalized.status == 0, "\(finalized.stderr)")
            return String(try #require(finalized.stdout.split(separator: " ").last)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let voided = try number("acme-D1")
        let globex = try number("globex-D1")
        #expect(try served.docket(["invoice", "void", voided, "--reason", "Wrong contract"]).status == 0)
        let shownVoided = try #require(try JSONSerialization.jsonObject(with: Data(try served.docket(["invoice", "show", voided, "--json"]).stdout.utf8)) as? [String: Any])
        let creditNote = try #require(shownVoided["creditNote"] as? String)
        #expect(try served.docket(["invoice", "run", "--period", "2026-11"]).status == 0)
        #expect(try served.docket(["client", "update", "acme", "--billing-address", "12 Rue de la Paix", "--tax-id", "FR40303265045"]).status == 0)
        let issued = try number("acme-D2")
        // The client moves after the invoice was issued: the page keeps the address it was issued to.
        #expect(try served.docket(["client", "update", "acme", "--billing-address", "1 Rue Neuve"]).status == 0)
        #expect(try served.docket(["time", "log", "T-1001", "15m", "--at", "2026-11-04T15:00:00Z"], as: "bob").status == 0)
        #expect(try served.docket(["invoice", "run", "--period", "2026-11"]).status == 0, "acme-D3: a draft, the MSP's own")
        #expect(try served.docket(["client", "contact", "add", "acme", "--name", "Bea Books", "--email", "bea@acme.example", "--billing"]).stdout == "acme-2\n")
        let shownClient = try served.docket(["client", "show", "acme"]).stdout
        #expect(shownClient.split(separator: "\n").contains { $0.hasPrefix("acme-2") && $0.hasSuffix("yes") }, "\(shownClient)")

        let bea = PortalBrowser(served, name: "bea")
        try bea.signIn("bea@acme.example")
        let before = try served.eventCount()
        #expect(try bea.get("/portal/tickets").body.contains("<a href=\"/portal/invoices\">Invoices</a>"))
        let list = try bea.get("/portal/invoices")
        #expect(list.status == 200, "\(list.body)")
        for shown in [issued, voided, creditNote] { #expect(list.body.contains(">\(shown)</a>"), "\(shown): \(list.body)") }
        #expect(!list.body.contains(globex) && !list.body.contains("acme-D3"), "\(list.body)")
        #expect(list.body.contains("cancelled by credit note \(creditNote)") && list.body.contains("credit note for \(voided)"), "\(list.body)")
        let page = try bea.get("/portal/invoices/\(issued)")
        #expect(page.status == 200, "\(page.body)")
        #expect(page.body.contains("<br>12 Rue de la Paix<br>tax id FR40303265045</address>") && !page.body.contains("Rue Neuve"), "\(page.body)")
        #expect(page.body.contains("<td class=\"num wide\">0:30</td>") && page.body.contains("<td class=\"num\">60.00</td>"), "\(page.body)")
        #expect(page.body.contains("[1] line 1: 0:10 logged + 0:20 to reach the ticket&#39;s minimum for the month = 0:30")
            || page.body.contains("[1] line 1: 0:10 logged + 0:20 to reach the ticket&#x27;s minimum for the month = 0:30"), "\(page.body)")
        let note = try bea.get("/portal/invoices/\(creditNote)")
        #expect(note.status == 200 && note.body.contains("Credit note \(creditNote)") && note.body.contains("Wrong contract") && note.body.contains("-60.00"), "\(note.body)")
        for hidden in [globex, "acme-D3", "INV-2099-0001", "CN-2099-0001"] {
            #expect(try bea.get("/portal/invoices/\(hidden)").status == 404, "\(hidden)")
        }

        #expect(try served.eventCount() == before, "reading invoices writes nothing")

        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        let afterSignIn = try served.eventCount()
        #expect(!(try carla.get("/portal/tickets").body.contains("/portal/invoices")), "no link for a contact who is not a billing contact")
        let refused = try carla.get("/portal/invoices")
        #expect(refused.status == 404 && refused.body.contains("billing contacts"), "\(refused.body)")
        #expect(try carla.get("/portal/invoices/\(issued)").status == 404)
        #expect(try served.eventCount() == afterSignIn, "a refusal writes nothing")

        #expect(try served.docket(["client", "contact", "update", "acme", "acme-1", "--name", "Carla", "--email", "carla@acme.example", "--billing"]).status == 0)
        #expect(try carla.get("/portal/invoices").status == 200, "made a billing contact: her session sees them at once")
        #expect(try served.docket(["client", "contact", "update", "acme", "acme-1", "--name", "Carla R", "--email", "carla@acme.example"]).status == 0)
        #expect(try carla.get("/portal/invoices").status == 200, "an update without --billing/--no-billing keeps it")
        #expect(try served.docket(["client", "contact", "update", "acme", "acme-1", "--name", "Carla R", "--email", "carla@acme.example", "--no-billing"]).status == 0)
        #expect(try carla.get("/portal/invoices").status == 404)
    }

    /// A contact reads times in their client's zone: the portal wrote every time in UTC ("2026-12-07 14:05 UTC"), so a
    /// New York office read its reply due four or five hours off.
    @Test func aContactReadsTimesInTheirClientsZone() throws {
        let served = try Self.served()
        #expect(try served.docket(["client", "update", "acme", "--time-zone", "America/New_York"]).status == 0)
        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        let page = try carla.get("/portal/tickets/T-1001")
        #expect(page.status == 200)
        let zoned = page.body.contains(" EST</div>") || page.body.contains(" EDT</div>")
        #expect(zoned && !page.body.contains(" UTC</div>"), "\(page.body)")
    }

    /// A contact finds a ticket by the words of its subject or resolution (the portal listed the newest 200 and had no
    /// search); only their client's tickets are searched, and what they typed is escaped on the page.
    @Test func aContactFindsTheirTicketsByWords() throws {
        let served = try Self.served()
        #expect(try served.docket(["ticket", "open", "--client", "acme", "--contact", "acme-1", "--subject", "VPN drops at night"]).status == 0)
        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        let found = try carla.get("/portal/tickets?q=PRINTER")
        #expect(found.status == 200 && found.body.contains(">T-1001</a>") && !found.body.contains(">T-1003</a>"), "\(found.body)")
        #expect(found.body.contains("value=\"PRINTER\"") && found.body.contains("matching “PRINTER”"), "\(found.body)")
        let vpn = try carla.get("/portal/tickets?q=vpn%20night")
        #expect(vpn.body.contains(">T-1003</a>") && !vpn.body.contains(">T-1001</a>"), "\(vpn.body)")
        let other = try carla.get("/portal/tickets?q=globex")
        #expect(other.status == 200 && !other.body.contains("T-1002") && other.body.contains("No ticket matches"), "another client's tickets are never searched")
        let typed = try carla.get("/portal/tickets?q=%3Cb%3Ex")
        #expect(!typed.body.contains("<b>x") && typed.body.contains("&lt;b&gt;x"), "\(typed.body)")
        #expect(try carla.get("/portal/tickets").body.contains(">T-1003</a>"), "no search: every ticket")
    }

    @Test func aRemovedContactsSessionNeverComesBackAsTheNextContact() throws {
        let served = try Self.served()
        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        #expect(try carla.get("/portal/tickets").status == 200)
        #expect(try served.docket(["client", "contact", "remove", "acme", "acme-1"]).status == 0)
        #expect(try carla.get("/portal/tickets").status == 303, "removed: signed out")
        // The next contact gets a new id: carla's cookie (for acme-1) does not become Nora's session.
        let nora = try served.docket(["client", "contact", "add", "acme", "--name", "Nora New", "--email", "nora@acme.example"])
        #expect(nora.stdout == "acme-2\n", "\(nora.stderr)")
        let after = try carla.get("/portal/tickets")
        #expect(after.status == 303 && !after.body.contains("Nora New"))
    }

    @Test func anotherClientsContactGets404OnEveryTicketEndpointAndNothingIsWritten() throws {
        let served = try Self.served()
        let gus = PortalBrowser(served, name: "gus")
        try gus.signIn("gus@globex.example")
        let before = try served.eventCount()
        for path in ["/portal/tickets/T-1001", "/portal/tickets/T-9999", "/portal/tickets/nonsense"] {
            #expect(try gus.get(path).status == 404, "\(path)")
            #expect(try gus.post(path + "/replies", [("text", "mine now")]).status == 404, "\(path)")
        }
        let list = try gus.get("/portal/tickets")
        #expect(list.body.contains("T-1002") && !list.body.contains("T-1001"))
        #expect(try served.eventCount() == before)
    }

    @Test func aPostWithoutItsCSRFTokenIsRefusedAndNothingIsWritten() throws {
        let served = try Self.served()
        let carla = PortalBrowser(served, name: "carla")
        try carla.signIn("carla@acme.example")
        let before = try served.eventCount()
        for (path, fields) in [
            ("/portal/sign-in", [("email", "carla@acme.example")]), ("/portal/tickets/T-1001/replies", [("text", "forged")]),
            ("/portal/tickets", [("subject", "forged")]), ("/portal/sign-out", []), ("/portal/link/acme-1." + String(repeating: "a", count: 64), []),
        ] {
            #expect(try carla.post(path, fields, csrf: false).status == 403, "\(path)")
            #expect(try carla.post(path, fields + [("csrf", String(repeating: "0", count: 64))], csrf: false).status == 403, "\(path)")
        }
        #expect(try served.eventCount() == before)
        #expect(try carla.get("/portal/tickets").status == 200)
    }

    @Test func bodiesAreBoundedAndLinkRequestsLimitedPerAddress() throws {
        let served = try Self.served(["--portal-link-rate", "1"])
        let browser = PortalBrowser(served, name: "b")
        _ = try browser.get("/portal")
        let big = served.folder.child("big.txt")
        try ("csrf=\(try browser.token())&email=" + String(repeating: "a", count: 70_000)).write(toFile: big, atomically: true, encoding: .utf8)
        #expect(try browser.request("POST", "/portal/sign-in", extra: ["--data-binary", "@\(big)"]).status == 413)
        #expect(try browser.post("/portal/sign-in", [("email", "nobody@example.com")]).status == 200)
        let limited = try browser.post("/portal/sign-in", [("email", "carla@acme.example")])
        #expect(limited.status == 429 && !limited.header("Retry-After").isEmpty)
        #expect(try served.docket(["outbox", "list", "--json"]).stdout.contains("sign-in") == false)
    }

    @Test func behindTLSTheLinkUsesThePublicURLAndCookiesAreSecure() throws {
        let served = try Self.served(["--portal-url", "https://support.example"])
        let browser = PortalBrowser(served, name: "b")
        let home = try browser.get("/portal")
        #expect(home.header("Set-Cookie").contains { $0.contains("Secure") && $0.contains("HttpOnly") && $0.contains("SameSite=Lax") })
        // curl keeps no Secure cookie from a plain-HTTP origin: post the token it was given by hand.
        let token = try #require(home.body.range(of: "name=\"csrf\" value=\"").map { String(home.body[$0.upperBound...].prefix(64)) })
        let sent = try browser.request("POST", "/portal/sign-in", fields: [("csrf", token), ("email", "carla@acme.example")], extra: ["-H", "Cookie: docket_csrf=\(token)"])
        #expect(sent.status == 200)
        #expect(try Self.lastLink(served, to: "carla@acme.example").hasPrefix("https://support.example/portal/link/acme-1."))
    }
}
