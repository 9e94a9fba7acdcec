import DocketApp
import HTTPTypes

/// One JSON resource: an HTTP method and path, and how it is answered: by the application's services directly
/// (every write and the hot reads: ``ServiceRoutes``), or by the CLI command that does the same, run in-process
/// (the other reads: path parameters, query parameters and JSON body fields become its arguments and options).
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

    /// What answers a route.
    enum Answer: Sendable {
        /// The application's services, called by `handler` (blocking, on the application's own threads) with the
        /// request's `fields` read as text.
        case service(fields: [Source], handler: ServiceHandler)
        /// The CLI command `parts` spell, run in-process as the caller.
        case command([Part])
    }

    public let method: HTTPRequest.Method
    /// The path in OpenAPI form: `/v1/tickets/{number}`.
    public let path: String
    /// The CLI command that does the same (`ticket open`): the `command` label of the metrics.
    public let commandName: String
    let answer: Answer
    /// Reads answer JSON (a command route's `--json`, reports' `--format=json`: ``jsonOption``) and take
    /// `?asOf=` (the store as it stood then).
    public let isRead: Bool
    public let jsonOption: String
    /// Lists are paginated (`limit`, `cursor`); `limitFlag` is the command's own cap, raised to cover the page.
    public let isList: Bool
    public let limitFlag: String?
    /// Writes take their command id from `Idempotency-Key`.
    public let takesCommandId: Bool
    public let successStatus: HTTPResponse.Status

    /// The body fields and query parameters the route reads.
    public var fieldNames: [String] {
        let sources: [Source]
        switch answer {
        case .service(let fields, _): sources = fields
        case .command(let parts):
            sources = parts.compactMap { part in
                switch part {
                case .word: return nil
                case .option(_, let source, _), .flag(_, let source), .argument(let source): return source
                }
            }
        }
        return sources.compactMap { source in
            if case .path = source { return nil }
            return source.name
        }
    }

    /// The path in Hummingbird's form: `/v1/tickets/:number`.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
    }

    /// A read answered by a CLI command (`--json`, or ``jsonOption``).
    static func read(
        _ path: String, _ parts: [Part], list: Bool = false, limitFlag: String? = nil, jsonOption: String = "--json"
    ) -> ResourceRoute {
        ResourceRoute(
            method: .get, path: path, commandName: commandName(parts), answer: .command(parts), isRead: true, jsonOption: jsonOption,
            isList: list, limitFlag: limitFlag, takesCommandId: false, successStatus: .ok)
    }

    /// `GET /v1/reports/<name>?from=&to=…`: `docket report <name> --format=json`.
    static func report(_ name: String, _ options: [Part] = []) -> ResourceRoute {
        read(
            "/v1/reports/\(name)",
            [.word("report"), .word(name), .option("--from", .query("from"), required: true), .option("--to", .query("to"), required: true)]
                + options, jsonOption: "--format=json")
    }

    /// A read answered by the services: `GET path`, answering what `handler` returns.
    static func serviceRead(
        _ path: String, command: String, fields: [Source] = [], list: Bool = false, _ handler: @escaping ServiceHandler
    ) -> ResourceRoute {
        ResourceRoute(
            method: .get, path: path, commandName: command, answer: .service(fields: fields, handler: handler), isRead: true,
            jsonOption: "", isList: list, limitFlag: nil, takesCommandId: false, successStatus: .ok)
    }

    /// A write answered by the services: `POST path`, `{"result": …}` with what the CLI command prints.
    static func serviceWrite(
        _ path: String, command: String, fields: [Source], status: HTTPResponse.Status = .ok, _ handler: @escaping ServiceHandler
    ) -> ResourceRoute {
        ResourceRoute(
            method: .post, path: path, commandName: command, answer: .service(fields: fields, handler: handler), isRead: false,
            jsonOption: "", isList: false, limitFlag: nil, takesCommandId: true, successStatus: status)
    }

    /// The command's first words: `ticket list`.
    private static func commandName(_ parts: [Part]) -> String {
        parts.compactMap { part -> String? in
            if case .word(let word) = part { return word }
            return nil
        }.joined(separator: " ")
    }
}

extension ResourceRoute {
    /// Every JSON resource the server serves (schemas/openapi.yaml describes each; a test checks both agree): the
    /// writes and hot reads answered by the services, then the reads answered by CLI commands.
    public static let all: [ResourceRoute] = ServiceRoutes.all + commandReads

    /// The reads still answered by their CLI command: lists of time, SLA clocks, invoices, the audit and reports.
    static let commandReads: [ResourceRoute] = [
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
