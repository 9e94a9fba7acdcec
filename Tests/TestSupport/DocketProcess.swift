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
        let (input, output, error) = (Pipe(), Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return (process, input, output, error)
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
