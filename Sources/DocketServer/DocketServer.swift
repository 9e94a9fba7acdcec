import DocketApp
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// `docket serve`: one process that owns the store and serves it on a Unix socket (callers identified by the
/// kernel) and on HTTP (callers identified by bearer tokens). SIGTERM and SIGINT drain in-flight requests (a request
/// still arriving after ``ServerSettings/drainTimeout`` has its connection closed: ``ArrivingRequests``), then `run()`
/// returns and the caller closes the store.
public struct DocketServer: Sendable {
    let app: DocketApplication
    let settings: ServerSettings
    let tokenUsage: TokenUsage
    let commands: CommandRunner
    let logger: Logger
    let metrics: ServerMetrics
    /// Where the requests' blocking work runs, bounded (reads apart from writes).
    let work: RequestWork
    /// Webhook replays and request limits, shared by every listener.
    let hookGuards: HookGuards
    /// The client portal's limits and public address.
    let portalGuard: PortalGuard
    let portalSite: PortalSite
    let onListening: @Sendable (String) -> Void
    /// What stops with the server (the LMTP listener).
    let companions: [any ServerCompanion]
    /// What the server does by itself on its clock (`--tick-every`, `--send-every`).
    let routines: [ServerRoutine]

    /// A server for `app`'s store; `tokenUsage` records each token's last use; `commands` runs CLI commands
    /// in-process; `onListening` gets each address once it is bound (`unix:PATH`, `http://HOST:PORT`); `companions`
    /// stop with it (told at SIGTERM, drained within ``ServerSettings/drainTimeout``, waited for before `run()` returns);
    /// `routines` run beside the listeners from the start, each on a thread of its own, until SIGTERM (none: the server
    /// only answers requests).
    public init(
        app: DocketApplication, settings: ServerSettings, tokenUsage: TokenUsage, commands: @escaping CommandRunner, logger: Logger,
        companions: [any ServerCompanion] = [], routines: [ServerRoutine] = [], onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.app = app
        self.settings = settings
        self.tokenUsage = tokenUsage
        self.commands = commands
        self.logger = logger
        self.metrics = ServerMetrics()
        self.work = RequestWork(
            reads: settings.maxWaitingReads, writes: settings.maxWaitingWrites, readThreads: settings.readThreads, metrics: metrics)
        metrics.configured(maxReads: settings.maxWaitingReads, maxWrites: settings.maxWaitingWrites, readThreads: settings.readThreads)
        self.hookGuards = HookGuards(perMinute: settings.hookRequestsPerMinute)
        self.portalGuard = PortalGuard(
            linkRequestsPerMinute: settings.portalLinkRequestsPerMinute, secureCookies: settings.portalURL?.lowercased().hasPrefix("https://") == true)
        self.portalSite = PortalSite(publicURL: settings.portalURL)
        self.onListening = onListening
        self.companions = companions
        self.routines = routines
    }

    /// Every operation the server answers, as `METHOD /path` (schemas/openapi.yaml documents each).
    public static var operations: [String] {
        (Routes.fixed.map { ($0.method, $0.path) } + ResourceRoute.all.map { ($0.method, $0.path) } + HookRoutes.paths.map { ($0.method, $0.path) }).map { "\($0.0.rawValue) \($0.1)" }
    }

    /// The client portal's HTML pages, as `METHOD /path`: not part of the JSON API, so not in schemas/openapi.yaml.
    public static var htmlPages: [String] { PortalRoutes.paths.map { "\($0.method.rawValue) \($0.path)" } }

    /// Serves until SIGTERM or SIGINT, then drains and returns.
    public func run() async throws {
        var services: [any Service] = []
        let idleTimeout = TimeAmount.nanoseconds(Int64(settings.idleTimeout.components.seconds) * 1_000_000_000)
        // The TCP address first, before anything listens: a port in use was found only once the socket was already
        // serving, so `docket: listening on unix:…` was printed, then HummingbirdCore's "Waiting on child channel:
        // CancellationError()", then the error.
        if let listen = settings.listen { try Listener.probe(listen) }
        if let path = settings.socketPath {
            try SocketFile.prepare(path)
            let group = settings.socketGroup
            let onListening = onListening
            let arriving = ArrivingRequests()
            let application = Application(
                router: router(), server: .http1(configuration: .init(additionalChannelHandlers: [arriving.handler()], idleTimeout: idleTimeout)),
                configuration: .init(address: .unixDomainSocket(path: path), serverName: "docket"),
                onServerRunning: { _ in
                    SocketFile.restrict(path, group: group)
                    onListening("unix:\(path)")
                }, logger: logger)
            services.append(Listener(application, address: "unix:\(path)", option: "--socket", arriving: arriving, drain: settings.drainTimeout))
        }
        if let listen = settings.listen {
            let onListening = onListening
            let portalSite = portalSite
            let arriving = ArrivingRequests()
            let application = Application(
                router: router(), server: .http1(configuration: .init(additionalChannelHandlers: [arriving.handler()], idleTimeout: idleTimeout)),
                configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "docket"),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? listen.port
                    portalSite.bound("http://\(ListenAddress("\(listen.host):\(port)")?.description ?? listen.description)")
                    onListening("http://\(ListenAddress("\(listen.host):\(port)")?.description ?? listen.description)")
                }, logger: logger)
            services.append(Listener(application, address: "http://\(listen)", option: "--listen", arriving: arriving, drain: settings.drainTimeout))
        }
        // After the listeners: the group stops its services from the last one, so a routine's pass under way ends (between
        // two deliveries) before the listeners drain, and the store is still open for it.
        services += routines.map { RoutineService($0, logger: logger) as any Service }
        // Last: the companions are told as soon as SIGTERM arrives and drain while the listeners do.
        if !companions.isEmpty { services.append(CompanionStop(companions: companions, drain: settings.drainTimeout)) }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            for companion in companions { companion.stop(drainingFor: .zero) }
            try await waitForCompanions()
            throw error
        }
        try await waitForCompanions()
        if let path = settings.socketPath { unlink(path) }
        try await BlockingWork.run { [app, tokenUsage] in try tokenUsage.flush(at: try app.now()) }
    }

    /// Blocks (off the cooperative pool) until every companion's work under way has ended.
    private func waitForCompanions() async throws {
        for companion in companions { try await BlockingWork.run { companion.waitUntilStopped() } }
    }

    func router() -> Router<DocketRequestContext> {
        let router = Router(context: DocketRequestContext.self)
        router.add(middleware: RequestIdMiddleware())
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AdmissionMiddleware(work: work, portal: PortalRoutes(app: app, guards: portalGuard, site: portalSite)))
        let routes = Routes(
            app: app, identification: CallerIdentification(app: app, usage: tokenUsage, work: work), commands: commands, metrics: metrics,
            work: work)
        routes.register(on: router)
        HookRoutes(app: app, guards: hookGuards).register(on: router)
        PortalRoutes(app: app, guards: portalGuard, site: portalSite).register(on: router)
        return router
    }
}

