import ArgumentParser
import DocketApp
import DocketServer
import Domain
import Foundation
import LMTP
import Logging

/// `docket serve`: the process a team writes the store through (embedded writers of the store's owner may write beside it:
/// docs/operations.md, "Writers beside the server").
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the store to the team: a Unix socket (callers by OS account) and HTTP (callers by API token).",
        discussion: """
            docket serve --store /srv/docket   # <store>/docket.sock, HTTP on 127.0.0.1:8642
            Clients: DOCKET_SERVER=/srv/docket/docket.sock docket queue
                     DOCKET_SERVER=http://127.0.0.1:8642 DOCKET_TOKEN=dkt_… docket queue
            On the socket the kernel names the caller's OS account (a Docket user of the same login); on HTTP \
            the bearer token does. --as, $DOCKET_USER and the client's clock are not used. SIGTERM drains \
            in-flight requests (a request still arriving gets --drain-timeout seconds) and LMTP sessions (a message \
            under way gets as long to be delivered; an idle session is answered 421) and closes the store. \
            TLS: put nginx or Caddy in front (docs/operations.md). --tick-every 1m and --send-every 30s \
            --sendmail PATH run `docket tick` and `docket outbox send` in the server, on its clock, as \
            --service-user: no cron needed.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("The Unix socket (default: <store>/docket.sock).", valueName: "path")) var socket: String?
    @Flag(help: "Do not listen on a Unix socket.") var noSocket = false
    @Option(help: ArgumentHelp("An OS group allowed to use the socket (mode 0660; else 0600).", valueName: "group")) var group: String?
    @Option(help: ArgumentHelp("The HTTP address.", valueName: "host:port")) var listen = "127.0.0.1:8642"
    @Flag(help: "Do not listen on HTTP.") var noHttp = false
    @Flag(help: "Allow a non-loopback --listen address (put a TLS proxy in front of it).") var allowRemote = false
    @Option(help: ArgumentHelp("Also serve LMTP for an MTA: a Unix socket path or 127.0.0.1:PORT (docs/intake.md).", valueName: "address"))
    var lmtp: String?
    @Option(help: "The Docket user LMTP deliveries act as (a dispatcher).") var lmtpUser = "intake"
    @Option(help: "Webhook requests per minute per source (a tenth at once); twice that per client address.") var hookRate = 6_000
    @Option(help: "The client for LMTP mail from unknown senders and unreadable mail.") var lmtpTriageClient: String?
    @Option(help: ArgumentHelp("The client portal's public base URL (sign-in links start with it; https:// makes its cookies Secure).", valueName: "url"))
    var portalURL: String?
    @Option(help: "Portal sign-in link requests per minute per client address.") var portalLinkRate = 10
    @Option(
        help: ArgumentHelp(
            "How long SIGTERM waits for a request or an LMTP message still arriving, then closes its connection (running commands and deliveries finish).",
            valueName: "seconds"))
    var drainTimeout = 10
    @Option(
        help: ArgumentHelp(
            "How long a connection may stay idle (between requests, or stalled while sending one) before the server closes it.",
            valueName: "seconds"))
    var idleTimeout = 60
    @Option(
        help: ArgumentHelp(
            "The most reads (GET routes, portal pages) waiting or running at once; more are answered 503 with Retry-After (1 to \(Self.maxReadsRange.upperBound)).",
            valueName: "n"))
    var maxReads = 256
    @Option(
        help: ArgumentHelp(
            "The most writes (commands through `docket`, POST routes, webhooks, portal forms) waiting or running at once; more are answered 503 with Retry-After (1 to \(Self.maxWritesRange.upperBound); above \(DocketApplication.laneCount) they queue for the write lanes).",
            valueName: "n"))
    var maxWrites = DocketApplication.laneCount
    @Option(help: ArgumentHelp("The threads that run reads, apart from the writes (1 to \(Self.readThreadsRange.upperBound)).", valueName: "n"))
    var readThreads = 8
    @Option(
        help: ArgumentHelp(
            "Run `docket tick` in the server this often, the first time at start (1s to 1h, e.g. 1m), as --service-user: no cron for it.",
            valueName: "interval"))
    var tickEvery: String?
    @Option(
        help: ArgumentHelp(
            "Run `docket outbox send --sendmail PATH` in the server this often, the first time at start (1s to 1h, e.g. 30s), as --service-user.",
            valueName: "interval"))
    var sendEvery: String?
    @Option(help: ArgumentHelp("With --send-every: the sendmail-compatible program mail is handed to.", valueName: "path")) var sendmail: String?
    @Option(help: ArgumentHelp("The Docket user --tick-every and --send-every act as (a dispatcher: a service account).", valueName: "login"))
    var serviceUser = "scheduler"
    @Flag(help: ArgumentHelp("Commit each command alone (for comparing; group commit is the default).", visibility: .hidden))
    var noGroupCommit = false

    func validate() throws {
        guard let address = ListenAddress(listen) else { throw ValidationError("--listen \(listen) is not HOST:PORT; e.g. 127.0.0.1:8642") }
        if !address.isLoopback, !allowRemote {
            throw ValidationError("--listen \(listen) is not a loopback address: tokens would cross the network in clear; add --allow-remote behind a TLS proxy")
        }
        guard hookRate > 0 else { throw ValidationError("--hook-rate must be positive") }
        guard portalLinkRate > 0 else { throw ValidationError("--portal-link-rate must be positive") }
        guard (1...3_600).contains(drainTimeout) else { throw ValidationError("--drain-timeout must be 1 to 3600 seconds, not \(drainTimeout)") }
        guard (1...3_600).contains(idleTimeout) else { throw ValidationError("--idle-timeout must be 1 to 3600 seconds, not \(idleTimeout)") }
        for (flag, value, range) in [
            ("--max-reads", maxReads, Self.maxReadsRange), ("--max-writes", maxWrites, Self.maxWritesRange),
            ("--read-threads", readThreads, Self.readThreadsRange),
        ] where !range.contains(value) {
            throw ValidationError("\(flag) must be \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
        if let portalURL {
            let lower = portalURL.lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), URL(string: portalURL)?.host != nil, !portalURL.contains("?"), !portalURL.contains("#")
            else { throw ValidationError("--portal-url \(portalURL) is not an http(s) base URL; e.g. https://support.example.com") }
        }
        if noSocket, noHttp { throw ValidationError("--no-socket and --no-http leave nothing to serve; drop one") }
        if let group, getgrnam(group) == nil { throw ValidationError("--group \(group): no such OS group") }
        for (flag, value) in [("--tick-every", tickEvery), ("--send-every", sendEvery)] {
            guard let value else { continue }
            guard Self.intervalSeconds(value) != nil else {
                throw ValidationError("\(flag) takes an interval from 1s to 1h, e.g. 30s, 1m or 5m; not \(value)")
            }
        }
        switch (sendEvery, sendmail) {
        case (_?, nil): throw ValidationError("--send-every needs --sendmail PATH, the mail system's sendmail program, e.g. /usr/sbin/sendmail")
        case (nil, _?): throw ValidationError("--sendmail goes with --send-every; give both, or neither")
        case (_, let path?):
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
                FileManager.default.isExecutableFile(atPath: path)
            else {
                throw ValidationError("--sendmail \(path) is not an executable file; give the mail system's sendmail program, e.g. /usr/sbin/sendmail")
            }
        case (nil, nil): break
        }
        if let lmtp {
            guard let address = LMTPListener.Address(lmtp) else { throw ValidationError("--lmtp takes a socket path or 127.0.0.1:PORT, not \(lmtp)") }
            if case .tcp(let host, _) = address, !(host == "localhost" || host.hasPrefix("127.")) {
                throw ValidationError("--lmtp serves loopback or a Unix socket only: LMTP has no authentication")
            }
        }
    }

    func run() throws {
        let path = store.path
        try reportingFailures(store: path) {
            var logger = Logger(label: "docket")
            logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            let serverLog = logger
            let session = try StoreAccess.open(path) { message in
                // A client's command warns on the client's stderr, as embedded; the work the server does by itself (a
                // `--tick-every` tick, intake over LMTP or a webhook) in its own log, with the rest of what it did.
                guard ServedInvocation.current == nil else { return StoreAccess.printWarning(message) }
                serverLog.warning("\(ServerWork.current.map { "\($0): " } ?? "")\(message)")
            }
            if !noGroupCommit { session.log.enableGroupCommit() }
            let usage = TokenUsage(storePath: path)
            ServedStore.session = session
            ServedStore.tokenUsage = usage
            defer {
                AsOfReplays.removeAll()
                (ServedStore.session, ServedStore.tokenUsage) = (nil, nil)
            }
            var settings = ServerSettings(
                socketPath: noSocket ? nil : (socket ?? path + "/docket.sock"), socketGroup: group,
                listen: noHttp ? nil : ListenAddress(listen))
            settings.hookRequestsPerMinute = hookRate
            settings.portalURL = portalURL
            settings.portalLinkRequestsPerMinute = portalLinkRate
            settings.drainTimeout = .seconds(drainTimeout)
            settings.idleTimeout = .seconds(idleTimeout)
            (settings.maxWaitingReads, settings.maxWaitingWrites, settings.readThreads) = (maxReads, maxWrites, readThreads)
            // Before anything listens: a --service-user who cannot act refuses the start.
            let scheduled = try routines(session.app, store: path)
            let listener = try lmtp.flatMap(LMTPListener.Address.init).map { address in
                try LMTPServing.start(address, app: session.app, store: path, actor: lmtpUser, triageClient: lmtpTriageClient)
            }
            // The server stops the listener with its own drain (SIGTERM); this is for a server that never started.
            defer {
                listener?.stop()
                listener?.waitUntilStopped()
            }
            let server = DocketServer(
                app: session.app, settings: settings, tokenUsage: usage, commands: { InProcessCommands.run($0, actor: $1) }, logger: logger,
                companions: listener.map { [LMTPCompanion(listener: $0)] } ?? [], routines: scheduled,
                onListening: { FileHandle.standardOutput.write(Data("docket: listening on \($0)\n".utf8)) })
            do {
                try Self.block { try await server.run() }
            } catch let problem as Problem {
                // A start-up refusal (an address in use, a --socket at a file): its one line and exit code.
                throw CLIError.server(problem.exitCode, problem.detail)
            }
        }
    }

    /// The routines `--tick-every` and `--send-every` ask for, acting as `--service-user`, who must be an active user (and,
    /// to tick, one whose role works tickets: escalations assign and raise priorities as that user): refused at start
    /// otherwise, naming the fix, before anything listens.
    @available(*, noasync, message: "blocks on the store")
    private func routines(_ app: DocketApplication, store path: String) throws -> [ServerRoutine] {
        guard tickEvery != nil || sendEvery != nil else { return [] }
        let role: Role
        do {
            role = try app.context(for: serviceUser).actor.role
        } catch let error as DomainError {
            let why =
                error.code == .notFound
                ? "--service-user \(serviceUser) is not a Docket user; add it (`docket user add \(serviceUser) --name … --email … "
                    + "--role dispatcher --kind service`) or give another --service-user"
                : "--service-user \(serviceUser): \(error.message)"
            throw CLIError.server(CLIError.from(error, store: path).exitCode, why)
        }
        var routines: [ServerRoutine] = []
        if let tickEvery, let seconds = Self.intervalSeconds(tickEvery) {
            guard Permissions.allows(role, to: .workTickets) else {
                throw CLIError.forbidden(
                    "--service-user \(serviceUser) has role \(role), which cannot run tick: its escalations assign tickets and raise their "
                        + "priority; give a user with role tech, dispatcher or admin")
            }
            let user = serviceUser
            routines.append(ServerRoutine(name: "tick", every: .seconds(seconds)) { _ in
                // The server's log is for operators reading it beside its own RFC 3339 stamps: UTC, as they are. Its
                // reactions' warnings are logged as the tick's, as they arise.
                try ServerWork.$current.withValue("tick") {
                    try TickCommand.tick(app, as: user, time: { $0.iso8601 }).map { (level: Logger.Level.info, text: $0) }
                }
            })
        }
        if let sendEvery, let seconds = Self.intervalSeconds(sendEvery), let sendmail {
            let (user, pages) = (serviceUser, OutboxSend.pageSender(store: path))
            routines.append(ServerRoutine(name: "outbox send", every: .seconds(seconds)) { keepGoing in
                let deliveries = try app.outbox.sendOutbox(via: SendmailTransport(path: sendmail), pages: pages, as: user, while: keepGoing)
                return OutboxSend.lines(deliveries).map { (level: $0.failed ? Logger.Level.warning : Logger.Level.info, text: $0.text) }
            })
        }
        return routines
    }

    /// `30s`, `1m`, `2h` (or bare seconds) as seconds, from 1 s to 1 h; nil otherwise.
    static func intervalSeconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600]
        let unit = text.last.flatMap { units[$0] }
        let digits = unit == nil ? Substring(text) : text.dropLast()
        guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCII), let count = Int(digits) else { return nil }
        let seconds = count * (unit ?? 1)
        return (1...3_600).contains(seconds) ? seconds : nil
    }

    /// The values `--max-reads`, `--max-writes` and `--read-threads` take: past these a server only holds more requests
    /// in memory that would be answered too late to matter, or starts threads that only wait on the same store.
    static let maxReadsRange = 1...65_536
    static let maxWritesRange = 1...4_096
    static let readThreadsRange = 1...256

    /// Runs `work` to completion from this synchronous command (the main thread is not the cooperative pool).
    @available(*, noasync, message: "blocks the calling thread")
    static func block(_ work: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await work() } catch { failure.error = error }
            done.signal()
        }
        done.wait()
        if let error = failure.error { throw error }
    }

    private final class FailureBox: @unchecked Sendable {
        // @unchecked Sendable: written by the task before it signals, read after the wait.
        var error: (any Error)?
    }
}

/// The work `docket serve` is doing by itself on this thread (`tick`), named in its log beside that work's warnings.
enum ServerWork {
    @TaskLocal static var current: String?
}
