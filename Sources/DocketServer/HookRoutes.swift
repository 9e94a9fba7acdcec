import AlertIntake
import DocketApp
import DocketTime
import Domain
import Foundation
import HTTPTypes
import Hooks
import Hummingbird
import NIOCore

/// The webhook routes (issue 13, docs/intake.md): Alertmanager, an RMM's signed generic alerts, and raw mail, each to
/// a webhook source (`docket hook create`). Every delivery goes through the same intake as `docket intake`, acting as
/// the source's user; it is refused (401, nothing written) without the source's secret, limited per source and per
/// client address (429), and bounded in size (413).
struct HookRoutes: Sendable {
    let app: DocketApplication
    let guards: HookGuards

    /// The routes, for ``DocketServer/operations``.
    static let paths: [(method: HTTPRequest.Method, path: String)] = [
        (.post, "/hooks/alertmanager/{source}"), (.post, "/hooks/alerts/{source}"), (.post, "/hooks/mail/{source}"), (.post, "/hooks/mail"),
    ]

    /// The largest alert delivery and the largest mail taken.
    static let maxAlertBytes = 4 << 20
    static let maxMailBytes = 25 << 20

    func register(on router: Router<DocketRequestContext>) {
        router.post("/hooks/alertmanager/:source") { request, context in
            try await alerts(request, context: context, format: .alertmanager)
        }
        router.post("/hooks/alerts/:source") { request, context in try await alerts(request, context: context, format: .generic) }
        router.post("/hooks/mail/:source") { request, context in try await mail(request, context: context, source: nil) }
        router.post("/hooks/mail") { request, context in try await mail(request, context: context, source: "mail") }
    }

    private func alerts(_ request: Request, context: DocketRequestContext, format: HookFormat) async throws -> Response {
        let source = context.parameters.get("source") ?? ""
        try limit(source: source, context: context)
        let body = Array(buffer: try await collect(request, upTo: Self.maxAlertBytes))
        let authority = try await authorize(source: source, format: format, request: request, body: body, context: context)
        defer { if let replayKey = authority.replayKey { guards.releaseUnlessTaken(replayKey) } }
        let batch: AlertBatch
        do {
            batch = try AlertParser.parse(body, format: format == .alertmanager ? .alertmanager : .generic)
        } catch {
            throw Problem(exitCode: 65, detail: "\(error)", status: .unprocessableContent)
        }
        let policy = AlertPolicy(defaultClient: authority.state.defaultClient)
        let intake = app.intake
        let actor = authority.state.actsAs
        let outcomes = try await BlockingWork.run { () -> Result<[AlertOutcome], Problem> in
            do {
                return .success(try intake.receiveAlerts(batch, policy: policy, as: actor))
            } catch let error as DomainError where error.code == .notFound || error.code == .invalid {
                return .failure(Problem(exitCode: 4, detail: error.message, status: .unprocessableContent))
            } catch {
                return .failure(Problem(exitCode: 1, detail: "the store cannot take the alerts now: \(error)", status: .serviceUnavailable))
            }
        }.get()
        if let replayKey = authority.replayKey { guards.taken(replayKey) }
        if let warning = batch.truncationWarning { context.logger.warning("webhook delivery to \(source): \(warning)") }
        for (alert, outcome) in zip(batch.alerts, outcomes) {
            if let warning = outcome.warning(for: alert, defaultClient: policy.defaultClient) {
                context.logger.warning("webhook delivery to \(source): \(warning)")
            }
        }
        let rows = zip(batch.alerts, outcomes).map { alert, outcome -> [String: String] in
            var row = ["fingerprint": alert.fingerprint, "status": alert.status.rawValue, "outcome": HookRoutes.describe(outcome)]
            if let ticket = HookRoutes.ticket(outcome) { row["ticket"] = ticket.description }
            return row
        }
        return jsonResponse(try JSONSerialization.data(withJSONObject: ["alerts": rows, "truncated": batch.truncated], options: [.sortedKeys]))
    }

