import ArgumentParser
@testable import DocketCLI
@testable import DocketClient
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A command whose answer the server lost (it was stopped, restarted or killed while the command ran) is sent again by
/// the client with the same command id, its own when the caller gave none, so that it is done once (``LostAnswer``).
/// Before, the client gave up at once ("the command may have run: check before running it again"), and a write from a
/// script during a server restart was either lost or, run again by hand, done twice. (Before that, the client said
/// `the server's reply is not HTTP`, or for an answer cut short `answered HTTP 200 without a command outcome; check
/// DOCKET_SERVER`, as if DOCKET_SERVER named something else.)
@Suite(.serialized) struct LostAnswerTests {
    /// A server on loopback that handles one connection per word of its arguments after the log file's path: `close`
    /// (reads the request, closes without an answer), `reset` (the same with a reset, as a killed server's kernel
    /// answers a request it had not read), `cut` (a status line and half the body it announces), `restart` (the same, then stops listening for a second and
    /// listens on the same port again), `answer` (answers `T-1001`). It logs each request's `Idempotency-Key` (or `-`)
    /// and a digest of its body, a line each.
    static let server = """
        import hashlib, socket, struct, sys, time
        log, modes = sys.argv[1], sys.argv[2:]
        def listen(port):
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", port))
            listener.listen(8)
            return listener
        listener = listen(0)
        port = listener.getsockname()[1]
        print(port, flush=True)
        for mode in modes:
            connection, _ = listener.accept()
            data = b""
            while b"\\r\\n\\r\\n" not in data:
                data += connection.recv(65536)
            head, _, body = data.partition(b"\\r\\n\\r\\n")
            headers = {line.split(b":", 1)[0].strip().lower(): line.split(b":", 1)[1].strip() for line in head.split(b"\\r\\n")[1:]}
            while len(body) < int(headers[b"content-length"]):
                body += connection.recv(65536)
            with open(log, "a") as out:
                out.write(headers.get(b"idempotency-key", b"-").decode() + " " + hashlib.sha256(body).hexdigest() + "\\n")
            if mode == "answer":
                outcome = b'{"status":0,"stdout":"T-1001\\\\n","stderr":""}'
                connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n%s" % (len(outcome), outcome))
            if mode == "cut":
                connection.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 60\\r\\n\\r\\n{"status":0,"stdout":"T-10')
            if mode == "reset":
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            connection.close()
            if mode == "restart":
                listener.close()
                time.sleep(1.0)
                listener = listen(port)
        """

    /// One client run against the server above with `modes`: what the client printed, and the requests the server got
    /// (key, body digest).
    func run(_ arguments: [String], modes: [String], retrySeconds: Int) throws -> (run: DocketRun, requests: [(key: String, body: String)]) {
        let folder = TemporaryFolder("docket-lost-answer")
        let log = folder.child("requests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.server, log] + modes
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let port = try ServerScope.firstLine(output.fileHandleForReading, within: 30).trimmingCharacters(in: .whitespacesAndNewlines)
        let client = [
            "DOCKET_SERVER": "http://127.0.0.1:\(port)", "DOCKET_TOKEN": "dkt_000000000000_00",
            "DOCKET_RETRY_SECONDS": String(retrySeconds),
        ]
        let run = try DocketProcess.runEmbedded(arguments, store: folder.child("store"), environment: client)
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
        return (run, lines.map { line in
            let words = line.split(separator: " ")
            return (String(words[0]), String(words[1]))
        })
    }

    static let open = ["ticket", "open", "--client", "acme", "--subject", "Printer"]

    /// Whether `key` is one the client makes: `cli-` and 32 hexadecimal digits.
    static func isClientId(_ key: String) -> Bool {
        key.hasPrefix("cli-") && key.count == 36 && key.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    @Test func aWriteWhoseAnswerWasLostIsSentAgainWithTheClientsOwnId() throws {
        let (run, requests) = try run(Self.open, modes: ["close", "answer"], retrySeconds: 10)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "T-1001\n")
        #expect(run.stderr == "", "the progress line is for a terminal only")
        try #require(requests.count == 2)
        #expect(Self.isClientId(requests[0].key), "\(requests[0].key)")
        #expect(requests[1].key == requests[0].key, "the same command id both times")
        #expect(requests[1].body == requests[0].body, "the very same request")
    }

    @Test func aConnectionResetIsALostAnswer() throws {
        // A killed server's kernel resets the connection: the client said "reading the server's reply failed:
        // Connection reset by peer", exit 1, as if something else were wrong.
        let (run, requests) = try run(Self.open, modes: ["reset", "answer"], retrySeconds: 10)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "T-1001\n")
        #expect(requests.count == 2)
        let read = try self.run(["queue"], modes: ["reset"], retrySeconds: 10)
        #expect(read.run.stderr.contains("closed the connection before answering"), "\(read.run.stderr)")
    }

