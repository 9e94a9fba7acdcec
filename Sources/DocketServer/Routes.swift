import DocketApp
import DocketTime
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The server's routes: health, metrics, the CLI endpoint and the JSON resources.
struct Routes: Sendable {
    let app: DocketApplication
    let identification: CallerIdentification
    let commands: CommandRunner
    let metrics: ServerMetrics
    /// Where the requests' blocking work runs (``RequestWork``).
    let work: RequestWork

    /// The routes besides the JSON resources, each registered by ``register(on:)`` and answered by ``answer``.
    static let fixed: [(method: HTTPRequest.Method, path: String)] = [
        (.get, "/healthz"), (.get, "/readyz"), (.get, "/metrics"), (.get, "/v1/whoami"), (.post, "/v1/cli"),
    ]

    func register(on router: Router<DocketRequestContext>) {
        for (method, path) in Self.fixed {
            router.on(RouterPath(path), method: method) { request, context in try await answer(path, request, context: context) }
        }
        ResourceRoutes(routes: self).register(on: router)
    }

    private func answer(_ path: String, _ request: Request, context: DocketRequestContext) async throws -> Response {
        switch path {
        case "/healthz": return plainText("ok\n")
        case "/readyz": return try await ready()
        case "/metrics": return try await metricsResponse()
        case "/v1/whoami":
            let caller = try await work.admitted(.read) { try await identification.identify(request, context: context) }
            return try json(["login": caller.login, "via": caller.via])
        default: return try await commandLine(request, context: context)
        }
    }

    /// `POST /v1/cli`: runs one CLI command as the caller; the body is its outcome, the status its category. Taken as a
    /// write (its command may write: ``RequestWork``).
    func commandLine(_ request: Request, context: DocketRequestContext) async throws -> Response {
        try await work.admitted(.write) { try await takenCommandLine(request, context: context) }
    }

    private func takenCommandLine(_ request: Request, context: DocketRequestContext) async throws -> Response {
        let caller = try await identification.identify(request, context: context)
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        guard var command = try? JSONDecoder().decode(CommandRequest.self, from: Data(buffer: body)) else {
            throw Problem.badRequest("the body is not a command: send {\"arguments\": [\"ticket\", \"show\", \"T-1001\"]}")
        }
        // Checked here (a bad key is a 400 before anything runs); the command runner puts it in the arguments of a
        // write and leaves a read's as they are: a read has no --command-id, and took the key as an unknown option.
        command.idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        _ = try command.argumentsWithCommandId()
        let outcome = try await run(command, as: caller, for: context.channel)
        var response = try json(outcome)
        response.status = ExitStatus.httpStatus(for: outcome.status)
        return response
    }

    /// `arguments` with `Idempotency-Key` as the command's `--command-id`, as on every other write route: a retried
    /// POST writes nothing the second time. The header was not read here, so a retry ran the command again (a second
    /// ticket, a second time entry). The same id given both ways is the same; two different ids are refused.
    static func arguments(_ arguments: [String], idempotencyKey key: String) throws -> [String] {
        if let problem = CommandIds.problem(key, "Idempotency-Key") { throw Problem.badRequest(problem) }
        let end = arguments.firstIndex(of: "--") ?? arguments.endIndex
        for (index, word) in arguments[..<end].enumerated() {
            let given: String?
            if word == "--command-id" {
                given = index + 1 < end ? arguments[index + 1] : nil
            } else if word.hasPrefix("--command-id=") {
                given = String(word.dropFirst("--command-id=".count))
            } else {
                continue
            }
            guard given == key else {
                throw Problem.badRequest("Idempotency-Key \(key) and --command-id \(given ?? "") differ; give the command one id")
            }
            return arguments
        }
        return Array(arguments[..<end]) + ["--command-id", key] + arguments[end...]
    }

    /// Runs `command` as `caller` (of a request on `channel`) off the cooperative pool, with the writes (its command may
    /// write), and counts it.
    func run(_ command: CommandRequest, as caller: Caller, for channel: (any Channel)?) async throws -> CommandOutcome {
        let start = ContinuousClock.now
        let commands = commands
        let outcome = try await work.run(.write, for: channel) { commands(command, caller.login) }
        metrics.record(
            command: ServerMetrics.commandName(command.arguments, status: outcome.status), status: outcome.status,
            duration: ContinuousClock.now - start)
        return outcome
    }

    /// Answers a route of the services for a request on `channel`: its handler runs off the cooperative pool (a read
    /// with the reads, a write with the writes: ``RequestWork``), against the live store or, with `asOf`, a replay of
    /// it as of that moment (admins); anything it throws becomes the problem of the CLI's category. Counted as its
    /// CLI command.
    func answer(_ route: ResourceRoute, _ input: RouteInput, asOf: String?, for channel: (any Channel)?) async throws -> RouteAnswer {
        let handler = route.handler
        let start = ContinuousClock.now
        let moment = try asOf.map { text in
            guard let moment = Timestamp.typed(text) else {
                throw Problem.badRequest("asOf \(text) is not an RFC 3339 time; give e.g. 2026-11-01T00:00:00Z")
            }
            return moment
        }
        do {
            let answer = try await work.run(route.isRead ? .read : .write, for: channel) { [live = app] in
                do {
                    if let (action, fix) = route.requires { try live.log.require(input.actor, mayPerform: action, fix: fix) }
                    let app = try moment.map { try AsOfReplays.app(asOf: $0, live: live, actor: input.actor) } ?? live
                    return try RequestFingerprint.$current.withValue(input.fingerprint(for: route)) { try handler(input, app) }
                } catch let problem as Problem {
                    throw problem
                } catch {
                    throw Problem.from(error, store: live.store.path)
                }
            }
            metrics.record(command: route.commandName, status: 0, duration: ContinuousClock.now - start)
            return answer
        } catch let problem as Problem {
            metrics.record(command: route.commandName, status: problem.exitCode, duration: ContinuousClock.now - start)
            throw problem
        }
    }

    func ready() async throws -> Response {
        let store = app.store
        let alarm = try await work.run(.read, for: nil) { () -> String? in
            _ = try store.head()
            return store.integrityAlarm
        }
        if let alarm { throw Problem(exitCode: 2, detail: alarm, status: .serviceUnavailable) }
        return plainText("ready\n")
    }

    private func plainText(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func metricsResponse() async throws -> Response {
        let store = app.store
        let metrics = metrics
        let text = try await work.run(.read, for: nil) { try metrics.exposition(store: store) }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `value` as a JSON response.
    func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return jsonResponse(try encoder.encode(value))
    }
}

/// A 200 response with a JSON body.
func jsonResponse(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}
