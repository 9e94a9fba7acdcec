@testable import DocketServer
import Foundation
import HTTPTypes
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `docket serve`'s bounds on the work it takes, through a real server: the limits are flags (`--max-reads`,
/// `--max-writes`, `--read-threads`, `--idle-timeout`), the webhooks and the portal count against them, and an idle or
/// half-closed connection is closed. A write slot is held by a request whose body never finishes arriving (the
/// server takes a request from its head to its answer), so "full" is a state the test sets, not a race it wins.
@Suite(.serialized) struct ServerLimitsTests {
    /// A store with a client and ann's token; the server started with `arguments` on HTTP only.
    func serve(_ arguments: [String]) throws -> (served: ServedStore, token: String, port: UInt16) {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        #expect(try served.docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        let token = try served.docket(["token", "create", "--user", "ann", "--name", "cli"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try served.start(socket: false, arguments: arguments)
        let port = try #require(served.address.split(separator: ":").last.flatMap { UInt16($0) })
        return (served, token, port)
    }

    /// Takes the server's one write slot (`--max-writes 1`): a `POST /v1/cli` whose body never finishes arriving.
    /// Returns once a write is refused 503, so the slot is known to be held.
    func holdTheWriteSlot(_ served: ServedStore, token: String, port: UInt16) throws -> RawConnection {
        let held = try RawConnection(port: port)
        // With a token: the caller is identified before the body is read, and one refused would free the slot.
        try held.send(
            "POST /v1/cli HTTP/1.1\r\nHost: docket\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"arg")
        for _ in 0..<200 {
            if try served.curl("POST", "/v1/cli", json: #"{"arguments":["queue"]}"#).status == 503 { return held }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("the held request never filled the write slot")
        return held
    }

    /// `docket_requests_shed_total{reason="busy-write"}` now.
    func busyWrites(_ served: ServedStore) throws -> Int {
        let text = try served.curl("GET", "/metrics").body
        let line = text.split(separator: "\n").first { $0.hasPrefix("docket_requests_shed_total{reason=\"busy-write\"}") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int(Double($0) ?? -1) } ?? 0
    }

    func client(_ served: ServedStore, token: String, retrySeconds: Int?) -> [String: String] {
        var environment = ["DOCKET_SERVER": served.address, "DOCKET_TOKEN": token]
        environment["DOCKET_RETRY_SECONDS"] = retrySeconds.map(String.init)
        return environment
    }

    // MARK: - The client waits out a busy server

    /// A busy server's 503 made the CLI fail at once (exit 1, `the server has 128 writes under way`): the write was
    /// lost. The client now sends the same request again after `Retry-After` and the command runs, once.
    @Test func theClientWaitsOutABusyServerAndTheCommandRunsOnce() throws {
        let (served, token, port) = try serve(["--max-writes", "1"])
        let held = try holdTheWriteSlot(served, token: token, port: port)
        let refusedBefore = try busyWrites(served)
        let (process, _, output, error) = try DocketProcess.start(
            ["ticket", "open", "--client", "acme", "--subject", "Printer", "--command-id", "busy-1"], store: served.store,
            environment: client(served, token: token, retrySeconds: 120))
        // The client's first try is refused (the slot is held); only then is the slot let go.
        var tries = 0
        while try busyWrites(served) == refusedBefore, tries < 600 {
            tries += 1
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try busyWrites(served) > refusedBefore, "the client's request was never refused")
        held.close()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stdout.hasPrefix("T-"), "\(stdout)")
        #expect(stderr.isEmpty, "no progress line when stderr is not a terminal: \(stderr)")
        let tickets = try served.docket(["ticket", "list", "--json"]).stdout
        #expect(tickets.components(separatedBy: "Printer").count == 2, "one ticket: \(tickets)")
    }

    /// Still busy when the wait is up: exit 75 (EX_TEMPFAIL) with one line naming the problem and what to do, nothing
    /// written; on a terminal one progress line says it is waiting. `DOCKET_RETRY_SECONDS=0` does not wait; a bad value
    /// is bad usage.
    @Test func aServerStillBusyWhenTheWaitIsUpIsExit75() throws {
        let (served, token, port) = try serve(["--max-writes", "1"])
        let held = try holdTheWriteSlot(served, token: token, port: port)
        defer { held.close() }
        let before = try served.eventCount()
        let open = ["ticket", "open", "--client", "acme", "--subject", "Printer"]
        let run = try DocketProcess.runEmbedded(open, store: served.store, environment: client(served, token: token, retrySeconds: 1))
        #expect(run.status == 75, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("the server at \(served.address) is busy (HTTP 503); it was still busy after 2 tries over 1 s"), "\(run.stderr)")
        #expect(run.stderr.contains("nothing was done: run the command again later, or set DOCKET_RETRY_SECONDS to wait longer (now 1 s)"), "\(run.stderr)")
        let terminal = try DocketProcess.runOnTerminal(open, store: served.store, environment: client(served, token: token, retrySeconds: 1), stderrToo: true)
        #expect(terminal.status == 75)
        #expect(terminal.stdout.components(separatedBy: "is busy; trying again for up to 1 s").count == 2, "one progress line: \(terminal.stdout)")
        let now = try DocketProcess.runEmbedded(open, store: served.store, environment: client(served, token: token, retrySeconds: 0))
        #expect(now.status == 75)
        #expect(now.stderr.contains("DOCKET_RETRY_SECONDS=0 asks not to wait"), "\(now.stderr)")
        var badEnvironment = client(served, token: token, retrySeconds: nil)
        badEnvironment["DOCKET_RETRY_SECONDS"] = "soon"
        let bad = try DocketProcess.runEmbedded(open, store: served.store, environment: badEnvironment)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("DOCKET_RETRY_SECONDS must be a whole number of seconds from 0 to 3600 (0: do not retry), not soon"), "\(bad.stderr)")
        #expect(try served.eventCount() == before, "nothing written")
    }

    // MARK: - The limits are flags

    /// The limits were hard-coded: now flags, shown in `serve --help`, checked (one line naming the flag and its range,
    /// exit 64), and shown on /metrics.
    @Test func theLimitsAreFlagsCheckedAndShown() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        for (flag, value, range) in [
            ("--max-reads", "0", "1 to 65536"), ("--max-writes", "4097", "1 to 4096"), ("--read-threads", "0", "1 to 256"),
            ("--idle-timeout", "0", "1 to 3600 seconds"),
        ] {
            let run = try served.docket(["serve", "--no-socket", "--listen", "127.0.0.1:0", flag, value])
            #expect(run.status == 64, "\(flag): \(run.stderr)")
            #expect(run.stderr.contains("\(flag) must be \(range), not \(value)"), "\(run.stderr)")
        }
        let help = try served.docket(["serve", "--help"]).stdout
        for flag in ["--max-reads", "--max-writes", "--read-threads", "--idle-timeout"] { #expect(help.contains(flag), "\(flag) in serve --help") }
        try served.start(socket: false, arguments: ["--max-reads", "7", "--max-writes", "3", "--read-threads", "2"])
        let metrics = try served.curl("GET", "/metrics").body
        #expect(metrics.contains("docket_requests_limit{kind=\"read\"} 7"), "\(metrics)")
        #expect(metrics.contains("docket_requests_limit{kind=\"write\"} 3"), "\(metrics)")
        #expect(metrics.contains("docket_read_threads 2"), "\(metrics)")
    }

    // MARK: - Webhooks and the portal count

    /// Webhook deliveries and portal forms were not counted: with every write slot taken, a webhook went on to check
    /// its secret against the store (401) and a portal form to be worked. Now both are refused at once: the webhook
    /// with the API's 503 problem, the portal with a small HTML page, each with `Retry-After`. A portal page (a read)
    /// is still served: reads have their own bound.
    @Test func webhooksAndPortalFormsCountAsWrites() throws {
        let (served, token, port) = try serve(["--max-writes", "1"])
        let held = try holdTheWriteSlot(served, token: token, port: port)
        defer { held.close() }
        let hook = try PortalBrowser(served, name: "hook").request("POST", "/hooks/alertmanager/prom", extra: ["--data-binary", "{}"])
        #expect(hook.status == 503, "\(hook.status) \(hook.body)")
        #expect(hook.header("Retry-After") == ["1"])
        #expect(hook.body.contains("urn:docket:problem:busy"), "\(hook.body)")
        let browser = PortalBrowser(served, name: "contact")
        #expect(try browser.get("/portal").status == 200, "a page is a read")
        let form = try browser.post("/portal/sign-in", [("email", "carla@acme.example")])
        #expect(form.status == 503, "\(form.status) \(form.body)")
        #expect(form.header("Retry-After") == ["1"])
        #expect(form.header("Content-Type").first?.hasPrefix("text/html") == true)
        #expect(form.body.contains("The support desk is busy right now; try again in a moment."), "\(form.body)")
    }

    /// Which requests the middleware takes, and as what.
    @Test(arguments: [
        ("GET", "/portal", "portal read"), ("GET", "/portal/tickets/T-1", "portal read"), ("POST", "/portal/sign-in", "portal write"),
        ("POST", "/hooks/mail", "hooks write"), ("POST", "/hooks/alerts/x", "hooks write"), ("GET", "/v1/queue", "-"),
        ("POST", "/v1/cli", "-"), ("GET", "/portalx", "-"), ("GET", "/healthz", "-"),
    ])
    func whatTheAdmissionMiddlewareTakes(_ method: String, _ path: String, _ expected: String) {
        let taken = AdmissionMiddleware.admission(method: .init(method)!, path: path)
        #expect(taken.map { "\($0.area) \($0.kind)" } ?? "-" == expected)
    }

    // MARK: - Idle and half-closed connections

    /// A connection that sends nothing, or stops half way through a request, is closed after `--idle-timeout`.
    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() throws {
        let (served, _, port) = try serve(["--idle-timeout", "1"])
        defer { _ = served.stop() }
        let silent = try RawConnection(port: port)
        let stalled = try RawConnection(port: port)
        try stalled.send("GET /v1/queue HTTP/1.1\r\nHost: do")
        for connection in [silent, stalled] {
            let (bytes, closed) = connection.readUntilClosed(within: 30)
            #expect(closed, "the server kept an idle connection open 30 s (--idle-timeout 1)")
            #expect(bytes.isEmpty)
            connection.close()
        }
    }

    /// A client that half-closes its connection after its request is taken for gone (docs/operations.md, "Under
    /// load"): its connection is closed at once (not after the 60 s idle timeout), nothing is answered and nothing
    /// of its write is done. The request and the close leave in one segment (TCP_CORK), so the server sees both in
    /// one read, before the request's work can start.
    @Test func aClientThatHalfClosesAfterItsRequestIsTakenForGone() throws {
        let (served, token, port) = try serve([])
        let before = try served.eventCount()
        let body = #"{"arguments":["ticket","open","--client","acme","--subject","Gone"]}"#
        let connection = try RawConnection(port: port)
        defer { connection.close() }
        connection.cork()
        try connection.send(
            "POST /v1/cli HTTP/1.1\r\nHost: docket\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        connection.shutdownWrite()
        let (bytes, closed) = connection.readUntilClosed(within: 30)
        #expect(closed, "the connection stayed open")
        #expect(bytes.isEmpty, "answered: \(String(decoding: bytes, as: UTF8.self))")
        #expect(try served.curl("GET", "/healthz").status == 200)
        #expect(try served.eventCount() == before, "nothing written for the write of a client that left")
    }
}

/// A client's TCP connection to the server on loopback, written by hand (curl always sends whole requests and reads
/// whole answers).
final class RawConnection: @unchecked Sendable {
    // @unchecked Sendable: used by one test on one thread.
    private var fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port.bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, result == 0 else { throw RawConnectionError("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw RawConnectionError("cannot send: \(String(cString: strerror(errno)))")
        }
    }

    /// Holds what is sent until the connection's write side is shut (then it leaves with the FIN).
    func cork() {
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// What the server sends until it closes the connection, and whether it did within `seconds`.
    func readUntilClosed(within seconds: Int) -> (bytes: [UInt8], closed: Bool) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                bytes += buffer[..<count]
                continue
            }
            if count < 0, errno == EINTR { continue }
            // 0: closed; ECONNRESET: closed with data unread; EAGAIN: the timeout.
            return (bytes, count == 0 || errno == ECONNRESET)
        }
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
}

struct RawConnectionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