    private func mail(_ request: Request, context: DocketRequestContext, source: String?) async throws -> Response {
        let source = source ?? context.parameters.get("source") ?? ""
        try limit(source: source, context: context)
        let raw = Array(buffer: try await collect(request, upTo: Self.maxMailBytes))
        let authority = try await authorize(source: source, format: .mail, request: request, body: raw, context: context)
        let delivery = MailDelivery(
            service: app.intake, policy: MailPolicy(triageClient: authority.state.defaultClient, attachmentsFolder: app.store.path + "/attachments"),
            actor: authority.state.actsAs)
        let outcome = try await BlockingWork.run { delivery.deliver(raw) }
        switch outcome {
        case .delivered(let text):
            return jsonResponse(try JSONSerialization.data(withJSONObject: ["result": text], options: [.sortedKeys]))
        case .tryLater(let text):
            var problem = Problem(exitCode: 1, detail: text, status: .serviceUnavailable)
            problem.title = "try later"
            return problem.response()
        case .rejected(let text), .refusedSender(reason: let text):
            return Problem(exitCode: 65, detail: text, status: .unprocessableContent).response()
        }
    }

    /// The source's state when the request carries its secret: a signature for `generic`, bearer or basic otherwise.
    /// An unknown source, another format, or a wrong secret all answer the same 401.
    /// A hook key that is missing (while sources exist), unreadable, not 32 bytes, or not the one the secrets were sealed
    /// under answers 503 naming the cause and the fix (``HookKeyProblem``), and is logged: it is the server's problem,
    /// not the sender's, and the sender retries.
    private func authorize(
        source: String, format: HookFormat, request: Request, body: [UInt8], context: DocketRequestContext
    ) async throws -> (state: HookState, replayKey: [UInt8]?) {
        let app = app
        let guards = guards
        let found = try await BlockingWork.run { () -> Result<HookAuthority?, Problem> in
            do {
                guard let key = try guards.key(folder: app.store.path) else {
                    // No key file: fine while no source was ever made; with sources, every delivery fails until it is back.
                    if try !app.intake.hookSources().isEmpty { return .failure(HookKeyProblem.missing(store: app.store.path)) }
                    return .success(nil)
                }
                return .success(try app.intake.hookAuthority(source, key: key))
            } catch let error as HookKeyError {
                return .failure(HookKeyProblem.unusable(store: app.store.path, error.message))
            } catch let error as DomainError where error.code == .invalid {
                return .failure(HookKeyProblem.otherKey(error.message))
            }
        }.mapError { problem -> Problem in
            context.logger.error("webhook delivery to \(source) not checked: \(problem.detail)")
            return problem
        }.get()
        let refused = Problem.unauthenticated("unknown webhook source or wrong secret for \(source); see `docket hook list`")
        guard let found, found.state.format == format else { throw refused }
        switch format {
        case .generic:
            let now = SystemClock().now()
            switch HookSignature.verify(header: request.headers[HTTPField.Name(HookSignature.header)!], body: body, secrets: found.secrets, now: now) {
            case .failure(let failure): throw Problem.unauthenticated(failure.description)
            case .success(let parsed):
                let replayKey = ReplayGuard.key(source: source, timestamp: parsed.timestamp, body: body)
                guard guards.claim(replayKey, now: now) else { throw Problem.unauthenticated(HookSignature.Failure.replayed.description) }
                return (found.state, replayKey)
            }
        case .alertmanager, .mail:
            guard let presented = HookCredentials.presented(authorization: request.headers[.authorization]),
                HookCredentials.matches(presented, secrets: found.secrets)
            else { throw refused }
            return (found.state, nil)
        }
    }

    private func limit(source: String, context: DocketRequestContext) throws {
        let address = context.channel.remoteAddress?.ipAddress ?? "local"
        if let wait = guards.limit(source: source, address: address, now: SystemClock().now()) {
            var problem = Problem(exitCode: 6, detail: "too many requests; retry in \(wait) s", status: .tooManyRequests)
            problem.title = "rate limited"
            problem.retryAfter = wait
            throw problem
        }
    }

