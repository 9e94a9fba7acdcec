import DocketApp
import Domain
import HTTPTypes

/// One JSON resource: an HTTP method and path, answered by the application's services directly, as the caller, with
/// what the CLI command that does the same would pass them (``ServiceRoutes``: the writes and the hot reads;
/// ``ReadRoutes``: the other reads).
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

    public let method: HTTPRequest.Method
    /// The path in OpenAPI form: `/v1/tickets/{number}`.
    public let path: String
    /// The CLI command that does the same (`ticket open`): the `command` label of the metrics.
    public let commandName: String
    /// The request's fields the handler reads (as text).
    let fields: [Source]
    /// Calls the services (blocking, on the application's own threads).
    let handler: ServiceHandler
    /// Reads answer JSON and take `?asOf=` (the store as it stood then).
    public let isRead: Bool
    /// Lists are paginated (`limit`, `cursor`): the key of their items' ids (``Page``); nil for other routes.
    let itemKey: String?
    /// Whether the route answers a paginated list.
    public var isList: Bool { itemKey != nil }
    /// Writes take their command id from `Idempotency-Key`.
    public let takesCommandId: Bool
    public let successStatus: HTTPResponse.Status
    /// A write on one ticket that honours `If-Match` with the ticket's version (its `ETag`): refused with 412 when the
    /// ticket changed since.
    public internal(set) var honoursIfMatch = false
    /// A read of one ticket: its JSON's `version` is sent as the `ETag`.
    public internal(set) var tagsVersion = false
    /// What the caller's role must allow (``Permissions``) and the way round a refusal, checked with the role they
    /// have now before anything is read, `?asOf=` or not; nil for a route every known, active user may call.
    public internal(set) var requires: (action: Action, fix: String)? = nil

    /// This route, answered only to a caller whose role may perform `action`; anyone else is refused (403) with `fix`.
    func requiring(_ action: Action, fix: String) -> ResourceRoute {
        var route = self
        route.requires = (action, fix)
        return route
    }

    /// This route, honouring `If-Match` (writes) or sending the `ETag` (reads) of a ticket's version.
    func versioned() -> ResourceRoute {
        var route = self
        if isRead { route.tagsVersion = true } else { route.honoursIfMatch = true }
        return route
    }

    /// The body fields and query parameters the route reads.
    public var fieldNames: [String] {
        fields.compactMap { source in
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

    /// A read answered by the services: `GET path`, answering what `handler` returns; a list of objects identified by
    /// their `listOf` key is paginated.
    static func serviceRead(
        _ path: String, command: String, fields: [Source] = [], listOf itemKey: String? = nil, _ handler: @escaping ServiceHandler
    ) -> ResourceRoute {
        ResourceRoute(
            method: .get, path: path, commandName: command, fields: fields, handler: handler, isRead: true, itemKey: itemKey,
            takesCommandId: false, successStatus: .ok)
    }

    /// A write answered by the services: `POST path`, `{"result": …}` with what the CLI command prints.
    static func serviceWrite(
        _ path: String, command: String, fields: [Source], status: HTTPResponse.Status = .ok, _ handler: @escaping ServiceHandler
    ) -> ResourceRoute {
        ResourceRoute(
            method: .post, path: path, commandName: command, fields: fields, handler: handler, isRead: false, itemKey: nil,
            takesCommandId: true, successStatus: status)
    }
}

extension ResourceRoute {
    /// Every JSON resource the server serves (schemas/openapi.yaml describes each; a test checks both agree): the
    /// writes and hot reads of tickets and time, then the other reads.
    public static let all: [ResourceRoute] = ServiceRoutes.all + ReadRoutes.all
}
