// HTML-to-text throughput (issue 15 §5): `HTMLToText.convert` over each HTML file named on the command line.
//
//   html-to-text-bench [--runs N] FILE...
//
// Prints, per file, its size, the best of N runs (default 5) and the MB/s (10^6 bytes per second of input), by
// wall clock and by this process's CPU time (the figure to compare on a machine shared with other work).
// `Benchmarks/html-to-text-bench.sh` makes the files and measures Python's html.parser on the same bytes.
import Foundation
import MailParser

/// This process's CPU time in seconds.
func cpuSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

var arguments = Array(CommandLine.arguments.dropFirst())
var runs = 5
if arguments.first == "--runs", arguments.count > 1, let value = Int(arguments[1]) {
    runs = value
    arguments.removeFirst(2)
}
for path in arguments {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("html-to-text-bench: cannot read \(path)\n".utf8))
        exit(66)
    }
    let html = String(decoding: data, as: UTF8.self)
    var bestWall = Double.infinity
    var bestCPU = Double.infinity
    var textBytes = 0
    for _ in 0..<runs {
        let wall = DispatchTime.now().uptimeNanoseconds
        let cpu = cpuSeconds()
        textBytes = HTMLToText.convert(html).utf8.count
        bestCPU = min(bestCPU, cpuSeconds() - cpu)
        bestWall = min(bestWall, Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9)
    }
    let megabytes = Double(data.count) / 1e6
    print(String(
        format: "swift HTMLToText   %10d bytes -> %9d text  wall %8.4f s %8.1f MB/s  cpu %8.4f s %8.1f MB/s",
        data.count, textBytes, bestWall, megabytes / bestWall, bestCPU, megabytes / bestCPU))
}
