import Foundation
import LMDB

// The raw LMDB references of the read-model benchmarks (issue 10), run in the same session as the Docket figures:
//
//   raw-lmdb scan STORE          one cursor over the store's `events` database in read transactions of 50,000,
//                                reading each value's length and first byte (what a rebuild cannot beat)
//   raw-lmdb append DIR N [SIZE] N values of SIZE bytes (default 373, a seeded event's average) under 8-byte
//                                big-endian keys with MDB_APPEND, 1,000 per durable (fsync'd) write transaction
//   raw-lmdb commit DIR N [SIZE] the same, one value per durable write transaction (the group-commit reference,
//                                issue 12 §5: what a server committing each command alone cannot beat), and the
//                                wall time of one durable commit alone (p50/p99 over the N commits)
//
// Each prints one line: `raw-lmdb <what>: N events in S s = R events/s` (commit: and a second line with the p50/p99).

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = start.duration(to: .now)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func report(_ what: String, _ count: UInt64, _ elapsed: Double) {
    print("raw-lmdb \(what): \(count) events in \(String(format: "%.3f", elapsed)) s = \(Int(Double(count) / elapsed)) events/s")
}

func scan(_ path: String) throws {
    var options = Environment.Options()
    options.readOnly = true
    let environment = try Environment(path: path, options: options)
    let events = try environment.openDatabase(named: "events")
    let start = ContinuousClock.now
    var count: UInt64 = 0
    var checksum = 0
    var next: UInt64 = 1
    while true {
        let batch = try environment.read { txn -> UInt64 in
            try txn.withCursor(events) { cursor in
                var seen: UInt64 = 0
                var entry = try cursor.seek(atLeast: withUnsafeBytes(of: next.bigEndian) { Array($0) })
                while let found = entry, seen < 50_000 {
                    checksum &+= found.value.count &+ Int(found.value[0])
                    seen += 1
                    entry = try cursor.next()
                }
                return seen
            }
        }
        count += batch
        next += batch
        if batch < 50_000 { break }
    }
    report("scan (checksum \(checksum % 1000))", count, seconds(since: start))
}

func append(_ path: String, count: Int, size: Int, perCommit: Int = 1_000) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let environment = try Environment(path: path)
    let database = try environment.openDatabase(named: "events")
    var value = [UInt8](repeating: 0x61, count: size)
    let start = ContinuousClock.now
    var written = 0
    var commits: [Double] = []
    while written < count {
        let batch = min(perCommit, count - written)
        let began = ContinuousClock.now
        defer { commits.append(seconds(since: began) * 1000) }
        try environment.write { txn in
            for index in 0..<batch {
                let key = UInt64(written + index + 1).bigEndian
                value[0] = UInt8(truncatingIfNeeded: index)
                try withUnsafeBytes(of: key) { key in
                    try value.withUnsafeBytes { try txn.put(database, key: key, value: $0, options: .append) }
                }
            }
        }
        written += batch
    }
    report("append \(size)-byte values, \(perCommit) per durable txn", UInt64(count), seconds(since: start))
    if perCommit == 1 {
        commits.sort()
        let p = { (q: Double) in String(format: "%.2f", commits[min(commits.count - 1, Int(q * Double(commits.count)))]) }
        print("raw-lmdb one durable commit alone (wall): p50 \(p(0.5)) ms, p99 \(p(0.99)) ms over \(commits.count) commits")
    }
}

let arguments = CommandLine.arguments
switch (arguments.count, arguments.count > 1 ? arguments[1] : "") {
case (3, "scan"):
    try scan(arguments[2])
case (4...5, "append"), (4...5, "commit"):
    guard let count = Int(arguments[3]), let size = arguments.count == 5 ? Int(arguments[4]) : 373 else {
        FileHandle.standardError.write(Data("raw-lmdb: N and SIZE must be whole numbers\n".utf8))
        exit(64)
    }
    try append(arguments[2], count: count, size: size, perCommit: arguments[1] == "commit" ? 1 : 1_000)
default:
    FileHandle.standardError.write(Data("usage: raw-lmdb scan STORE | raw-lmdb append DIR N [SIZE] | raw-lmdb commit DIR N [SIZE]\n".utf8))
    exit(64)
}
