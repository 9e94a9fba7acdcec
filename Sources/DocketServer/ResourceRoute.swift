import HTTPTypes

/// One JSON resource: an HTTP method and path, and how the request becomes the words of the CLI command that does
/// the same (path parameters, query parameters and JSON body fields become its arguments and options).
public struct ResourceRoute: Sendable {
    /// Where a value comes from.
    public enum Source: Sendable {
        case path(String)
        case query(String)
        case body(String)

        var name: String {
            switch self {
            case .path(let name), .query(let name), .body(let name): return name
            }
        }
    }

    /// One piece of the command line.
    public enum Part: Sendable {
        /// A fixed word (`ticket`, `open`).
        case word(String)
        /// `--flag=value` when the value is present (required: a 400 when it is missing).
        case option(String, Source, required: Bool = false)
        /// `--flag` when the value is `true`.
        case flag(String, Source)
        /// A positional argument (after `--`, so a value starting with `-` stays a value).
        case argument(Source)
    }

    public let method: HTTPRequest.Method
    /// The path in OpenAPI form: `/v1/tickets/{number}`.
    public let path: String
    public let parts: [Part]
    /// Reads take `--json` (reports `--format=json`: ``jsonOption``), and their JSON is the response; they take
    /// `?asOf=` too (the store as it stood then).
    public let isRead: Bool
    public let jsonOption: String
    /// Lists are paginated (`limit`, `cursor`); `limitFlag` is the command's own cap, raised to cover the page.
    public let isList: Bool
    public let limitFlag: String?
    /// Writes take `--command-id` from `Idempotency-Key`.
    public let takesCommandId: Bool
    public let successStatus: HTTPResponse.Status

    /// The body fields and query parameters the route reads.
    public var fieldNames: [String] {
        parts.compactMap { part in
            switch part {
            case .word: return nil
            case .option(_, let source, _), .flag(_, let source), .argument(let source):
                if case .path = source { return nil }
                return source.name
            }
        }
    }

    /// The path in Hummingbird's form: `/v1/tickets/:number`.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }

    static func read(
        _ path: String, _ parts: [Part], list: Bool = false, limitFlag: String? = nil, jsonOption: String = "--json"
    ) -> ResourceRoute {
        ResourceRoute(
            method: .get, path: path, parts: parts, isRead: true, jsonOption: jsonOption, isList: list, limitFlag: limitFlag,
            takesCommandId: false, successStatus: .ok)
    }

    /// `GET /v1/reports/<name>?from=&to=…`: `docket report <name> --format=json`.
    static func report(_ name: String, _ options: [Part] = []) -> ResourceRoute {
        read(
            "/v1/reports/\(name)",
            [.word("report"), .word(name), .option("--from", .query("from"), required: true), .option("--to", .query("to"), required: true)]
                + options, jsonOption: "--format=json")
    }

    static func write(_ path: String, _ parts: [Part], status: HTTPResponse.Status = .ok) -> ResourceRoute {
        ResourceRoute(
            method: .post, path: path, parts: parts, isRead: false, jsonOption: "", isList: false, limitFlag: nil, takesCommandId: true,
            successStatus: status)
    }
}

extension ResourceRoute {
    /// Every JSON resource the server serves (schemas/openapi.yaml describes each; a test checks both agree).
    public static let all: [ResourceRoute] = [
        .write(
            "/v1/tickets",
            [
                .word("ticket"), .word("open"), .option("--client", .body("client"), required: true),
                .option("--subject", .body("subject"), required: true), .option("--contact", .body("contact")),
                .option("--category", .body("category")), .option("--priority", .body("priority")),
                .option("--source", .body("source")), .option("--description", .body("description")),
                .option("--assign", .body("assign")),
            ], status: .created),
        .read(
            "/v1/tickets",
            [
                .word("ticket"), .word("list"), .option("--client", .query("client")), .option("--status", .query("status")),
                .option("--priority", .query("priority")), .option("--assignee", .query("assignee")),
            ], list: true, limitFlag: "--limit"),
        .read("/v1/tickets/{number}", [.word("ticket"), .word("show"), .argument(.path("number"))]),
        .write(
            "/v1/tickets/{number}/comments",
            [.word("ticket"), .word("comment"), .flag("--internal", .body("internal")), .argument(.path("number")), .argument(.body("text"))],
            status: .created),
        .write(
            "/v1/tickets/{number}/close",
            [
                .word("ticket"), .word("close"), .option("--resolution", .body("resolution"), required: true),
                .option("--time", .body("time")), .option("--work-type", .body("workType")),
                .flag("--non-billable", .body("nonBillable")), .flag("--no-time", .body("noTime")),
                .option("--reason", .body("reason")), .argument(.path("number")),
            ]),
        .write(
            "/v1/tickets/{number}/assign",
            [.word("ticket"), .word("assign"), .option("--to", .body("to"), required: true), .argument(.path("number"))]),
        .write(
            "/v1/tickets/{number}/status",
            [.word("ticket"), .word("status"), .argument(.path("number")), .argument(.body("status"))]),
        .read(
            "/v1/queue",
            [
                .word("queue"), .option("--client", .query("client")), .option("--status", .query("status")),
                .option("--priority", .query("priority")), .option("--assignee", .query("assignee")),
                .flag("--mine", .query("mine")), .flag("--unassigned", .query("unassigned")),
            ], list: true, limitFlag: "--limit"),
        .write(
            "/v1/time",
            [
                .word("time"), .word("log"), .option("--work-type", .body("workType")), .option("--at", .body("at")),
                .flag("--non-billable", .body("nonBillable")), .option("--note", .body("note")), .option("--for", .body("for")),
                .argument(.body("ticket")), .argument(.body("duration")),
            ], status: .created),
        .read(
            "/v1/time",
            [
                .word("time"), .word("list"), .option("--ticket", .query("ticket")), .option("--tech", .query("tech")),
                .option("--from", .query("from")), .option("--to", .query("to")),
            ], list: true),
        .read(
            "/v1/sla",
            [
                .word("sla"), .flag("--at-risk", .query("atRisk")), .flag("--breached", .query("breached")),
                .option("--client", .query("client")),
            ], list: true, limitFlag: "--limit"),
        .read(
            "/v1/invoices",
            [
                .word("invoice"), .word("list"), .option("--client", .query("client")), .option("--period", .query("period")),
                .option("--status", .query("status")),
            ], list: true),
        .read("/v1/invoices/{invoice}", [.word("invoice"), .word("show"), .argument(.path("invoice"))]),
        .read("/v1/audit/invoices/{invoice}", [.word("audit"), .word("invoice"), .argument(.path("invoice"))]),
        .report("sla", [.option("--by", .query("by"))]),
        .report("closed-without-time", [.option("--tech", .query("tech")), .option("--client", .query("client"))]),
        .report("profitability", [.option("--by", .query("by"))]),
        .report("leakage"),
        .report("utilization", [.option("--capacity-hours-per-week", .query("capacityHoursPerWeek"))]),
        .report("volume"),
    ]
}