    private func collect(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw Problem(exitCode: 65, detail: "the body is over \(limit) bytes", status: .contentTooLarge)
        }
    }

    static func describe(_ outcome: AlertOutcome) -> String {
        switch outcome {
        case .opened, .openedForFormerClient: "opened"
        case .occurrence: "occurrence"
        case .reopened, .reopenedStillFiring: "reopened"
        case .autoResolved: "auto-resolved"
        case .noted: "noted"
        case .leftOpen: "left-open"
        case .silenced: "silenced"
        case .dropped: "dropped"
        case .stale: "stale"
        }
    }

    static func ticket(_ outcome: AlertOutcome) -> TicketNumber? {
        switch outcome {
        case .opened(let n), .openedForFormerClient(let n, _), .occurrence(let n), .reopened(let n), .reopenedStillFiring(let n), .autoResolved(let n), .noted(let n), .leftOpen(let n), .stale(let n), .silenced(let n, _): n
        case .dropped: nil
        }
    }
}

/// The answers for a hook key the server cannot use: 503 (the sender retries once it is fixed), exit 1, the cause and the
/// fix (docs/intake.md, "Where the secret is kept").
enum HookKeyProblem {
    static func missing(store: String) -> Problem {
        problem(
            "the hook key \(store)/\(HookKey.fileName) is missing, so no webhook secret can be checked; put back the copy "
                + "kept apart from the backups, or re-provision each source with `docket hook rotate SOURCE` (docs/intake.md)")
    }

    static func unusable(store: String, _ reason: String) -> Problem {
        problem(
            "the hook key \(store)/\(HookKey.fileName) is not usable (\(reason)); put back the copy kept apart from the "
                + "backups, or remove it and re-provision each source with `docket hook rotate SOURCE` (docs/intake.md)")
    }

    /// A secret sealed under another key: the decider's message names both keys and the fix.
    static func otherKey(_ message: String) -> Problem { problem(message) }

    private static func problem(_ detail: String) -> Problem {
        var problem = Problem(exitCode: 1, detail: detail, status: .serviceUnavailable)
        problem.title = "hook key"
        return problem
    }
}

/// The server's memory for webhooks: the hook key (read once it exists), signed requests seen (replays), and request
/// limits per source and per client address.
final class HookGuards: @unchecked Sendable {
    // @unchecked Sendable: `state` is only touched under `lock`.
    private let lock = NSLock()
    private var state: GuardState

    /// Guards allowing `perMinute` requests per minute per webhook source (a tenth of it at once, at least 5) and
    /// twice that per client address.
    init(perMinute: Int) {
        state = GuardState(
            perSource: RateLimiter(burst: max(5, perMinute / 10), perMinute: perMinute),
            perAddress: RateLimiter(burst: max(10, perMinute / 5), perMinute: 2 * perMinute))
    }

    private func withState<T>(_ body: (inout GuardState) -> T) -> T {
        lock.withLock { body(&state) }
    }

    private struct GuardState {
        var key: HookKey?
        var replays = ReplayGuard()
        var claimed: Set<[UInt8]> = []
        var perSource: RateLimiter
        var perAddress: RateLimiter
    }

    /// The store's hook key, nil while no webhook source was ever created.
    func key(folder: String) throws -> HookKey? {
        if let key = withState({ $0.key }) { return key }
        let key = try HookKey.load(inFolder: folder, create: false)
        withState { $0.key = key }
        return key
    }

    func claim(_ key: [UInt8], now: Timestamp) -> Bool {
        withState {
            guard $0.replays.claim(key, now: now) else { return false }
            $0.claimed.insert(key)
            return true
        }
    }

    /// The delivery behind `key` was taken: the claim stays.
    func taken(_ key: [UInt8]) { withState { _ = $0.claimed.remove(key) } }

    /// The delivery behind `key` was not taken (refused, or the store failed): the sender may retry it.
    func releaseUnlessTaken(_ key: [UInt8]) {
        withState {
            guard $0.claimed.remove(key) != nil else { return }
            $0.replays.release(key)
        }
    }

    /// Nil when the request may go on, else the seconds to wait.
    func limit(source: String, address: String, now: Timestamp) -> Int? {
        withState { $0.perAddress.take(address, now: now) ?? $0.perSource.take(source, now: now) }
    }
}