    @Test func aWriteWaitsForARestartedServer() throws {
        // The server closes the connection and does not listen for a second: the client's tries in that second find no
        // server (connection refused), and it goes on waiting until the server is back.
        let (run, requests) = try run(Self.open, modes: ["restart", "answer"], retrySeconds: 10)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "T-1001\n")
        try #require(requests.count == 2)
        #expect(Self.isClientId(requests[0].key) && requests[1].key == requests[0].key)
    }

    @Test func theCallersOwnIdIsSentAgainAsTyped() throws {
        let (run, requests) = try run(Self.open + ["--command-id", "open-1"], modes: ["close", "answer"], retrySeconds: 10)
        #expect(run.status == 0, "\(run.stderr)")
        try #require(requests.count == 2)
        #expect(requests.map(\.key) == ["-", "-"], "the id is in the arguments: no key of the client's")
        #expect(requests[1].body == requests[0].body)
    }

    @Test func aCommandWithoutACommandIdIsNotSentTwice() throws {
        for arguments in [["queue"], ["intake", "email", "--maildir", "/srv/mail"]] {
            let (run, requests) = try run(arguments, modes: ["close", "answer"], retrySeconds: 10)
            #expect(run.status == 1, "\(arguments): \(run.stderr)")
            #expect(requests.count == 1, "\(arguments)")
            #expect(requests.first?.key == "-", "\(arguments)")
            #expect(run.stderr.contains("check before running it again"), "\(run.stderr)")
        }
    }

    /// Not sent again (`DOCKET_RETRY_SECONDS=0`), an answer lost or cut short is one line: the command may have run, and
    /// how to go on: with the caller's id or the client's own, run it again with it; without one, check first.
    @Test(arguments: ["close", "cut"]) func aLostAnswerSaysTheCommandMayHaveRunAndHowToRetry(_ mode: String) throws {
        let open = Self.open
        for arguments in [open + ["--command-id", "open-1"], open + ["--command-id=open-1"], open, ["queue"]] {
            let (run, requests) = try run(arguments, modes: [mode], retrySeconds: 0)
            #expect(run.status == 1, "\(arguments): \(run.stderr)")
            #expect(requests.count == 1)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
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

    @Test func withoutWaitingTheErrorNamesTheIdToRetryWith() throws {
        let (run, requests) = try run(Self.open, modes: ["close"], retrySeconds: 0)
        #expect(run.status == 1)
        try #require(requests.count == 1)
        #expect(run.stderr.hasPrefix("docket: error: the server at http://127.0.0.1:"), "\(run.stderr)")
        #expect(
            run.stderr.hasSuffix(
                " closed the connection before answering (stopped or restarted?); the command may have run: run it again with --command-id \(requests[0].key) once the server is back: a retry with the same id writes nothing twice\n"),
            "\(run.stderr)")
    }

    @Test func theClientStopsSendingWhenTheWaitIsUsedUp() throws {
        // Waits of 250 and 500 ms fit in one second, the next (1 s) does not: three sends in all.
        let (run, requests) = try run(Self.open, modes: ["close", "close", "close", "close"], retrySeconds: 1)
        #expect(run.status == 1)
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.key)).count == 1)
        #expect(run.stderr.contains("closed the connection before answering (stopped or restarted?), and did not answer it again within 1 s"), "\(run.stderr)")
        #expect(run.stderr.contains("run it again with --command-id \(requests[0].key) once the server is back"), "\(run.stderr)")
    }

    /// The real server makes the client's id the command's `--command-id`: the events of a write through it carry it
    /// (embedded, the same command has none).
    @Test(arguments: DocketMode.allCases) func aServedWriteCarriesTheClientsId(_ mode: DocketMode) throws {
        let folder = TemporaryFolder()
        let store = folder.child("store")
        try mode.run {
            #expect(try DocketProcess.run(["init"], store: store).status == 0)
            let client = ["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]
            #expect(try DocketProcess.run(client, store: store).status == 0)
            #expect(try DocketProcess.run(Self.open, store: store).stdout == "T-1001\n")
            let log = try DocketProcess.run(["log", "--json", "--stream", "ticket-T-1001"], store: store)
            let events = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
            try #require(!events.isEmpty, "\(log.stdout) \(log.stderr)")
            for event in events {
                if mode == .server {
                    #expect((event["commandId"] as? String).map(Self.isClientId) == true, "\(event)")
                } else {
                    #expect(event["commandId"] is NSNull, "\(event)")
                }
            }
        }
    }

    /// ``LostAnswer/commandsTakingId`` is exactly the commands whose options include `--command-id`.
    @Test func theListOfCommandsTakingAnIdIsTheCommandTrees() {
        var taking: Set<String> = []
        func walk(_ command: any ParsableCommand.Type, path: [String]) {
            let subcommands = command.configuration.subcommands
            guard subcommands.isEmpty else {
                for subcommand in subcommands { walk(subcommand, path: path + [subcommand._commandName]) }
                return
            }
            if DocketCommand.helpMessage(for: command, columns: 10_000).contains("--command-id <id>") {
                taking.insert(path.joined(separator: " "))
            }
        }
        walk(DocketCommand.self, path: [])
        #expect(taking.count > 40)
        #expect(taking == LostAnswer.commandsTakingId, "missing: \(taking.subtracting(LostAnswer.commandsTakingId)); not taking one: \(LostAnswer.commandsTakingId.subtracting(taking))")
        #expect(LostAnswer.takesCommandId(["client", "contact", "add", "acme", "--name", "x"]))
        #expect(LostAnswer.takesCommandId(["ticket", "comment", "T-1001", "hi"]))
        #expect(!LostAnswer.takesCommandId(["ticket", "show", "T-1001"]))
        #expect(!LostAnswer.takesCommandId(["ticket"]))
        #expect(LostAnswer.givenCommandId(["ticket", "open", "--command-id=a-1"]) == "a-1")
        #expect(LostAnswer.givenCommandId(["ticket", "comment", "T-1", "--", "--command-id", "x"]) == nil)
    }
}
