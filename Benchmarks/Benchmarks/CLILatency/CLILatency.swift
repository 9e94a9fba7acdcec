import Benchmark
import Foundation

// End-to-end latency of the `docket` CLI (issue 3): each iteration spawns one process with Foundation's
// `Process`, waits for it to exit and reads its output, so the wall clock covers process start, opening the
// store, the command's work and printing. The seeded stores and the binaries are made beforehand by
// `Benchmarks/seed.sh` (see README.md, "CLI latency (issue 3)"); without them these benchmarks are skipped.
//
// Overrides: DOCKET_BENCH_BIN (the docket binary), DOCKET_BENCH_STORE_1M, DOCKET_BENCH_STORE_100K,
// DOCKET_BENCH_USER (the acting tech, default tech1).

/// The repository root, from this file's path: <root>/Benchmarks/Benchmarks/CLILatency/CLILatency.swift.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

let settings = ProcessInfo.processInfo.environment
let docketBinary = settings["DOCKET_BENCH_BIN"] ?? repositoryRoot + "/.build-bench-cli/release/docket"
/// The same CLI linked with `--static-swift-stdlib` (optional: `seed.sh` builds it unless SKIP_STATIC=1).
let staticDocketBinary = settings["DOCKET_BENCH_BIN_STATIC"] ?? repositoryRoot + "/.build-bench-cli-static/release/docket"
let bareSwiftBinary = settings["DOCKET_BENCH_BARE_SWIFT"] ?? repositoryRoot + "/Benchmarks/.build/release/bare-swift"
let store1M = settings["DOCKET_BENCH_STORE_1M"] ?? "/tmp/docket-bench-1m"
let store100K = settings["DOCKET_BENCH_STORE_100K"] ?? "/tmp/docket-bench-100k"
let actingTech = settings["DOCKET_BENCH_USER"] ?? "tech1"

struct CommandFailed: Error, CustomStringConvertible {
    let description: String
}

/// Runs `executable` with `arguments` and a clean environment (none of the harness's LD_PRELOAD), and
/// returns its standard output. Throws when it exits non-zero or `check` refuses the output.
func spawn(_ executable: String, _ arguments: [String], store: String? = nil, status: Int32 = 0) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ["PATH": "/usr/bin:/bin", "HOME": settings["HOME"] ?? "/root", "LANG": "C.UTF-8", "DOCKET_USER": actingTech]
    if let store { environment["DOCKET_STORE"] = store }
    process.environment = environment
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == status else {
        throw CommandFailed(description: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: errorData, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}

/// One CLI benchmark: `iterations` spawns of a command, each checked by `check`.
func cli(
    _ name: String, _ executable: String, _ arguments: [String], store: String? = nil, status: Int32 = 0,
    check: @escaping (String) -> Bool
) {
    Benchmark(name, configuration: configuration()) { benchmark in
        for _ in benchmark.scaledIterations {
            let out = try spawn(executable, arguments, store: store, status: status)
            guard check(out) else { throw CommandFailed(description: "\(name): unexpected output: \(out.prefix(300))") }
            blackHole(out)
        }
    }
}

/// Wall clock only: CPU time is read in 10 ms ticks on this Linux, and the malloc counters would count the
/// harness's own `Process` work, not the child's.
func configuration() -> Benchmark.Configuration {
    Benchmark.Configuration(
        metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 10, maxDuration: .seconds(20), maxIterations: 400)
}

let benchmarks: @Sendable () -> Void = {
    let fm = FileManager.default
    var missing: [String] = []
    for (what, path) in [("docket binary", docketBinary), ("bare-swift binary", bareSwiftBinary)] where !fm.isExecutableFile(atPath: path) {
        missing.append("\(what) \(path)")
    }
    for store in [store1M, store100K] where !fm.fileExists(atPath: store + "/data.mdb") {
        missing.append("store \(store)")
    }
    guard missing.isEmpty else {
        FileHandle.standardError.write(Data("CLILatency: skipped, missing \(missing.joined(separator: ", ")); run Benchmarks/seed.sh first\n".utf8))
        return
    }

    // References: the cost of spawning and reaping a process from this harness, and of a bare Swift process.
    cli("CLI 0 spawn floor: /bin/true", "/bin/true", []) { _ in true }
    cli("CLI 1 bare Swift process (stdlib only, prints a line)", bareSwiftBinary, []) { $0 == "ok\n" }

    let openArguments = [
        "ticket", "open", "--client", "client01", "--subject", "Printer offline on floor 2", "--priority", "P2", "--source", "email",
        "--description", "Opened by the CLI latency benchmark.",
    ]
    var variants = [("", docketBinary)]
    if fm.isExecutableFile(atPath: staticDocketBinary) { variants.append((" [static stdlib]", staticDocketBinary)) }
    for (suffix, binary) in variants {
        cli("CLI 2 docket --help\(suffix)", binary, ["--help"]) { $0.contains("USAGE") }
        // Process start + argument parsing only: the store check fails at once (exit 66, nothing opened).
        cli("CLI 2b docket ticket open, no store (start + parse)\(suffix)", binary, openArguments + ["--store", "/nonexistent/docket-bench"], status: 66) { _ in true }

        // Issue 3, figure 1: open a ticket on a store of 1,000,000+ events (each iteration adds one ticket).
        cli("CLI 3 docket ticket open (1M-event store)\(suffix)", binary, openArguments, store: store1M) { $0.hasPrefix("T-") }

        // Issue 3, figure 2: the queue over 100,000 open tickets.
        cli("CLI 4 docket queue (100k open tickets)\(suffix)", binary, ["queue"], store: store100K) { $0.split(separator: "\n").count == 51 }
        cli("CLI 5 docket queue --json (100k open tickets)\(suffix)", binary, ["queue", "--json"], store: store100K) { $0.hasPrefix("[") }
    }
}
