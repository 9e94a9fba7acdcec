import Foundation
import TestSupport

/// A store served by a real `docket serve` process for one test, reached with curl (a real HTTP client).
final class ServedStore: @unchecked Sendable {
    // @unchecked Sendable: set up once, then only read.
    let folder = TemporaryFolder("docket-srv")
    var store: String { folder.child("store") }
    var socket: String { folder.child("store") + "/docket.sock" }
    private(set) var process: Process?
    /// The running server's stderr (its log), read by ``stopReadingLog()``.
    private var log: Pipe?
    private(set) var address = ""

    /// Runs a command embedded (the server is not running, or the command does not need it).
    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", environment: [String: String] = [:]) throws -> DocketRun {
        var env = environment
        env["DOCKET_USER"] = user
        return try DocketProcess.runEmbedded(arguments, store: store, environment: env)
    }

    /// Starts `docket serve` (HTTP on a free loopback port and the socket unless `socket` is false).
    func start(environment: [String: String] = [:], socket: Bool = true, arguments extra: [String] = []) throws {
        var arguments = ["serve", "--listen", "127.0.0.1:0"] + extra
        if !socket { arguments.append("--no-socket") }
        var env = environment
        env["LOG_LEVEL"] = env["LOG_LEVEL"] ?? "error"
        let (process, _, output, log) = try DocketProcess.start(arguments, store: store, environment: env)
        self.process = process
        self.log = log
        for _ in 0..<(socket ? 2 : 1) {
            let line = try ServerScope.firstLine(output.fileHandleForReading, within: 60)
            if let range = line.range(of: "http://") {
                address = String(line[range.lowerBound...]).trimmingCharacters(in: .whitespaces)
            }
        }
    }

    /// SIGTERM and wait: the server drains and closes the store.
    func stop() -> Int32 {
        guard let process else { return 0 }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    /// Stops the server (as ``stop()``) and returns what it wrote on stderr, its log, since it started.
    func stopReadingLog() -> String {
        _ = stop()
        guard let log else { return "" }
        self.log = nil
        return String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    deinit { _ = stop() }

    /// One HTTP request with curl: status and body.
    func curl(
        _ method: String, _ path: String, token: String? = nil, json: String? = nil, headers: [String] = [], unixSocket: Bool = false
    ) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, "--max-time", "30"]
        if unixSocket { arguments += ["--unix-socket", socket] }
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for header in headers { arguments += ["-H", header] }
        if let json { arguments += ["-H", "Content-Type: application/json", "--data-binary", json] }
        arguments.append((unixSocket ? "http://docket" : address) + path)
        let run = try Self.run("/usr/bin/curl", arguments)
        let lines = run.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// The number of events in the log (read embedded, with the server stopped or running).
    func eventCount() throws -> Int {
        let run = try docket(["stats", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        return (object?["head"] as? Int) ?? -1
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
