import Foundation
import TestSupport
import Testing

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
        let connection = try RawConnection(port: port)
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
