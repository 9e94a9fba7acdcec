import DocketApp
import Foundation

/// How a route answered by the services works: it reads the request's fields (``RouteInput``) and calls the
/// application (blocking: it runs on the application's own threads, never on the cooperative pool).
typealias ServiceHandler = @Sendable (RouteInput, DocketApplication) throws -> RouteAnswer

/// What a route answered by the services returns.
enum RouteAnswer: Sendable {
    /// A write's answer, `{"result": text}`: what the CLI command prints (`T-1001`, `T-1001: assigned to bob`).
    case result(String)
    /// A read's answer: the JSON the CLI command's `--json` prints (its pages are shaped after).
    case json(Data)

    /// `value` as JSON, encoded as the CLI's `--json` encodes it.
    static func encoding(_ value: some Encodable) throws -> RouteAnswer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .json(try encoder.encode(value))
    }
}

/// One request to a route answered by the services: its path parameters, query parameters and the JSON body
/// fields it reads (numbers and booleans as text, as the CLI would get them), who sent it, and its command id.
/// A value that cannot be read is a 400 naming the field, as a bad CLI argument is a usage error (exit 64).
struct RouteInput: Sendable {
    let path: [String: String]
    let query: [String: String]
    let body: [String: String]
    /// The caller the server identified: the command acts as this user.
    let actor: String
    /// From `Idempotency-Key` (writes).
    let commandId: String?
    /// For a list: how many items the page needs (its offset and limit, and one more to know there is a next page).
    let fetch: Int
    /// From `If-Match` (writes on a ticket): the version the caller saw; nil to change it whatever its version.
    var expectedVersion: UInt64? = nil

    /// Reads `fields` from the request; a body field that is not a string, number or boolean is a 400, and so is one
    /// the route does not read: a misspelt field (`work_type`, `non_billable`) was dropped without a word, and the
    /// time was logged as remote, or billable.
    init(
        fields: [ResourceRoute.Source], path: (String) -> String?, query: (String) -> String?, body: [String: Any], actor: String,
        commandId: String?, fetch: Int
    ) throws {
        var pathValues: [String: String] = [:]
        var queryValues: [String: String] = [:]
        var bodyValues: [String: String] = [:]
        let known = Set(fields.compactMap { if case .body(let name) = $0 { name } else { nil } })
        if let unknown = body.keys.sorted().first(where: { !known.contains($0) }) {
            throw Problem.badRequest(
                known.isEmpty
                    ? "this route reads no body field, not \(unknown); send an empty object"
                    : "unknown field \(unknown); the fields are \(known.sorted().joined(separator: ", "))")
        }
        for field in fields {
            switch field {
            case .path(let name): pathValues[name] = path(name)
            case .query(let name): queryValues[name] = query(name)
            case .body(let name): bodyValues[name] = try Self.text(of: body[name], name)
            }
        }
        if let commandId, let problem = CommandIds.problem(commandId, "Idempotency-Key") { throw Problem.badRequest(problem) }
        self.path = pathValues
        self.query = queryValues
        self.body = bodyValues
        self.actor = actor
        self.commandId = commandId
        self.fetch = fetch
    }

    /// What this request asks of `route`, for its command id (``RequestFingerprint``): the method, the route and every
    /// field read, in a canonical order; nil without a command id. The same request sent again is a retry; another
    /// request with the same `Idempotency-Key` is refused (422) rather than answered with the first one's result.
    func fingerprint(for route: ResourceRoute) -> RequestFingerprint? {
        guard let commandId else { return nil }
        let fields = [("path", path), ("query", query), ("body", body)].flatMap { kind, values in
            values.sorted { $0.key < $1.key }.map { "\(kind).\($0.key)=\($0.value)" }
        }
        return RequestFingerprint(commandId: commandId, request: (["\(route.method) \(route.routerPath)"] + fields).joined(separator: "\u{0}"))
    }

    /// The version an `If-Match` header names: an entity tag as ``ResourceRoutes`` sends them (`"7"`, also read
    /// unquoted or weak); `*` (any version) is nil. Anything else is a 400.
    static func expectedVersion(ifMatch header: String?) throws -> UInt64? {
        guard let header else { return nil }
        var tag = header.trimmingCharacters(in: .whitespaces)
        if tag == "*" { return nil }
        if tag.hasPrefix("W/") { tag.removeFirst(2) }
        if tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") { tag = String(tag.dropFirst().dropLast()) }
        guard let version = UInt64(tag) else {
            throw Problem.badRequest("If-Match \(header) is not a ticket's ETag; send the ETag of GET /v1/tickets/{number}, e.g. \"7\"")
        }
        return version
    }

    /// The value of `source`, nil when absent.
    func text(_ source: ResourceRoute.Source) -> String? {
        switch source {
        case .path(let name): return path[name]
        case .query(let name): return query[name]
        case .body(let name): return body[name]
        }
    }

    /// The value of `source`; a 400 when it is absent.
    func required(_ source: ResourceRoute.Source) throws -> String {
        guard let value = text(source) else { throw Problem.badRequest("\(source.name) is required") }
        return value
    }

    /// A boolean field: absent or `false` is false, `true` (or empty) is true, anything else a 400.
    func flag(_ source: ResourceRoute.Source) throws -> Bool {
        switch text(source) {
        case nil, "false": return false
        case "true", "": return true
        case let other?: throw Problem.badRequest("\(source.name) must be true or false, not \(other)")
        }
    }

    /// `source` read by `make` (nil when absent); a value `make` refuses is a 400 saying what `expected` is.
    func parsed<T>(_ source: ResourceRoute.Source, _ expected: String, _ make: (String) -> T?) throws -> T? {
        guard let text = text(source) else { return nil }
        guard let value = make(text) else { throw Problem.badRequest("\(source.name) \"\(text)\" is not \(expected)") }
        return value
    }

    /// As ``parsed(_:_:_:)``, and a 400 when absent.
    func requiredParsed<T>(_ source: ResourceRoute.Source, _ expected: String, _ make: (String) -> T?) throws -> T {
        guard let value = try parsed(source, expected, make) else { throw Problem.badRequest("\(source.name) is required") }
        return value
    }

    /// A body value as the CLI would get it on its command line.
    static func text(of value: Any?, _ name: String) throws -> String? {
        switch value {
        case nil, is NSNull: return nil
        case let text as String: return text
        case let number as NSNumber:
            if isBoolean(number) { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default: throw Problem.badRequest("\(name) must be a string, a number or a boolean")
        }
    }
}
