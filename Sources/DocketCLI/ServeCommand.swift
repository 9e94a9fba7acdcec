import ArgumentParser
import DocketApp
import DocketServer
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
            TLS: put nginx or Caddy in front (docs/operations.md).
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
            let session = try StoreAccess.open(path)
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
            var logger = Logger(label: "docket")
            logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
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
                companions: listener.map { [LMTPCompanion(listener: $0)] } ?? [],
                onListening: { FileHandle.standardOutput.write(Data("docket: listening on \($0)\n".utf8)) })
            do {
                try Self.block { try await server.run() }
            } catch let problem as Problem {
                // A start-up refusal (an address in use, a --socket at a file): its one line and exit code.
                throw CLIError.server(problem.exitCode, problem.detail)
            }
        }
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
