import Foundation

/// Worker processes of the concurrency tests: each prints a line per command it ran (its outcome).
enum ScriptWorkers {
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
