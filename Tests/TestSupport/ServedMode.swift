import Foundation

/// How an end-to-end test reaches its store: the embedded CLI, or the same commands sent through `docket serve`
/// (HTTP on loopback, one API token per user). Tests parametrised over both keep the two modes from drifting.
public enum DocketMode: String, CaseIterable, Sendable, CustomStringConvertible {
    case embedded
    case server

    public var description: String { rawValue }

    /// Runs `body` with every `DocketProcess.run` inside it going through this mode; servers started for it are
    /// stopped (SIGTERM, then waited for) when it returns. `serverEnvironment` is added to each server's own
    /// environment (what the server reads at start, e.g. `DOCKET_MAIL_AUTHSERV_ID`); embedded, it is not used.
    public func run<T>(serverEnvironment: [String: String] = [:], _ body: () throws -> T) throws -> T {
        guard self == .server else { return try body() }
        let scope = ServerScope(serverEnvironment: serverEnvironment)
        defer { scope.stopAll() }
        return try DocketProcess.$scope.withValue(scope) { try body() }
    }
}

/// The servers one server-mode test started, by store path.
public final class ServerScope: @unchecked Sendable {
    // @unchecked Sendable: `servers` is only touched while holding `lock`.
    private let lock = NSLock()
    private var servers: [String: RunningServer] = [:]
    /// Added to each server's environment when it starts.
    private let serverEnvironment: [String: String]

    /// A scope with no server yet: a test that drives processes of its own (started together) asks it for one with
    /// ``server(for:)`` and stops it with ``stopAll()``. `serverEnvironment` is added to each server's environment.
    public init(serverEnvironment: [String: String] = [:]) { self.serverEnvironment = serverEnvironment }

    /// A running `docket serve` for one store and the tokens made for its users.
    public final class RunningServer: @unchecked Sendable {
        // @unchecked Sendable: `tokens` is only touched while holding the scope's lock (one test, one thread).
        public let process: Process
        public let address: String
        /// The token of the store's first admin (ann), made when the server started.
        public let adminToken: String
        var tokens: [String: String] = [:]

        init(process: Process, address: String, admin: String, adminToken: String) {
            self.process = process
            self.address = address
            self.adminToken = adminToken
            tokens[admin] = adminToken
        }
    }

    /// Runs one command in server mode: `init` (and `restore`) embedded, then a server for the store, started on
    /// the first other command, with the command's user's token.
    func run(_ arguments: [String], store: String, stdin: String, environment: [String: String], testClock: Bool) throws -> DocketRun {
        let env = try self.environment(for: arguments, store: store, environment: environment)
        return try DocketProcess.runEmbedded(arguments, store: store, stdin: stdin, environment: env, testClock: testClock)
    }

    /// The environment to run one command in server mode with: `environment` itself for `init`, `restore` and
    /// `serve` (run embedded), else with the store's server (started on the first such command) and the command's
    /// user's token in place of `DOCKET_USER`.
    func environment(for arguments: [String], store: String, environment: [String: String]) throws -> [String: String] {
        if let first = arguments.first, ["init", "restore", "serve"].contains(first) { return environment }
        let server = try server(for: store)
        let user = environment["DOCKET_USER"] ?? "ann"
        let token = try token(for: user, on: server, store: store)
        var env = environment
        env["DOCKET_SERVER"] = server.address
        env["DOCKET_TOKEN"] = token
        env.removeValue(forKey: "DOCKET_USER")
        return env
    }

    /// The server for `store`, started (with an admin token made embedded first) when there is none. A server given a
    /// clock (`DOCKET_NOW` in `serverEnvironment`) has its admin token made at that time too: made at the real time, it
    /// would put the log's last event there, and the log's time never goes back, so a server at a past time recorded
    /// every event at the real time.
    public func server(for store: String) throws -> RunningServer {
        if let running = lock.withLock({ servers[store] }) { return running }
        let admin = "ann"
        let created = try DocketProcess.runEmbedded(
            ["token", "create", "--user", admin, "--name", "e2e-admin"], store: store,
            environment: serverEnvironment["DOCKET_NOW"].map { ["DOCKET_NOW": $0] } ?? [:])
        guard created.status == 0 else { throw ServedModeError("cannot make the admin token: \(created.stderr)") }
        let (process, _, output, _) = try DocketProcess.start(
            ["serve", "--no-socket", "--listen", "127.0.0.1:0"], store: store,
            environment: serverEnvironment.merging(["LOG_LEVEL": "error"]) { given, _ in given })
        let line = try Self.firstLine(output.fileHandleForReading, within: 60)
        guard let range = line.range(of: "http://") else {
            process.terminate()
            throw ServedModeError("the server did not start: \(line)")
        }
        let running = RunningServer(
            process: process, address: String(line[range.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines), admin: admin,
            adminToken: created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        lock.withLock { servers[store] = running }
        return running
    }

    /// `user`'s token on `server`, made through the server by the admin when first needed.
    func token(for user: String, on server: RunningServer, store: String) throws -> String {
        if let token = lock.withLock({ server.tokens[user] }) { return token }
        let made = try DocketProcess.runEmbedded(
            ["token", "create", "--user", user, "--name", "e2e"], store: store,
            environment: ["DOCKET_SERVER": server.address, "DOCKET_TOKEN": server.adminToken])
        // An unknown user gets the admin's token refused later as the command's own failure would be: use a bad one.
        let token = made.status == 0 ? made.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "dkt_unknown"
        lock.withLock { server.tokens[user] = token }
        return token
    }

    /// Stops every server (SIGTERM: they drain and close their stores) and waits for each.
    public func stopAll() {
        let all = lock.withLock { () -> [RunningServer] in
            defer { servers = [:] }
            return Array(servers.values)
        }
        for server in all {
            server.process.terminate()
            server.process.waitUntilExit()
        }
    }

    /// The first line `handle` gives within `seconds`.
    public static func firstLine(_ handle: FileHandle, within seconds: Double) throws -> String {
        let box = LineBox()
        let reader = Thread {
            var bytes = Data()
            while true {
                let chunk = handle.readData(ofLength: 1)
                if chunk.isEmpty || chunk == Data("\n".utf8) { break }
                bytes.append(chunk)
            }
            box.set(String(decoding: bytes, as: UTF8.self))
        }
        reader.start()
        guard box.wait(seconds: seconds) else { throw ServedModeError("no line from the server within \(Int(seconds)) s") }
        return box.line
    }

    private final class LineBox: @unchecked Sendable {
        // @unchecked Sendable: `line` is written before `done` is signalled and read after the wait.
        var line = ""
        let done = DispatchSemaphore(value: 0)
        func set(_ line: String) {
            self.line = line
            done.signal()
        }
        func wait(seconds: Double) -> Bool { done.wait(timeout: .now() + seconds) == .success }
    }
}

/// A server-mode harness failure (the server did not start, no admin token).
public struct ServedModeError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
