import DocketApp
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answer in RFC 9457 form (`application/problem+json`), with the CLI exit code of the same category.
public struct Problem: Error, Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// The exit code the CLI gives for the same failure (docs/cli.md).
    public var exitCode: Int32
    /// Seconds after which a retry may succeed, sent as `Retry-After` (not part of the body).
    public var retryAfter: Int?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, exitCode
    }

    public init(exitCode: Int32, detail: String, status: HTTPResponse.Status? = nil) {
        let status = status ?? ExitStatus.httpStatus(for: exitCode)
        let category = ExitStatus.category(for: exitCode)
        self.type = "urn:docket:problem:\(category)"
        self.title = category
        self.status = status.code
        self.detail = detail
        self.exitCode = exitCode
    }

    /// The caller is not identified (no, unknown, revoked or expired token; an unknown OS user): 401.
    public static func unauthenticated(_ detail: String) -> Problem {
        var problem = Problem(exitCode: 5, detail: detail, status: .unauthorized)
        problem.type = "urn:docket:problem:unauthenticated"
        problem.title = "unauthenticated"
        return problem
    }

    /// The server has as much work waiting as it takes (``RequestWork``): 503 with `Retry-After`, nothing run.
    static func busy(_ detail: String, retryAfter seconds: Int) -> Problem {
        var problem = Problem(exitCode: 1, detail: detail, status: .serviceUnavailable)
        problem.type = "urn:docket:problem:busy"
        problem.title = "busy"
        problem.retryAfter = seconds
        return problem
    }

    /// A request the API cannot read (bad JSON, a missing field, a bad query parameter): 400.
    public static func badRequest(_ detail: String) -> Problem { Problem(exitCode: 64, detail: detail) }

    /// Anything the application threw, classified as the CLI classifies it (``ApplicationFailure``), with the
    /// exit code the CLI gives it; a ticket not at the version `If-Match` named is 412.
    public static func from(_ error: any Error, store: String) -> Problem {
        let failure = ApplicationFailure(classifying: error, store: store)
        // A stale If-Match: the precondition the request set failed (RFC 9110), not a clash with the ticket's rules.
        let status: HTTPResponse.Status? = error is StaleTicketVersion ? .preconditionFailed : nil
        return Problem(exitCode: failure.kind.exitCode, detail: failure.message, status: status)
    }

    /// The response: the JSON body with `Content-Type: application/problem+json`.
    public func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(self)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"docket\"" }
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Turns a thrown ``Problem`` into its problem+json response.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response()
        } catch let gone as ClientGone {
            // Nobody reads it (the connection is closed): the status is for the log only, as nginx's 499.
            return Problem(exitCode: 1, detail: gone.description, status: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"))
                .response()
        } catch let error as HTTPError {
            return Problem(exitCode: error.status.code == 404 ? 4 : 64, detail: error.body ?? "\(error.status)", status: error.status)
                .response()
        }
    }
}
