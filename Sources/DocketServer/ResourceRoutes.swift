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

    /// Answers `request` for `route`, taken as a read or a write (``RequestWork``: 503 when as many are under way as
    /// the server takes).
    func serve(_ route: ResourceRoute, _ request: Request, context: DocketRequestContext) async throws -> Response {
        try await routes.work.admitted(route.isRead ? .read : .write) { try await taken(route, request, context: context) }
    }

    private func taken(_ route: ResourceRoute, _ request: Request, context: DocketRequestContext) async throws -> Response {
        let caller = try await routes.identification.identify(request, context: context)
        let body = route.method == .post ? try await jsonBody(request, context: context) : [:]
        let page = route.isList ? try Page(request.uri.queryParameters) : nil
        let commandId = route.takesCommandId ? request.headers[HTTPField.Name("Idempotency-Key")!] : nil
        let asOf = route.isRead ? request.uri.queryParameters.get("asOf") : nil
        let expectedVersion = route.honoursIfMatch ? try RouteInput.expectedVersion(ifMatch: request.headers[.ifMatch]) : nil
        let input = { (fetch: Int) in
            var input = try RouteInput(
                fields: route.fields, path: { context.parameters.get($0) }, query: { request.uri.queryParameters.get($0) }, body: body,
                actor: caller.login, commandId: commandId, fetch: fetch)
            input.expectedVersion = expectedVersion
            return input
        }
        switch try await routes.answer(route, input(page?.fetch ?? ResourceRoutes.defaultPage), asOf: asOf, for: context.channel) {
        case .result(let text):
            return jsonResponse(try JSONSerialization.data(withJSONObject: ["result": text], options: [.sortedKeys]), status: route.successStatus)
        case .json(let data):
            var value = try Self.parse(data)
            if let page, let key = route.itemKey {
                var items = value as? [Any] ?? []
                var start = page.start(in: items, key: key)
                if start == nil, items.count >= page.fetch, case .json(let all) = try await routes.answer(route, input(Page.everything), asOf: asOf, for: context.channel) {
                    // The items the cursor names moved past what was fetched (many added before them): look at the whole list.
                    items = try Self.parse(all) as? [Any] ?? []
                    start = page.start(in: items, key: key)
                }
                guard let start else {
                    throw Problem(
                        exitCode: 3, detail: "the items before this cursor have all left the list since (closed or changed); start again from the first page")
                }
                let slice = Array(items.dropFirst(start).prefix(page.limit))
                let next = items.count > start + page.limit ? Page.cursor(after: slice, offset: start + page.limit, key: key) : nil
                value = ["items": slice, "nextCursor": next as Any? ?? NSNull()] as [String: Any]
            }
            var response = jsonResponse(try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
            if route.tagsVersion, let version = (value as? [String: Any])?["version"] as? NSNumber {
                response.headers[.eTag] = "\"\(version)\""
            }
            return response
        }
    }

    private static func parse(_ data: Data) throws -> Any {
        guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw Problem(exitCode: 1, detail: "the command's JSON output could not be read")
        }
        return parsed
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

/// `?limit=&cursor=` on a list. A cursor names the last items of the page before (their ids, up to ``anchors``) and
/// where it ended; the next page starts right after the last of them still listed, as the list stands now. A cursor
/// used to be the offset of the page's first item, so a change earlier in the list between two pages (a P1 ticket
/// opened, a ticket closed) shifted every later item: one was skipped, or shown twice. An item that changes its own
/// place (a new priority) can still move across a page boundary. An offset (a number, as cursors were) still works.
struct Page {
    let offset: Int
    let limit: Int
    /// The ids of the previous page's last items, oldest first; empty for the first page or an offset.
    let after: [String]
    /// How many of the previous page's last items a cursor names: the next page starts after any of them that is
    /// still listed, so closing the last one does not lose the place.
    static let anchors = 3
    /// Items fetched beyond the previous page's end, for those added before it since.
    static let slack = 200
    /// A fetch of the whole list (when the cursor's items moved further than ``slack``).
    static let everything = 1 << 30

    init(_ query: Parameters) throws {
        let limitText = query.get("limit") ?? String(ResourceRoutes.defaultPage)
        guard let limit = Int(limitText), (1...ResourceRoutes.maxPage).contains(limit) else {
            throw Problem.badRequest("limit must be 1 to \(ResourceRoutes.maxPage)")
        }
        self.limit = limit
        let cursorText = query.get("cursor") ?? "0"
        if let offset = Int(cursorText), offset >= 0 {
            (self.offset, self.after) = (offset, [])
            return
        }
        guard let (offset, after) = Self.decode(cursorText) else { throw Problem.badRequest("cursor \(cursorText) is not one this API gave") }
        (self.offset, self.after) = (offset, after)
    }

    /// How many items to ask the service for: through the previous page's end, this page and one more (is there a
    /// next?), and with a cursor room for items added before its place.
    var fetch: Int { offset + limit + 1 + (after.isEmpty ? 0 : Self.slack) }

    /// Where this page starts in `items` (each an object with its id under `key`): the offset, or right after the
    /// last of the cursor's items still there; nil when none is.
    func start(in items: [Any], key: String) -> Int? {
        guard !after.isEmpty else { return offset }
        var places: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            if let id = (item as? [String: Any])?[key] as? String, places[id] == nil { places[id] = index }
        }
        return after.reversed().lazy.compactMap { places[$0] }.first.map { $0 + 1 }
    }

    /// The cursor of the page after `page` (which ended at `offset`): `c` and, base64url, the offset and the ids of
    /// its last items, one a line.
    static func cursor(after page: [Any], offset: Int, key: String) -> String {
        let ids = page.suffix(anchors).compactMap { ($0 as? [String: Any])?[key] as? String }
        let text = ([String(offset)] + ids).joined(separator: "\n")
        return "c" + Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ cursor: String) -> (Int, [String])? {
        guard cursor.hasPrefix("c") else { return nil }
        var base64 = cursor.dropFirst().replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let offset = lines.first.flatMap({ Int($0) }), offset >= 0, lines.count > 1, lines.count <= anchors + 1 else { return nil }
        return (offset, Array(lines.dropFirst()))
    }
}

/// Whether JSONSerialization read `number` from `true` or `false`.
func isBoolean(_ number: NSNumber) -> Bool {
    String(cString: number.objCType) == "c"
}
