import HTTPTypes
import Hummingbird

/// Takes the webhook and portal requests into the same bounds as the API's (``RequestWork/admitted(_:orElse:_:)``):
/// a `GET` or `HEAD` as a read, anything else as a write, from its arrival to its answer. They were not counted, so a
/// flood of webhook deliveries or portal pages went on working the store while the API answered 503. Refused: a webhook
/// gets the API's 503 problem with `Retry-After`, a portal page a small HTML page saying the desk is busy (503,
/// `Retry-After`). The API's routes count themselves (they pass a request's kind on: ``ResourceRoute/isRead``).
struct AdmissionMiddleware: RouterMiddleware {
    typealias Context = DocketRequestContext
    let work: RequestWork
    /// Renders the portal's busy page.
    let portal: PortalRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let (area, kind) = Self.admission(method: request.method, path: request.uri.path) else { return try await next(request, context) }
        return try await work.admitted(
            kind,
            orElse: { problem in
                guard area == .portal else { throw problem }
                var page = portal.errorPage(
                    .serviceUnavailable, "Busy", "The support desk is busy right now; try again in a moment.", request: request)
                page.headers[.retryAfter] = problem.retryAfter.map(String.init)
                return page
            }
        ) { try await next(request, context) }
    }

    enum Area { case hooks, portal }

    /// The part of the server a request for `path` belongs to and what it is taken as (`GET` and `HEAD`: a read); nil
    /// for the API, which counts itself, and anything else.
    static func admission(method: HTTPRequest.Method, path: String) -> (area: Area, kind: RequestWork.Kind)? {
        let area: Area
        if path == "/portal" || path.hasPrefix("/portal/") {
            area = .portal
        } else if path == "/hooks" || path.hasPrefix("/hooks/") {
            area = .hooks
        } else {
            return nil
        }
        return (area, method == .get || method == .head ? .read : .write)
    }
}