/// Something the server runs beside its HTTP listeners that stops with them (`serve --lmtp`'s LMTP listener): told
/// when SIGTERM or SIGINT arrives, and waited for before ``DocketServer/run()`` returns, so the store is closed only
/// once its work under way has ended.
public protocol ServerCompanion: Sendable {
    /// Stops taking new work; work under way may go on for `drain`. Returns at once.
    func stop(drainingFor drain: Duration)
    /// Blocks until the work under way has ended.
    @available(*, noasync, message: "blocks until the work under way ends")
    func waitUntilStopped()
}

/// Tells the companions when the server begins to stop.
struct CompanionStop: Service {
    let companions: [any ServerCompanion]
    let drain: Duration

    func run() async throws {
        // Suspends until the group stops (SIGTERM, SIGINT), then returns and lets it go on.
        try? await gracefulShutdown()
        for companion in companions { companion.stop(drainingFor: drain) }
    }
}

/// One of the server's listeners: a failure to bind its address (in use, not allowed, not on this host) is a
/// ``Problem`` naming the address and the fix (exit 73), not NIO's bare `bind(descriptor:ptr:bytes:)` error. When the
/// server stops, a request still arriving `drain` after it began to gets its connection closed.
struct Listener: Service {
    let application: any Service
    /// `unix:PATH` or `http://HOST:PORT`.
    let address: String
    /// The option that gives another address.
    let option: String
    let arriving: ArrivingRequests
    let drain: Duration

    init(_ application: any Service, address: String, option: String, arriving: ArrivingRequests, drain: Duration) {
        (self.application, self.address, self.option, self.arriving, self.drain) = (application, address, option, arriving, drain)
    }

    func run() async throws {
        defer { arriving.stop() }
        do {
            try await withGracefulShutdownHandler {
                try await application.run()
            } onGracefulShutdown: { [arriving, drain] in
                arriving.close(after: drain)
            }
        } catch let error as IOError {
            throw Self.cannotListen(address, errno: error.errnoCode, option: option)
        }
    }

    /// Binds `address` once and lets it go, to refuse an address that cannot be listened on (in use, not this host's,
    /// not allowed) before any listener starts; the listener binds it again (the bound socket is closed at once, with
    /// `SO_REUSEADDR` as NIO sets it, so a port just released is not taken for one in use).
    static func probe(_ address: ListenAddress) throws {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address.host, String(address.port), &hints, &found) == 0, let first = found else {
            throw cannotListen("http://\(address)", errno: EADDRNOTAVAIL, option: "--listen")
        }
        defer { freeaddrinfo(found) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return }  // no socket to try with: the listener reports what is wrong
        defer { close(descriptor) }
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 {
            throw cannotListen("http://\(address)", errno: errno, option: "--listen")
        }
    }

    /// The problem for a listener that cannot bind `address` (`errno`).
    static func cannotListen(_ address: String, errno code: Int32, option: String) -> Problem {
        let reason: String
        switch code {
        case EADDRINUSE: reason = "the address is already in use (another docket serve, or another program); stop it, or give another \(option)"
        case EADDRNOTAVAIL: reason = "that address is not one of this host's; give another \(option)"
        case EACCES: reason = "permission denied (ports below 1024 need privileges; a socket needs a folder you can write); give another \(option)"
        default: reason = "\(String(cString: strerror(code))); give another \(option)"
        }
        return Problem(exitCode: 73, detail: "cannot listen on \(address): \(reason)")
    }
}

/// The Unix socket's file: a stale one from a crashed server is removed; a live one (another server) is refused.
enum SocketFile {
    static func prepare(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw Problem(exitCode: 73, detail: "\(path) exists and is not a socket; remove it or give another --socket")
        }
        if isListening(path) {
            throw Problem(exitCode: 73, detail: "another server is already listening on \(path); stop it first")
        }
        unlink(path)
    }

    /// Mode 0660 with `group` as the socket's group, else 0600.
    static func restrict(_ path: String, group: String?) {
        if let group, let entry = getgrnam(group) {
            _ = chown(path, uid_t.max, entry.pointee.gr_gid)
            _ = chmod(path, 0o660)
        } else {
            _ = chmod(path, 0o600)
        }
    }

    private static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
}
