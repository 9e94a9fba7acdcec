import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `docket serve` stopping (SIGTERM) while a client holds a request half sent: the server waited for the rest for as
/// long as the client stayed connected, so it never stopped (systemd kills it at TimeoutStopSec). It now waits
/// `--drain-timeout` seconds, closes that connection and stops, exit 0, with nothing written for the half request.
@Suite(.serialized) struct ServeShutdownTests {
    @Test func aRequestHalfSentDoesNotKeepTheServerFromStopping() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        try served.start(socket: false, arguments: ["--drain-timeout", "1"])
        let before = try served.eventCount()
        let token = try served.docket(["token", "create", "--user", "ann", "--name", "cli"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try #require(served.address.split(separator: ":").last.flatMap { UInt16($0) })
        let connection = try HalfRequest(port: port)
        defer { connection.close() }
        // Headers and the start of a body promised longer: the server waits for the rest.
        try connection.send(
            "POST /v1/tickets HTTP/1.1\r\nHost: docket\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                + "Content-Length: 200\r\n\r\n{\"client\":")
        Thread.sleep(forTimeInterval: 0.5)
        let process = try #require(served.process)
        let stopping = Date()
        process.terminate()
        while process.isRunning, Date().timeIntervalSince(stopping) < 20 { Thread.sleep(forTimeInterval: 0.1) }
        let stillRunning = process.isRunning
        connection.close()
        #expect(!stillRunning, "the server was still running 20 s after SIGTERM (--drain-timeout 1)")
        _ = served.stop()
        #expect(process.terminationStatus == 0)
        #expect(try served.eventCount() == before + 1, "only the token: nothing for the half request")
        #expect(try served.docket(["verify"]).status == 0)
    }
}

/// A client's TCP connection to the server on loopback, written by hand (curl always sends whole requests).
private final class HalfRequest: @unchecked Sendable {
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
        guard fd >= 0, result == 0 else { throw CocoaError(.fileReadUnknown) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
}
