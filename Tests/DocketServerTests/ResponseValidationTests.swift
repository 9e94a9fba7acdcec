import Foundation
import TestSupport
import Testing

/// Every route through the API as each role: the status is the CLI's role rule (work on tickets and time: tech,
/// dispatcher and admin, never billing; reads and reports: everyone; `asOf`: admins), and every answer, success or
/// problem, validates against its response schema in schemas/openapi.yaml.
@Suite(.serialized) struct ResponseValidationTests {
    static let roles = ["ann": "admin", "dora": "dispatcher", "bob": "tech", "bill": "billing"]
    static let workers: Set<String> = ["ann", "dora", "bob"]

    /// One request with curl, kept with its content type for validation.
    func exchange(_ served: ServedStore, _ method: String, _ path: String, token: String?, json: String? = nil) throws -> OpenAPIResponseValidator.Exchange {
        var arguments = ["-s", "-o", "-", "-w", "\n%{content_type}\n%{http_code}", "-X", method, "--max-time", "30"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let json { arguments += ["-H", "Content-Type: application/json", "--data-binary", json] }
        arguments.append(served.address + path)
        let lines = try ServedStore.run("/usr/bin/curl", arguments).split(separator: "\n", omittingEmptySubsequences: false)
        return OpenAPIResponseValidator.Exchange(
            method: method, path: path, status: Int(lines.last ?? "") ?? 0, contentType: String(lines.dropLast().last ?? ""),
            body: lines.dropLast(2).joined(separator: "\n"))
    }

    @Test func everyRouteAsEveryRoleFollowsTheRoleRulesAndTheDocument() throws {
        let served = ServedStore()
        let env = ["DOCKET_NOW": AuthenticationTests.t0]
        #expect(try served.docket(["init"], environment: env).status == 0)
        for (login, role) in Self.roles where login != "ann" {
            #expect(try served.docket(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", role], environment: env).status == 0)
        }
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"], environment: env).status == 0)
        var tokens: [String: String] = [:]
        for login in Self.roles.keys.sorted() {
            let run = try served.docket(["token", "create", "--user", login, "--name", "t"], environment: env)
            tokens[login] = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Hourly terms and an SLA policy (24x7), so the answers carry SLA clocks and an invoice to check field by field.
        let policy = served.folder.child("std.yaml")
        let targets = (1...4).map { "  P\($0): {responseMinutes: \(60 * $0), resolutionMinutes: \(240 * $0)}" }.joined(separator: "\n")
        try "calendar: 24x7\ntargets:\n\(targets)\nwarnAtPercent: [75, 90]\n".write(toFile: policy, atomically: true, encoding: .utf8)
        for arguments in [
            ["sla-policy", "define", "std", "--name", "Standard", "--file", policy, "--effective", "2026-01-01"],
            ["contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--sla-policy", "std",
             "--terms", #"{"model":"hourly","currency":"USD","rates":{"*":9000}}"#],
        ] {
            let run = try served.docket(arguments, environment: env)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
        // One ticket per role to close, and T-1005 for everything else; October's time on T-1005 is invoiced.
        for _ in 0..<5 { #expect(try served.docket(["ticket", "open", "--client", "acme", "--subject", "Printer"], environment: env).status == 0) }
        for arguments in [
            ["time", "log", "T-1005", "50m", "--at", "2026-10-20T14:00:00Z", "--note", "fixed"],
            ["charge", "add", "acme", "--ticket", "T-1005", "--description", "Switch", "--unit-price", "300", "--unit-cost", "210", "--date", "2026-10-15"],
            ["invoice", "run", "--period", "2026-10"],
            ["invoice", "finalize", "acme-D1"], ["invoice", "void", "INV-2026-0001", "--reason", "Reissue"],
            // T-1006 waits on the client under a follow-up policy: its answer carries `followUp`.
            ["ticket", "open", "--client", "acme", "--subject", "Waiting"], ["ticket", "status", "T-1006", "waiting-on-client"],
            ["followup", "set", "--remind-after", "1d", "--close-after", "30d"],
        ] {
            let run = try served.docket(arguments, environment: env)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
        try served.start(environment: ["DOCKET_NOW": AuthenticationTests.later], socket: false)

        var exchanges: [OpenAPIResponseValidator.Exchange] = []
        var mismatches: [String] = []
        func check(_ login: String, _ method: String, _ path: String, json: String? = nil, expect: Int) throws {
            let answer = try exchange(served, method, path, token: tokens[login], json: json)
            exchanges.append(answer)
            if answer.status != expect { mismatches.append("\(login) (\(Self.roles[login]!)) \(method) \(path): \(answer.status), expected \(expect): \(answer.body)") }
        }
        let window = "from=2026-10-01&to=2026-12-01"
        for (index, login) in Self.roles.keys.sorted().enumerated() {
            let works = Self.workers.contains(login)
            let write = { (created: Bool) in works ? (created ? 201 : 200) : 403 }
            try check(login, "POST", "/v1/tickets", json: #"{"client":"acme","subject":"Screen"}"#, expect: write(true))
            try check(login, "POST", "/v1/tickets/T-1005/comments", json: #"{"text":"Looking"}"#, expect: write(true))
            try check(login, "POST", "/v1/tickets/T-1005/assign", json: #"{"to":"bob"}"#, expect: write(false))
            // T-1005 is bob's now: his take changes nothing, another worker's is refused (409).
            try check(login, "POST", "/v1/tickets/T-1005/take", json: "{}", expect: works ? (login == "bob" ? 200 : 409) : 403)
            try check(login, "POST", "/v1/tickets/T-1005/status", json: #"{"status":"in-progress"}"#, expect: write(false))
            try check(login, "POST", "/v1/time", json: #"{"ticket":"T-1005","duration":"15m"}"#, expect: write(true))
            try check(
                login, "POST", "/v1/tickets/T-100\(index + 1)/close", json: #"{"resolution":"done","noTime":true,"reason":"duplicate"}"#,
                expect: write(false))
            for path in [
                "/v1/tickets", "/v1/tickets/T-1005", "/v1/tickets/T-1006", "/v1/queue", "/v1/time?ticket=T-1005", "/v1/sla", "/v1/invoices",
                "/v1/charges?client=acme", "/v1/whoami", "/v1/reports/sla?\(window)", "/v1/reports/closed-without-time?\(window)",
                "/v1/reports/leakage?\(window)", "/v1/reports/utilization?\(window)",
                "/v1/reports/volume?\(window)", "/v1/reports/satisfaction?\(window)&by=tech",
            ] {
                try check(login, "GET", path, expect: 200)
            }
            try check(login, "GET", "/v1/invoices/INV-2026-0001", expect: 200)
            try check(login, "GET", "/v1/invoices/CN-2026-0001", expect: 200)
            try check(login, "GET", "/v1/audit/invoices/INV-2026-0001", expect: 200)
            try check(login, "GET", "/v1/invoices/INV-2026-0404", expect: 404)
            // Staff cost and the past are billing's and admins'.
            let billingOrAdmin = ["ann", "bill"].contains(login)
            try check(login, "GET", "/v1/reports/profitability?\(window)", expect: billingOrAdmin ? 200 : 403)
            try check(login, "GET", "/v1/cost-rates", expect: billingOrAdmin ? 200 : 403)
            try check(login, "GET", "/v1/queue?asOf=2026-11-02T09:00:00Z", expect: billingOrAdmin ? 200 : 403)
            try check(login, "POST", "/v1/cli", json: #"{"arguments":["ticket","show","T-1005","--json"]}"#, expect: 200)
        }
        try check("ann", "GET", "/v1/tickets/T-9999", expect: 404)
        try check("ann", "GET", "/v1/tickets?limit=0", expect: 400)
        try check("ann", "POST", "/v1/tickets", json: #"{"subject":"no client"}"#, expect: 400)
        exchanges.append(try exchange(served, "GET", "/v1/queue", token: nil))
        exchanges.append(try exchange(served, "GET", "/readyz", token: nil))
        #expect(served.stop() == 0)

        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        // The list and report answers had rows, so their schemas were checked field by field, not only as empty lists.
        for path in ["/v1/time?ticket=T-1005", "/v1/sla", "/v1/invoices", "/v1/charges?client=acme", "/v1/tickets/T-1005"] + ["sla", "closed-without-time", "profitability", "leakage", "utilization", "volume"].map({ "/v1/reports/\($0)?\(window)" })
            + ["/v1/reports/satisfaction?\(window)&by=tech"]
        {
            let answer = try #require(exchanges.first { $0.path == path && $0.status == 200 })
            #expect(answer.body.count > 40 && !answer.body.hasPrefix("[]") && !answer.body.contains(#""items":[]"#), "\(path) answered no rows: \(answer.body)")
        }
        let waiting = try #require(exchanges.first { $0.path == "/v1/tickets/T-1006" && $0.status == 200 })
        #expect(waiting.body.contains(#""followUp":{"#) && waiting.body.contains(#""remindAt":"#), "its follow-up is checked too: \(waiting.body)")
        let validation = try OpenAPIResponseValidator.validate(exchanges, document: OpenAPIDocumentTests.document)
        #expect(validation.exitCode == 0, "\(validation.output)")
        #expect(validation.output.hasPrefix("validated \(exchanges.count)"), "\(validation.output)")
    }

    /// The validator is not vacuous: an epoch-millisecond time, a missing field and an undocumented status fail.
    @Test func theValidatorCatchesNonConformingAnswers() throws {
        let bad: [OpenAPIResponseValidator.Exchange] = [
            .init(method: "GET", path: "/v1/queue", status: 200, contentType: "application/json", body: #"{"items":[{"number":"T-1","openedAt":1793984400000}],"nextCursor":null}"#),
            .init(method: "POST", path: "/v1/tickets", status: 201, contentType: "application/json", body: #"{}"#),
            .init(method: "GET", path: "/v1/queue", status: 404, contentType: "application/problem+json", body: #"{"title":"x"}"#),
        ]
        let validation = try OpenAPIResponseValidator.validate(bad, document: OpenAPIDocumentTests.document)
        #expect(validation.exitCode == 1)
        #expect(validation.output.components(separatedBy: "\n").filter { $0.hasPrefix("GET") || $0.hasPrefix("POST") }.count >= 3, "\(validation.output)")
    }
}
