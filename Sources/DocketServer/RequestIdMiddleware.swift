import HTTPTypes
import Hummingbird

/// Echoes the request id Hummingbird puts in every request's log lines as `X-Request-Id`, so a client's report
/// can be matched with the server's log.
struct RequestIdMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[Self.header] = context.id
        return response
    }
}
