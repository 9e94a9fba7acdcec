import DocketTime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves ``ResourceRoute/all``: a route answered by the services calls them as the caller (``ServiceRoutes``); the
/// other reads run their CLI command in-process as the caller, its `--json` output the answer. Reads answer JSON (times
/// as RFC 3339, as the output types encode them) and lists paginated; writes `{"result": …}` with what the CLI prints; a failure is a
/// problem+json answer with the CLI's exit-code category.
struct ResourceRoutes: Sendable {
    let routes: Routes

    /// The default and largest page.
    static let defaultPage = 50
    static let maxPage = 500

    func register(on router: Router<DocketRequestContext>) {
        for route in ResourceRoute.all {
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                try await serve(route, request, context: context)
            }
        }
    }

    func serve(_ route: ResourceRoute, _ request: Request, context: DocketRequestContext) async throws -> Response {
        let caller = try await routes.identification.identify(request, context: context)
        let body = route.method == .post ? try await jsonBody(request, context: context) : [:]
        let page = route.isList ? try Page(request.uri.queryParameters) : nil
        let commandId = route.takesCommandId ? request.headers[HTTPField.Name("Idempotency-Key")!] : nil
        let asOf = route.isRead ? request.uri.queryParameters.get("asOf") : nil
        let answer: RouteAnswer
        switch route.answer {
        case .service(let fields, let handler):
            let input = try RouteInput(
                fields: fields, path: { context.parameters.get($0) }, query: { request.uri.queryParameters.get($0) }, body: body,
                actor: caller.login, commandId: commandId, fetch: page.map { $0.offset + $0.limit + 1 } ?? ResourceRoutes.defaultPage)
            answer = try await routes.answer(route, input, asOf: asOf)
        case .command(let parts):
            answer = try await command(route, parts, request, context: context, body: body, page: page, commandId: commandId, asOf: asOf, caller: caller)
        }
        switch answer {
        case .result(let text):
            return jsonResponse(try JSONSerialization.data(withJSONObject: ["result": text], options: [.sortedKeys]), status: route.successStatus)
        case .json(let data):
            guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
                throw Problem(exitCode: 1, detail: "the command's JSON output could not be read")
            }
            var value = parsed
            if let page {
                let items = value as? [Any] ?? []
                let slice = Array(items.dropFirst(page.offset).prefix(page.limit))
                let next = items.count > page.offset + page.limit ? String(page.offset + page.limit) : nil
                value = ["items": slice, "nextCursor": next as Any? ?? NSNull()] as [String: Any]
            }
            return jsonResponse(try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
        }
    }

    /// A route answered by its CLI command, run in-process as `caller`.
    private func command(
        _ route: ResourceRoute, _ parts: [ResourceRoute.Part], _ request: Request, context: DocketRequestContext, body: [String: Any],
        page: Page?, commandId: String?, asOf: String?, caller: Caller
    ) async throws -> RouteAnswer {
        var arguments = try Self.arguments(
            for: parts, path: { context.parameters.get($0) }, query: { request.uri.queryParameters.get($0) }, body: body)
        // Options go right after the command's words (`sla` has one, `invoice list` two).
        let afterWords = parts.prefix { if case .word = $0 { true } else { false } }.count
        if route.isRead { arguments.insert(route.jsonOption, at: afterWords) }
        if let flag = route.limitFlag, let page { arguments.insert("\(flag)=\(page.offset + page.limit + 1)", at: afterWords) }
        if let commandId { arguments.insert("--command-id=\(commandId)", at: afterWords) }
        let outcome = try await routes.run(CommandRequest(arguments: arguments, asOf: asOf), as: caller)
        guard outcome.status == 0 else { throw Problem.from(outcome) }
        return route.isRead ? .json(Data(outcome.stdout.utf8)) : .result(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func jsonBody(_ request: Request, context: DocketRequestContext) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        guard buffer.readableBytes > 0 else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw Problem.badRequest("the body is not a JSON object")
        }
        return object
    }

    /// The command's words for `parts`: options as `--flag=value`, then `--` and the positional arguments.
    static func arguments(
        for parts: [ResourceRoute.Part], path: (String) -> String?, query: (String) -> String?, body: [String: Any]
    ) throws -> [String] {
        func value(_ source: ResourceRoute.Source) throws -> String? {
            switch source {
            case .path(let name): return path(name)
            case .query(let name): return query(name)
            case .body(let name): return try RouteInput.text(of: body[name], name)
            }
        }
        var words: [String] = []
        var options: [String] = []
        var positionals: [String] = []
        for part in parts {
            switch part {
            case .word(let word): words.append(word)
            case .option(let flag, let source, let required):
                if let text = try value(source) {
                    options.append("\(flag)=\(text)")
                } else if required {
                    throw Problem.badRequest("\(source.name) is required")
                }
            case .flag(let flag, let source):
                switch try value(source) {
                case nil, "false": break
                case "true", "": options.append(flag)
                case let other?: throw Problem.badRequest("\(source.name) must be true or false, not \(other)")
                }
            case .argument(let source):
                guard let text = try value(source) else { throw Problem.badRequest("\(source.name) is required") }
                positionals.append(text)
            }
        }
        return words + options + (positionals.isEmpty ? [] : ["--"] + positionals)
    }
}

/// `?limit=&cursor=` on a list: the cursor is the offset of the page's first item.
struct Page {
    let offset: Int
    let limit: Int

    init(_ query: Parameters) throws {
        let limitText = query.get("limit") ?? String(ResourceRoutes.defaultPage)
        guard let limit = Int(limitText), (1...ResourceRoutes.maxPage).contains(limit) else {
            throw Problem.badRequest("limit must be 1 to \(ResourceRoutes.maxPage)")
        }
        let cursorText = query.get("cursor") ?? "0"
        guard let offset = Int(cursorText), offset >= 0 else { throw Problem.badRequest("cursor \(cursorText) is not one this API gave") }
        self.limit = limit
        self.offset = offset
    }
}

/// Whether JSONSerialization read `number` from `true` or `false`.
func isBoolean(_ number: NSNumber) -> Bool {
    String(cString: number.objCType) == "c"
}
