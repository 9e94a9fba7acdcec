import Foundation
import TestSupport

/// Worker processes of the concurrency tests: each prints a line per command it ran (its outcome).
enum ScriptWorkers {
    /// Starts `/bin/sh -c script` with this process's environment, `DOCKET` naming the binary under test, `variables`
    /// over it, and no `DOCKET_NOW` (the workers run on the real clock); its standard output is the returned pipe.
    static func start(_ script: String, variables: [String: String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKET"] = DocketProcess.executable
        environment.removeValue(forKey: "DOCKET_NOW")
        for (key, value) in variables { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output)
    }

    /// Waits for every worker and counts the lines they printed, by text.
    static func countLines(of children: [(Process, Pipe)]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (process, output) in children {
            let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            process.waitUntilExit()
            for line in lines { counts[String(line), default: 0] += 1 }
        }
        return counts
    }
}
