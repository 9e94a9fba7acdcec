import Foundation
import TestSupport
import Testing

/// Issue 14 §3: random bit flips in a populated store never crash or hang `docket`, and every flip that changes
/// what the store holds is reported by `docket verify` (exit 2). `DOCKET_DAMAGE_TRIALS=1000` runs the long version;
/// `DOCKET_DAMAGE_SEED` replays one run.
@Suite(.serialized) struct DamagedStoreTests {
    static let environment = ProcessInfo.processInfo.environment
    static let trials = Int(environment["DOCKET_DAMAGE_TRIALS"] ?? "") ?? 16
    static let seed = UInt64(environment["DOCKET_DAMAGE_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)

    let folder = TemporaryFolder()

    @Test func randomFlipsAreReportedAndNeverCrash() throws {
        let original = folder.child("original")
        try StoreScenario.populate(original)
        let before = try #require(LogicalDump.of(original), "mdb_dump (Debian lmdb-utils) must be installed")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: original + "/data.mdb")[.size] as? Int)
        var random = SplitMix64(seed: Self.seed)
        var tally: [String: Int] = [:]
        for trial in 0..<Self.trials {
            let copy = folder.child("trial-\(trial)")
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: original + "/data.mdb")))
            let offset = Int(random.next() % UInt64(size))
            let bit = UInt8(1) << UInt8(random.next() % 8)
            bytes[offset] ^= bit
            try Data(bytes).write(to: URL(fileURLWithPath: copy + "/data.mdb"))
            let label = "seed \(Self.seed) trial \(trial): offset \(offset) bit \(bit)"
            let after = LogicalDump.of(copy)
            let changed = after.map { LogicalDump.changedDatabases(before, $0) } ?? ["(unreadable)"]
            let verify = try BoundedRun.docket(["verify"], store: copy)
            for run in [verify, try BoundedRun.docket(["export"], store: copy),
                        try BoundedRun.docket(["stats", "--read-models", "--json"], store: copy)] {
                #expect(!run.signalled, "\(label): \(run.arguments) died of signal \(run.status)")
                #expect(!run.timedOut, "\(label): \(run.arguments) hung")
                #expect([0, 2].contains(run.status) || run.signalled || run.timedOut, "\(label): \(run.arguments) exit \(run.status): \(run.stderr)")
            }
            if !changed.isEmpty {
                #expect(verify.status == 2, "\(label) changed \(changed.sorted()) but verify said: \(verify.stdout)\(verify.stderr)")
            }
            tally[changed.isEmpty ? (verify.status == 2 ? "harmless, reported" : "harmless") : "changed, reported", default: 0] += 1
            try? FileManager.default.removeItem(atPath: copy)
        }
        print("DamagedStoreTests seed \(Self.seed): \(tally.sorted { $0.key < $1.key })")
    }
}

/// A store with tickets, comments, time and a closed ticket, so every read model holds rows.
enum StoreScenario {
    static func populate(_ store: String) throws {
        let commands: [[String]] = [
            ["init", "--test-clock"],
            ["user", "add", "bob", "--name", "Bob Tech", "--email", "bob@msp.example", "--role", "tech"],
            ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"],
            ["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"],
        ]
        for command in commands { try run(command, store) }
        for n in 0..<6 {
            try run(["ticket", "open", "--client", "acme", "--subject", "Printer \(n) jammed", "--priority", "P\(n % 4 + 1)"], store)
            let number = "T-\(1001 + n)"
            try run(["ticket", "comment", number, "Looked at printer \(n)"], store)
            try run(["ticket", "assign", number, "--to", "bob"], store)
            if n % 2 == 0 { try run(["ticket", "close", number, "--resolution", "Cleared", "--time", "\(15 * (n + 1))m"], store) }
        }
    }

    static func run(_ arguments: [String], _ store: String) throws {
        let result = try DocketProcess.run(arguments, store: store, environment: ["DOCKET_NOW": "2026-11-03T14:00:00Z"])
        guard result.status == 0 else { throw Failure(message: "\(arguments) failed: \(result.stderr)") }
    }

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// What `mdb_dump -a` (an independent reader) sees in a store: each database's entries as text.
enum LogicalDump {
    static let tool = "/usr/bin/mdb_dump"

    /// Database name ("" for the main database) → its dumped entries; nil when the tool is missing or fails.
    static func of(_ store: String) -> [String: String]? {
        guard FileManager.default.isExecutableFile(atPath: tool) else { return nil }
        guard let run = try? BoundedRun.start(tool, ["-a", store]), !run.signalled, !run.timedOut, run.status == 0 else {
            return nil
        }
        var databases: [String: String] = [:]
        for section in run.stdout.components(separatedBy: "VERSION=3\n").dropFirst() {
            guard let end = section.range(of: "HEADER=END\n") else { continue }
            let header = section[..<end.lowerBound]
            let name = header.split(separator: "\n").first { $0.hasPrefix("database=") }.map { String($0.dropFirst(9)) } ?? ""
            databases[name] = String(section[end.upperBound...])
        }
        return databases
    }

    static func changedDatabases(_ before: [String: String], _ after: [String: String]) -> Set<String> {
        Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
    }
}

/// A child process with a deadline: a run that outlives it is killed and reported as hung.
struct BoundedRun {
    let arguments: [String]
    let status: Int32
    let signalled: Bool
    let timedOut: Bool
    let stdout: String
    let stderr: String

    static func docket(_ arguments: [String], store: String, timeout: TimeInterval = 60) throws -> BoundedRun {
        try start(DocketProcess.executable, arguments, environment: ["DOCKET_STORE": store, "DOCKET_USER": "ann"], timeout: timeout)
    }

    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 60
    ) throws -> BoundedRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID().uuidString)")
        #expect(FileManager.default.createFile(atPath: output.path + ".out", contents: nil))
        #expect(FileManager.default.createFile(atPath: output.path + ".err", contents: nil))
        defer {
            try? FileManager.default.removeItem(atPath: output.path + ".out")
            try? FileManager.default.removeItem(atPath: output.path + ".err")
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: output.path + ".err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        let read = { (suffix: String) in
            String(decoding: FileManager.default.contents(atPath: output.path + suffix) ?? Data(), as: UTF8.self)
        }
        return BoundedRun(
            arguments: arguments, status: process.terminationStatus,
            signalled: !timedOut && process.terminationReason == .uncaughtSignal, timedOut: timedOut,
            stdout: read(".out"), stderr: read(".err"))
    }
}
