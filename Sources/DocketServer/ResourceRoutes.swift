import DocketTime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves ``ResourceRoute/all``: each route calls the services as the caller. Reads answer JSON (times as RFC 3339,
/// as the output types encode them) and lists paginated; writes `{"result": …}` with what the CLI prints; a failure is
/// a problem+json answer with the CLI's exit-code category.
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
        let input = try RouteInput(
            fields: route.fields, path: { context.parameters.get($0) }, query: { request.uri.queryParameters.get($0) }, body: body,
            actor: caller.login, commandId: commandId, fetch: page.map { $0.offset + $0.limit + 1 } ?? ResourceRoutes.defaultPage)
        switch try await routes.answer(route, input, asOf: asOf) {
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

    private func jsonBody(_ request: Request, context: DocketRequestContext) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        guard buffer.readableBytes > 0 else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw Problem.badRequest("the body is not a JSON object")
        }
        return object
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
