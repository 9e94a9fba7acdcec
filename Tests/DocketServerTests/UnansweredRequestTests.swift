import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `docket` client when the server closes the connection after the request and before its whole answer (it was
/// stopped, restarted or killed while the command ran): it said `the server's reply is not HTTP` (or, for an answer
/// cut short, `answered HTTP 200 without a command outcome; check DOCKET_SERVER`), as if DOCKET_SERVER named
/// something else, though the command may have been done. It now says so, and how to go on: run it again with its
/// command id (the caller's, or the one the client gave it); a command without one, check first. (Here the client
/// does not send it again, `DOCKET_RETRY_SECONDS=0`; `LostAnswerTests` has the client's own retries.)
@Suite(.serialized) struct UnansweredRequestTests {
    /// A server on loopback that reads each request whole, then for each word of its arguments in turn: `close`
    /// (no answer at all) or `cut` (a status line and half the body it announces).
    static let server = """
        import socket, sys
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        print(listener.getsockname()[1], flush=True)
        for mode in sys.argv[1:]:
            connection, _ = listener.accept()
            data = b""
            while b"\\r\\n\\r\\n" not in data:
                data += connection.recv(65536)
            head, _, body = data.partition(b"\\r\\n\\r\\n")
            length = int([line.split(b":")[1] for line in head.split(b"\\r\\n") if line.lower().startswith(b"content-length")][0])
            while len(body) < length:
                body += connection.recv(65536)
            if mode == "cut":
                connection.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 60\\r\\n\\r\\n{"status":0,"stdout":"T-10')
            connection.close()
        """

    @Test func aConnectionClosedBeforeTheAnswerSaysTheCommandMayHaveRunAndHowToRetry() throws {
        let folder = TemporaryFolder("docket-unanswered")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.server, "close", "cut", "close", "close"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let port = try ServerScope.firstLine(output.fileHandleForReading, within: 30).trimmingCharacters(in: .whitespacesAndNewlines)
        let client = ["DOCKET_SERVER": "http://127.0.0.1:\(port)", "DOCKET_TOKEN": "dkt_000000000000_00", "DOCKET_RETRY_SECONDS": "0"]
        let open = ["ticket", "open", "--client", "acme", "--subject", "Printer"]
        for arguments in [open + ["--command-id", "open-1"], open + ["--command-id=open-1"], open, ["queue"]] {
            let run = try DocketProcess.runEmbedded(arguments, store: folder.child("store"), environment: client)
            #expect(run.status == 1, "\(arguments): \(run.stderr)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(run.stderr)")
            #expect(run.stderr.contains("closed the connection before answering"), "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains("the command may have run"), "\(arguments): \(run.stderr)")
            #expect(!run.stderr.contains("not HTTP") && !run.stderr.contains("check DOCKET_SERVER"), "\(run.stderr)")
            if arguments.contains(where: { $0.hasPrefix("--command-id") }) {
                #expect(run.stderr.contains("run it again with --command-id open-1 once the server is back"), "\(run.stderr)")
            } else if arguments == open {
                #expect(run.stderr.contains("run it again with --command-id cli-"), "the client's own id: \(run.stderr)")
            } else {
                #expect(run.stderr.contains("check before running it again"), "a read has no id: \(run.stderr)")
            }
        }
    }
}
