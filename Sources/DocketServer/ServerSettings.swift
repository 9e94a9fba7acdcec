import DocketApp
import Foundation

/// Where and how `docket serve` listens.
public struct ServerSettings: Sendable {
    /// The Unix socket's path (nil: no socket).
    public var socketPath: String?
    /// The OS group given read-write access to the socket (mode 0660); nil: only the server's user (0600).
    public var socketGroup: String?
    /// The HTTP listener (nil: none).
    public var listen: ListenAddress?
    /// Webhook requests allowed per minute per source (a tenth at once), twice that per client address.
    public var hookRequestsPerMinute = 6_000
    /// The client portal's public base URL (`https://support.example`), which sign-in links start with; `https://`
    /// also makes its cookies `Secure`. Nil: the HTTP listener's own address (plain HTTP, for loopback use).
    public var portalURL: String?
    /// Portal sign-in link requests allowed per minute per client address (5 at once); each contact also gets at most
    /// 5 links an hour, counted in the log.
    public var portalLinkRequestsPerMinute = 10
    /// How long SIGTERM waits for a request still arriving before it closes that connection: a client that sent half
    /// a request and stopped would otherwise keep the server from stopping for as long as it stayed connected.
    /// Commands already running are not cut off: they finish and are answered.
    public var drainTimeout: Duration = .seconds(10)
    /// How long a connection may stay idle (between requests, or in the middle of sending one) before the server
    /// closes it; a request being answered is never cut.
    public var idleTimeout: Duration = .seconds(60)
    /// The most reads waiting or running at once; more are answered 503 with `Retry-After` at once (``RequestWork``).
    public var maxWaitingReads = 256
    /// The most writes (and `POST /v1/cli` commands) waiting or running at once, beyond which 503: as many as the
    /// application's blocking lanes, each then on a lane of its own where a group commit gathers it.
    public var maxWaitingWrites = DocketApplication.laneCount
    /// The threads that run reads.
    public var readThreads = 8

    public init(socketPath: String?, socketGroup: String?, listen: ListenAddress?) {
        self.socketPath = socketPath
        self.socketGroup = socketGroup
        self.listen = listen
    }
}

/// `HOST:PORT` for the HTTP listener (port 0: any free port, printed at start).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// Parses `127.0.0.1:8642`, `[::1]:8642` or `localhost:8642`; nil when malformed.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    /// Whether the host is a loopback address (only those are served without `--public`).
    public var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
