import Foundation

/// What a run of the built `docket` binary printed and returned.
public struct DocketRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs the built `docket` executable as a child process.
public enum DocketProcess {
    /// The server-mode scope of the running test (``DocketMode/run(_:)``), nil in embedded mode.
    @TaskLocal public static var scope: ServerScope?

    /// The `docket` binary next to the test bundle (SwiftPM builds it because the tests depend on it).
    public static var executable: String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("docket").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("docket").path
    }

    /// Starts `docket args…` with `store` as `$DOCKET_STORE`, a fixed user and `TZ=UTC` (unless `environment`
    /// says otherwise); stdin from `input`. A test's `docket init` creates a test store (`--test-clock`), which
    /// honours `$DOCKET_NOW`, unless `testClock` is false.
    public static func start(
        _ arguments: [String], store: String, environment: [String: String] = [:], testClock: Bool = true
    ) throws -> (Process, Pipe, Pipe, Pipe) {
        let process = prepared(arguments, store: store, environment: environment, testClock: testClock)
        let (input, output, error) = (Pipe(), Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return (process, input, output, error)
    }

    /// `docket args…` set up as ``start(_:store:environment:testClock:)`` describes, not started.
    static func prepared(_ arguments: [String], store: String, environment: [String: String], testClock: Bool) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let createsTestStore = testClock && arguments.first == "init" && !arguments.contains("--test-clock")
        process.arguments = createsTestStore ? arguments + ["--test-clock"] : arguments
        var env = ProcessInfo.processInfo.environment
        env["DOCKET_STORE"] = store
        env["DOCKET_USER"] = "ann"
        env.removeValue(forKey: "DOCKET_NOW")
        env["TZ"] = "UTC"  // times for people are in the machine's zone: the same on every machine (a test may set TZ)
        for (key, value) in environment { env[key] = value }
        process.environment = env
        return process
    }

    /// Runs `docket args…` to completion with its stdout on a terminal (a pseudo-terminal in raw mode, so the bytes
    /// read are the bytes written) and no stdin: embedded, or through a server inside ``DocketMode/run(_:)`` with
    /// `.server` (the client's stdout is then the terminal). stderr is not kept, or with `stderrToo` goes to the same
    /// terminal (read back as `stdout`).
    public static func runOnTerminal(
        _ arguments: [String], store: String, environment: [String: String] = [:], stderrToo: Bool = false
    ) throws -> DocketRun {
        var environment = environment
        if let scope { environment = try scope.environment(for: arguments, store: store, environment: environment) }
        var (terminal, side) = (Int32(-1), Int32(-1))
        guard openpty(&terminal, &side, nil, nil, nil) == 0 else { throw ServedModeError("openpty failed: errno \(errno)") }
        var mode = termios()
        tcgetattr(side, &mode)
        cfmakeraw(&mode)
        tcsetattr(side, TCSANOW, &mode)
        let process = prepared(arguments, store: store, environment: environment, testClock: true)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(fileDescriptor: side, closeOnDealloc: false)
        process.standardError = stderrToo ? FileHandle(fileDescriptor: side, closeOnDealloc: false) : FileHandle.nullDevice
        try process.run()
        close(side)  // the child holds it: once it exits, reading the terminal ends
        var out = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(terminal, &buffer, buffer.count)
            if count <= 0 { break }
            out += buffer[..<count]
        }
        close(terminal)
        process.waitUntilExit()
        return DocketRun(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: "")
    }

    /// Runs `docket args…` to completion: embedded, or through a server inside ``DocketMode/run(_:)`` with `.server`.
    @discardableResult
    public static func run(
        _ arguments: [String], store: String, stdin: String = "", environment: [String: String] = [:],
        testClock: Bool = true
    ) throws -> DocketRun {
        if let scope {
            return try scope.run(arguments, store: store, stdin: stdin, environment: environment, testClock: testClock)
        }
        return try runEmbedded(arguments, store: store, stdin: stdin, environment: environment, testClock: testClock)
    }

    /// Runs `docket args…` to completion in this process's own environment (plus `environment`).
    @discardableResult
    public static func runEmbedded(
        _ arguments: [String], store: String, stdin: String = "", environment: [String: String] = [:],
        testClock: Bool = true
    ) throws -> DocketRun {
        let (process, input, output, error) = try start(
            arguments, store: store, environment: environment, testClock: testClock)
        let writer = Thread {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = ReadAll(error.fileHandleForReading)
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return DocketRun(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errorData.wait(), as: UTF8.self))
    }
}

/// Drains a pipe on its own thread so a chatty child never blocks on a full pipe.
final class ReadAll: @unchecked Sendable {
    // @unchecked Sendable: `data` is written once by the reader thread before `done` is signalled.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
