import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An LMTP server on a Unix socket or a loopback TCP port: one thread per connection (at most
/// ``maxConnections``), each running an ``LMTPSession`` and handing finished messages to `deliver`, which runs on
/// that thread (it may block: it appends to the store). Replies go back in order, one per recipient.
///
/// Stopping drains (``stop(drainingFor:)``, then ``waitUntilStopped()``): no new connection is taken; an idle session
/// is answered `421 4.3.2` and closed at once; a transaction under way (`MAIL FROM` given, a message arriving or
/// being delivered) gets until the drain's end to finish and be answered per recipient, then `421`; one still
/// arriving then is answered `421` and closed with nothing taken. A delivery already running is never cut: a message
/// is either appended and answered `250`, or not appended and answered `4xx` (the MTA keeps it and retries; its
/// Message-ID makes the retry safe). A client that stops reading its replies holds nothing past the drain's end
/// either: the replies it has not taken by then are abandoned and its connection closed.
public final class LMTPListener: @unchecked Sendable {
    // @unchecked Sendable: the descriptor, the connection count and the stop are guarded by `lock`; sessions live on
    // their connection's thread only.

    /// Where to listen: `unix:/path` or a path starting with `/`, else `HOST:PORT`.
    public enum Address: Sendable, Equatable, CustomStringConvertible {
        case unix(String)
        case tcp(host: String, port: UInt16)

        /// Parses `/run/docket/lmtp`, `unix:/run/docket/lmtp`, `127.0.0.1:2424`; nil when malformed.
        public init?(_ text: String) {
            if text.hasPrefix("unix:") { self = .unix(String(text.dropFirst(5))); return }
            if text.hasPrefix("/") { self = .unix(text); return }
            guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
            let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            guard !host.isEmpty else { return nil }
            self = .tcp(host: host, port: port)
        }

        public var description: String {
            switch self {
            case .unix(let path): "unix:\(path)"
            case .tcp(let host, let port): "\(host):\(port)"
            }
        }
    }

    /// A listener that could not start.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let configuration: LMTPSession.Configuration
    /// The most connections served at once; more wait in the kernel's backlog.
    public let maxConnections: Int
    private let deliver: @Sendable (LMTPSession.Envelope) -> [LMTPSession.DeliveryStatus]
    private let lock = NSCondition()
    private var fd: Int32 = -1
    private var active = 0
    private var stopped = false
    /// When a stopping server ends the sessions still in a transaction.
    private var drainDeadline = ContinuousClock.now
    /// A pipe whose write end ``stop(drainingFor:)`` closes: its read end then polls readable in every session.
    private var stopPipe: (read: Int32, write: Int32) = (-1, -1)
    /// How long a session may wait for its client's next bytes.
    static let idleTimeout = Duration.seconds(300)
    /// The address bound (with the port the kernel chose for port 0).
    public private(set) var boundAddress: Address?

    /// A listener whose messages go to `deliver`, which returns one status per recipient of the envelope.
    public init(
        configuration: LMTPSession.Configuration, maxConnections: Int = 32,
        deliver: @escaping @Sendable (LMTPSession.Envelope) -> [LMTPSession.DeliveryStatus]
    ) {
        self.configuration = configuration
        self.maxConnections = max(1, maxConnections)
        self.deliver = deliver
    }

    /// Binds `address` and serves on a background thread until ``stop()``. A Unix socket is made mode 0600 (a stale
    /// socket file is replaced; any other file at the path is refused and left as it is).
    public func start(_ address: Address) throws {
        let socketFD: Int32
        switch address {
        case .unix(let path):
            socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw Failure(description: "socket path too long: \(path)") }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
            var info = stat()
            if lstat(path, &info) == 0 {
                // Only a stale socket is replaced: never a file, a folder or a link someone named by mistake.
                guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                    close(socketFD)
                    throw Failure(description: "\(path) exists and is not a socket; remove it or give another --listen")
                }
                unlink(path)
            }
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw failure("bind \(path)", socketFD) }
            chmod(path, 0o600)
            boundAddress = address
        case .tcp(let host, let port):
            socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var yes: Int32 = 1
            setsockopt(socketFD, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &addr.sin_addr) == 1 else {
                close(socketFD)
                throw Failure(description: "not an IPv4 address: \(host)")
            }
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw failure("bind \(host):\(port)", socketFD) }
            var actual = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
            boundAddress = .tcp(host: host, port: UInt16(bigEndian: actual.sin_port))
        }
        guard listen(socketFD, 64) == 0 else { throw failure("listen", socketFD) }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw failure("make a pipe", socketFD) }
        lock.withLock {
            fd = socketFD
            stopPipe = (ends[0], ends[1])
        }
        let thread = Thread { [self] in acceptLoop(socketFD) }
        thread.name = "docket-lmtp-accept"
        thread.start()
    }

    /// Stops accepting and tells every session the server stops: idle ones end now (`421`), transactions under way
    /// get until `drain` has passed to finish (see the type's comment). Returns at once; ``waitUntilStopped()`` waits
    /// for the sessions. Calling it again changes nothing.
    public func stop(drainingFor drain: Duration = .zero) {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            drainDeadline = .now + drain
            if fd >= 0 {
                shutdown(fd, Int32(SHUT_RDWR))
                close(fd)
                fd = -1
            }
            if stopPipe.write >= 0 {
                close(stopPipe.write)
                stopPipe.write = -1
            }
            lock.broadcast()
        }
        if case .unix(let path) = boundAddress { unlink(path) }
    }

    /// Blocks until every session has ended (after ``stop(drainingFor:)``: at most the drain, plus a delivery that
    /// was running then).
    @available(*, noasync, message: "blocks until the sessions end")
    public func waitUntilStopped() {
        lock.withLock {
            while active > 0 { lock.wait() }
            if stopPipe.read >= 0 {
                close(stopPipe.read)
                stopPipe.read = -1
            }
        }
    }

    private func failure(_ what: String, _ socketFD: Int32) -> Failure {
        let message = String(cString: strerror(errno))
        close(socketFD)
        return Failure(description: "cannot \(what): \(message)")
    }

    private func acceptLoop(_ listening: Int32) {
        while true {
            lock.withLock {
                while active >= maxConnections, !stopped { lock.wait() }
            }
            if lock.withLock({ stopped }) { return }
            let connection = accept(listening, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            // Counted only while not stopping, under the lock `waitUntilStopped()` reads the count with.
            let counted = lock.withLock { () -> Bool in
                guard !stopped else { return false }
                active += 1
                return true
            }
            guard counted else {
                write(connection, Array("421 4.3.2 \(configuration.hostname) shutting down, try again later\r\n".utf8))
                close(connection)
                return
            }
            let thread = Thread { [self] in
                serve(connection)
                close(connection)
                lock.withLock {
                    active -= 1
                    lock.broadcast()
                }
            }
            thread.name = "docket-lmtp"
            thread.start()
        }
    }

    /// One connection: greeting, then lines in, replies out, until QUIT, the client closing, an idle timeout, or the
    /// server stopping (``stop(drainingFor:)``).
    private func serve(_ connection: Int32) {
        var session = LMTPSession(configuration: configuration)
        var reader = LineReader(maxLineBytes: max(configuration.maxCommandBytes, 1 << 20))
        var pending = [session.greeting]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var told = false
        while true {
            var out: [UInt8] = []
            while !pending.isEmpty {
                switch pending.removeFirst() {
                case .reply(let line): out += Array((line + "\r\n").utf8)
                case .close:
                    write(connection, out)
                    return
                case .deliver(let envelope):
                    write(connection, out)
                    out = []
                    pending += session.delivered(deliver(envelope))
                }
            }
            if !out.isEmpty, !write(connection, out) { return }
            let (stopping, deadline, stopRead) = lock.withLock { (stopped, drainDeadline, stopPipe.read) }
            if stopping, !told {
                told = true
                pending = session.stop()
                continue
            }
            switch Self.awaitReady(connection, POLLIN, stop: told ? nil : stopRead, until: told ? deadline : .now + Self.idleTimeout) {
            case .ready: break
            case .stop: continue
            case .timedOut:
                guard told else { return }
                pending = session.cutOff()
                if pending.isEmpty { return }
                continue
            }
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { return }
            do {
                for line in try reader.lines(adding: buffer[0..<count]) { pending += session.receive(line: line) }
            } catch {
                write(connection, Array("500 5.5.2 line too long; closing\r\n".utf8))
                return
            }
        }
    }

    enum Awaited { case ready, stop, timedOut }

    /// Waits until `connection` is ready for `events` (`POLLIN`: bytes or its close; `POLLOUT`: room to send), `stop`
    /// polls readable (the server stops), or `deadline`.
    static func awaitReady(_ connection: Int32, _ events: Int32, stop: Int32?, until deadline: ContinuousClock.Instant) -> Awaited {
        var watched = [pollfd(fd: connection, events: Int16(events), revents: 0)]
        if let stop { watched.append(pollfd(fd: stop, events: Int16(POLLIN), revents: 0)) }
        while true {
            let left = deadline - .now
            guard left > .zero else { return .timedOut }
            let milliseconds = Int32(min((left / .milliseconds(1)).rounded(.up), 60_000))
            let ready = poll(&watched, nfds_t(watched.count), milliseconds)
            if ready < 0, errno != EINTR { return .ready }  // let the read or send report it
            guard ready > 0 else { continue }
            if watched[0].revents != 0 { return .ready }
            return .stop
        }
    }

    /// Sends all of `bytes`; false when the client is gone or has not taken them in time (the caller then closes the
    /// connection). A client that stops reading its replies is waited for as long as an idle one (``idleTimeout``),
    /// but once the server stops, only until the drain's end: a send blocked on such a client held the drain up for
    /// the 300 s send timeout, whatever `--drain-timeout` said. Replies it did not take by then are abandoned.
    @discardableResult
    private func write(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        let idleDeadline = ContinuousClock.now + Self.idleTimeout
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if sent > 0 {
                offset += sent
                continue
            }
            guard sent < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { return false }
            let (stopping, drainDeadline, stopRead) = lock.withLock { (stopped, self.drainDeadline, stopPipe.read) }
            let deadline = stopping ? min(idleDeadline, drainDeadline) : idleDeadline
            if Self.awaitReady(connection, POLLOUT, stop: stopping ? nil : stopRead, until: deadline) == .timedOut { return false }
        }
        return true
    }
}
