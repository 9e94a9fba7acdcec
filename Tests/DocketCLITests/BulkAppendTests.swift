import DocketApp
import Foundation
import TestSupport
import Testing

@testable import DocketCLI

/// `docket event append --stdin` (issue 10 §4): stdin read in chunks, every line checked before anything is appended,
/// then `--batch` lines per durable transaction from a spool file.
@Suite struct BulkAppendTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    func initialized() throws {
        #expect(try DocketProcess.run(["init"], store: store).status == 0)
    }

    func exportLines() throws -> [String] {
        try DocketProcess.run(["export"], store: store).stdout.split(separator: "\n").map(String.init)
    }

    static func line(_ i: Int, stream: String? = nil) -> String {
        #"{"stream":"\#(stream ?? "bulk-\(i % 7)")","type":"load.noted","payload":{"i":\#(i)}}"#
    }

    /// A bad line N among 2,500 (batch 1,000): one line on stderr naming N, nothing on stdout, nothing appended —
    /// not even the batches of lines before it.
    @Test(arguments: [
        (#"{"stream":"s","type":"t.x","payload":[1]}"#, "'payload' must be a JSON object"),
        (#"{"stream":"s","payload":{}}"#, "'stream' and 'type' must be strings"),
        (#"{"stream":"s","type":"t.x","payload":{"a":1}"#, "not a JSON object"),
        (#"{"stream":"s","type":"t.x","expectedVersion":-1}"#, "'expectedVersion' must be a whole number"),
        (#"{"stream":"","type":"t.x"}"#, "stream '' must be 1 to"),
        ("{\"stream\":\"s\",\"type\":\"t.x\",\"commandId\":\"a\\u0001\"}", "command id"),
        (#"{"stream":"ticket-T-1","type":"t.x"}"#, "Docket's own data"),
    ])
    func aBadLineIsNamedAndNothingIsAppended(bad: String, reason: String) throws {
        try initialized()
        let before = try exportLines()
        var lines = (0..<2_500).map { Self.line($0) }
        lines[2_099] = bad
        let run = try DocketProcess.run(["event", "append", "--stdin", "--batch", "1000"], store: store, stdin: lines.joined(separator: "\n"))
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("line 2100") && run.stderr.contains(reason), "\(run.stderr)")
        #expect(run.stdout.isEmpty, "no batch was committed: \(run.stdout)")
        #expect(try exportLines() == before)
    }

    @Test func aLineLongerThanTheLimitIsNamedBeforeItIsHeldWhole() throws {
        try initialized()
        let before = try exportLines()
        let long = #"{"stream":"s","type":"t.x","payload":{"a":""# + String(repeating: "x", count: NDJSONLine.maxLineBytes) + #""}}"#
        let run = try DocketProcess.run(["event", "append", "--stdin"], store: store, stdin: Self.line(1) + "\n" + long + "\n" + Self.line(3))
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("line 2 is longer than \(NDJSONLine.maxLineBytes) bytes"), "\(run.stderr)")
        #expect(try exportLines() == before)
    }

    /// A line longer than the chunks stdin is read in (1 MiB) is put together from several and appended whole, between
    /// short lines.
    @Test func aLineLongerThanAChunkIsAppendedWhole() throws {
        try initialized()
        let text = String(repeating: "y", count: 3 * BulkAppend.chunkBytes + 12_345)
        let lines = [Self.line(0, stream: "big-1"), #"{"stream":"big-1","type":"load.noted","payload":{"text":"\#(text)"}}"#, Self.line(2, stream: "big-1")]
        let run = try DocketProcess.run(["event", "append", "--stdin", "--batch", "2"], store: store, stdin: lines.joined(separator: "\n"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "committed 3\ncommitted 4\n")
        let exported = try exportLines()
        #expect(exported.count == 4)
        #expect(exported[2].contains(#""payload":{"text":"\#(text)"}"#))
        #expect(exported[3].contains(#""payload":{"i":2}"#))
    }

    /// Pass 1 checks its batches of 1,000 lines on two threads, each taking the next batch: of two bad lines, the first
    /// is named also when a later batch is checked first (the batch before the second failure held back until the one
    /// after it is checked: the second bad line, or a line too long, refused as it is read while the bad one waits to be
    /// checked), and with one to four threads taking batches as they come.
    @Test(arguments: [(500, 1_500), (1_500, 2_500), (2_500, 3_600), (3_600, 3_700), (1_500, 0), (2_500, 0)])
    func theFirstBadLineIsNamedWhicheverBatchIsCheckedFirst(first: Int, second: Int) throws {
        let firstBatch = (first - 1) / 1_000
        let secondBatch = second > 0 ? (second - 1) / 1_000 : first / 1_000
        let heldBack = secondBatch > firstBatch ? firstBatch : firstBatch - 1
        let released = DispatchSemaphore(value: 0)
        let order = Order()
        var bulk = BulkAppend(actor: "ann", repair: false, batch: 1_000)
        bulk.willCheck = { batch in
            if batch == heldBack { _ = released.wait(timeout: .now() + 20) }
            order.checking(batch)
        }
        bulk.didCheck = { batch in if batch == heldBack + 1 { released.signal() } }
        try firstBadLineIsNamed(first: first, second: second, bulk: bulk, chunkLines: 1_000)
        #expect(order.checked.firstIndex(of: heldBack + 1)! < order.checked.firstIndex(of: heldBack)!, "\(order.checked)")
        for threads in 1...4 {
            var bulk = BulkAppend(actor: "ann", repair: false, batch: 1_000)
            bulk.checkingThreads = threads
            try firstBadLineIsNamed(first: first, second: second, bulk: bulk)
        }
    }

    /// The batches in the order their checks began.
    private final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var batches: [Int] = []
        func checking(_ batch: Int) { lock.withLock { batches.append(batch) } }
        var checked: [Int] { lock.withLock { batches } }
    }

    /// Runs `bulk` on 4,000 lines with bad lines `first` and `second` (0: line `first + 1` too long), given in chunks of
    /// `chunkLines` lines each (a batch holds lines of one chunk), else of 64 KiB (lines cut across chunks).
    private func firstBadLineIsNamed(first: Int, second: Int, bulk: BulkAppend, chunkLines: Int? = nil) throws {
        var lines = (1...4_000).map { Self.line($0) }
        let bad = #"{"stream":"s","type":"t.x","payload":[1]}"#
        lines[first - 1] = bad
        if second > 0 {
            lines[second - 1] = bad
        } else {
            lines[first] = #"{"stream":"s","type":"t.x","payload":{"a":""# + String(repeating: "x", count: NDJSONLine.maxLineBytes) + #""}}"#
        }
        let input = Array(lines.joined(separator: "\n").utf8)
        // Where each chunk ends: after the newline of every `chunkLines`-th line, or every 64 KiB.
        var ends = Array(stride(from: 1 << 16, to: input.count, by: 1 << 16))
        if let chunkLines {
            var offset = 0
            ends = lines.enumerated().compactMap { index, line in
                offset += line.utf8.count + 1
                return (index + 1) % chunkLines == 0 && offset < input.count ? offset : nil
            }
        }
        ends.append(input.count)
        var offset = 0
        let chunks = { () -> ArraySlice<UInt8>? in
            guard offset < input.count, let end = ends.first(where: { $0 > offset }) else { return nil }
            defer { offset = end }
            return input[offset..<end]
        }
        let error = try #require(throws: CLIError.self) {
            try bulk.run(chunks: chunks) {
                Issue.record("the store was opened although line \(first) is bad")
                throw CLIError.badInput("opened")
            }
        }
        #expect(error.description.hasPrefix("line \(first): 'payload' must be a JSON object"), "\(error.description)")
    }

    /// Lines in CRLF, blank lines, a last line without a newline, payloads left out, canonicalized or kept: every
    /// event is appended in order, one `committed` line per batch.
    @Test func everyLineIsAppendedInOrderOneCommitPerBatch() throws {
        try initialized()
        var lines = (0..<2_345).map { Self.line($0) }
        lines[10] = #"{"stream":"x-1","type":"t.y"}"#
        lines[11] = #"{ "type" : "t.z", "stream" : "x-1", "payload" : {"b": 2, "a": "\u00e9"}, "commandId": "c-1" }"# + "\r"
        lines[12] = "  \r"
        lines[13] = #"{"stream":"x-1","type":"t.y","expectedVersion":2}"#
        let run = try DocketProcess.run(["event", "append", "--stdin", "--batch", "1000"], store: store, stdin: lines.joined(separator: "\n"))
        #expect(run.status == 0, "\(run.stderr)")
        // The bootstrap admin is position 1; 2,344 events (one blank line) in batches of 1,000.
        #expect(run.stdout == "committed 1001\ncommitted 2001\ncommitted 2345\n")
        let exported = try exportLines()
        #expect(exported.count == 2_345)
        // An export line ends `…,"payload":PAYLOAD,"previousHash":"…","hash":"…"}`.
        let payloads = exported.dropFirst().map { line -> String in
            guard let start = line.range(of: #""payload":"#), let end = line.range(of: #","previousHash":"#) else { return "" }
            return String(line[start.upperBound..<end.lowerBound])
        }
        #expect(payloads[0] == #"{"i":0}"#)
        #expect(payloads[10] == "{}")
        #expect(payloads[11] == #"{"a":"é","b":2}"#)
        #expect(payloads[12] == "{}")
        #expect(payloads.last == #"{"i":2344}"#)
        #expect(exported[12].contains(#""commandId":"c-1""#))
        // One anchor per commit (written without waiting, the file synced once at the end): the last is the head.
        let anchors = try String(contentsOfFile: store + "/anchors", encoding: .utf8).split(separator: "\n")
        #expect(anchors.suffix(3).map { $0.split(separator: " ")[0] } == ["1001", "2001", "2345"])
        #expect(try DocketProcess.run(["verify", "--log-only"], store: store).status == 0)
    }

    /// What only the store can refuse (here an expected version) fails its batch: the batches before it stay
    /// committed and acknowledged, nothing of it or after it is written.
    @Test func aBatchTheStoreRefusesLeavesTheAcknowledgedBatchesBeforeIt() throws {
        try initialized()
        var lines = (0..<2_500).map { Self.line($0) }
        lines[1_500] = #"{"stream":"late","type":"t.x","expectedVersion":5}"#
        let run = try DocketProcess.run(["event", "append", "--stdin", "--batch", "1000"], store: store, stdin: lines.joined(separator: "\n"))
        #expect(run.status != 0)
        #expect(run.stdout == "committed 1001\n")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(try exportLines().count == 1_001)
    }

    /// Lines in a row on one stream share a request, except those with a command id or an expected version: the
    /// events, their stream versions and the command index are what one request per line gives.
    @Test func linesInARowOnOneStreamAreTheSameEventsAsOneRequestEach() throws {
        try initialized()
        var lines = (0..<40).map { Self.line($0, stream: "run-a") }
        lines[17] = #"{"stream":"run-a","type":"load.noted","payload":{"i":17},"commandId":"c-17"}"#
        lines[18] = #"{"stream":"run-a","type":"load.noted","payload":{"i":18}}"#
        lines[25] = #"{"stream":"run-a","type":"load.noted","payload":{"i":25},"expectedVersion":25}"#
        lines += (40..<45).map { Self.line($0, stream: "run-b") }
        let run = try DocketProcess.run(["event", "append", "--stdin", "--batch", "30"], store: store, stdin: lines.joined(separator: "\n"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "committed 31\ncommitted 46\n")
        let versions = try exportLines().dropFirst().map { line -> String in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return "\(object?["stream"] ?? "")@\(object?["streamVersion"] ?? "")"
        }
        #expect(versions == (1...40).map { "run-a@\($0)" } + (1...5).map { "run-b@\($0)" })
        let retry = try DocketProcess.run(
            ["event", "append", "--stream", "run-a", "--type", "load.noted", "--command-id", "c-17"], store: store)
        #expect(retry.stdout.contains("version 18 at position 19 (already appended"), "\(retry.stdout)")
    }

    /// kill -9 at any moment of a bulk append: the store opens and verifies, holds every batch acknowledged with a
    /// `committed` line (each is on the disk before it is printed) and whole batches only, and the anchors are never
    /// ahead of the log.
    @Test func killNineDuringABulkAppendLeavesTheAcknowledgedBatchesAndAStoreThatVerifies() throws {
        try initialized()
        let input = folder.child("lines.ndjson")
        try (0..<8_000).map { Self.line($0) }.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        var random = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        var head = 1
        for trial in 0..<6 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: DocketProcess.executable)
            process.arguments = ["event", "append", "--stdin", "--batch", "250"]
            var environment = ProcessInfo.processInfo.environment
            (environment["DOCKET_STORE"], environment["DOCKET_USER"]) = (store, "ann")
            process.environment = environment
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: input))
            let output = Pipe()
            process.standardOutput = output
            process.standardError = Pipe()
            try process.run()
            usleep(useconds_t(random.next() % 600_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let acknowledged = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .split(separator: "\n").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            let verify = try DocketProcess.run(["verify"], store: store)
            #expect(verify.status == 0, "trial \(trial): \(verify.stdout)\(verify.stderr)")
            let now = try exportLines().count
            #expect(now >= (acknowledged.last ?? head), "trial \(trial): acknowledged \(acknowledged.last ?? 0), the log ends at \(now)")
            #expect((now - head) % 250 == 0 || now - head == 8_000, "trial \(trial): whole batches only (\(head) → \(now))")
            head = now
        }
    }

    /// The spool gives back what was written, records crossing its buffer's edges included (every record says its
    /// length first: one of each shape, of every length class, non-ASCII and empty fields among them).
    @Test func theSpoolGivesBackEveryLine() throws {
        let spool = try AppendSpool()
        let big = Array(("{\"a\":\"" + String(repeating: "y", count: 3 * AppendSpool.bufferBytes / 2) + "\"}").utf8)
        let versions: [ExpectedVersion] = [.any, .noStream, .exact(42), .exact(.max)]
        let streams = ["s-", "strömung-", "", String(repeating: "s", count: 200)]
        let written = (0..<3_000).map { (i: Int) -> BulkLine in
            let payload: [UInt8] = i % 1_000 == 7 ? big : i % 7 == 3 ? [] : Array("{\"i\":\(i)}".utf8)
            let commandId: String? = i % 2 == 0 ? "c-\(i)" : i % 3 == 0 ? "" : nil
            return BulkLine(
                stream: streams[i % 4] + "\(i % 5)", type: "t.\(i)", payload: payload, commandId: commandId, expectedVersion: versions[i % 4])
        }
        // Written in batches of records, some empty, as pass 1's threads write them: each thread's records emptied and
        // reused from batch to batch (here one batch in two; the big payloads make them grow past their room).
        var records = AppendSpool.Records()
        for (i, line) in written.enumerated() {
            records.append(line)
            if i % 700 == 0 || i % 700 == 3 {
                try spool.write(records)
                if i.isMultiple(of: 2) { records.removeAll() } else { records = AppendSpool.Records() }
            }
        }
        try spool.write(records)
        try spool.rewind()
        var read: [BulkLine] = []
        while let line = try spool.next() { read.append(line) }
        #expect(read == written)
    }

    /// Docket's own data is found by the category of the type (what comes before its first ".") or of the stream.
    @Test func docketsOwnCategoriesAreFoundByTypeOrStream() {
        for category in TrustRules.typePrefixes {
            #expect(TrustRules.touchesDocketData(stream: "bench-1", type: category + "noted"), "\(category)")
        }
        #expect(TrustRules.touchesDocketData(stream: "ticket-T-1", type: "bench.noted"))
        for prefix in TrustRules.streamPrefixes {
            #expect(TrustRules.touchesDocketData(stream: prefix + "x-1", type: "bench.noted"), "\(prefix)")
            #expect(!TrustRules.touchesDocketData(stream: "x" + prefix, type: "bench.noted"), "\(prefix)")
        }
        #expect(!TrustRules.touchesDocketData(stream: "sla-x", type: "bench.noted"), "only the head of sla-policy-")
        #expect(!TrustRules.touchesDocketData(stream: "credit-x", type: "bench.noted"))
        #expect(!TrustRules.touchesDocketData(stream: "ticket", type: "bench.noted"))
        #expect(!TrustRules.touchesDocketData(stream: "ticket-\u{301}1", type: "bench.noted"), "a dash with a mark is no dash")
        #expect(!TrustRules.touchesDocketData(stream: "bench-1", type: "ticket.\u{301}noted"), "nor is a dot with one")
        #expect(TrustRules.touchesDocketData(stream: "bench-1", type: "ticket.é"))
        #expect(TrustRules.touchesDocketData(stream: "client-é", type: "bench.noted"))
        #expect(!TrustRules.touchesDocketData(stream: "é-client-1", type: "é.noted"))
        // The head by bytes is the head by characters wherever the bytes may be read.
        for text in ["a-b", "-", "ab", "é-b", "a-é", "a-\u{301}b", "a\u{301}-b", "", "a-b-c", "ticket-\u{301}"] {
            #expect(TrustRules.head(of: text, through: UInt8(ascii: "-")) == text.firstIndex(of: "-").map { text[...$0] }, "\(text)")
        }
        #expect(!TrustRules.touchesDocketData(stream: "bench-1", type: "ticketing.noted"))
        #expect(!TrustRules.touchesDocketData(stream: "bench-1", type: "bench.ticket.opened"))
        #expect(!TrustRules.touchesDocketData(stream: "bench-1", type: "ticket"))
    }

    /// A text's head of ASCII is found in its bytes exactly as `head(of:through:)` and the sets of strings find it; a
    /// text whose head takes characters (a byte above 0x7F before the separator or after it; the Kelvin sign is
    /// canonically a "K") is left to them.
    @Test func theHeadsFoundByTheirBytesAreTheSetsHeads() {
        var heads = Array(TrustRules.typePrefixes) + Array(TrustRules.streamHeads)
        for head in heads {
            heads += [String(head.dropFirst()), String(head.dropLast()), head + head, "x" + head, head.uppercased()]
        }
        heads += ["", ".", "-", "a.", "b-", "\u{212A}ticket.", "tick\u{212A}-", "ticket\u{301}.", "ticket", "sla"]
        var texts: [String] = []
        for head in heads { texts += [head, head + "x-1.y", head + "\u{301}x", head + "é", head + ".-"] }
        for text in texts {
            for (separator, bytes, set) in [
                (UInt8(ascii: "."), TrustRules.typeHeadBytes, TrustRules.typePrefixes),
                (UInt8(ascii: "-"), TrustRules.streamHeadBytes, TrustRules.streamHeads),
            ] {
                let expected = TrustRules.head(of: text, through: separator).map { set.contains(String($0)) } ?? false
                let found = bytes.containsHead(of: text, through: separator)
                #expect((found ?? expected) == expected, "\(text)")
                let plain = text.utf8.prefix { $0 != separator }.allSatisfy { $0 < 0x80 }
                    && text.utf8.drop { $0 != separator }.dropFirst().first.map { $0 < 0x80 } ?? true
                #expect((found == nil) == !plain, "\(text)")
            }
        }
        for head in TrustRules.typePrefixes { #expect(TrustRules.typeHeadBytes.containsHead(of: head + "x", through: UInt8(ascii: ".")) == true) }
        for head in TrustRules.streamHeads { #expect(TrustRules.streamHeadBytes.containsHead(of: head + "1", through: UInt8(ascii: "-")) == true) }
    }

    /// `line` as pass 1's fast path reads it (`BulkLine.scan`), its payload copied out; nil when it leaves the line to
    /// Foundation.
    private func scanned(_ line: [UInt8]) -> BulkLine? {
        line.withUnsafeBufferPointer { bytes in
            BulkLine.scan(bytes).map {
                BulkLine(
                    stream: $0.stream, type: $0.type, payload: Array($0.payload(in: bytes)), commandId: $0.commandId,
                    expectedVersion: $0.expectedVersion)
            }
        }
    }

    /// A line nested deeper than `JSONBounds.maxDepth` is left to the slow path, which names it; one level less is read.
    @Test func theScannerReadsNoLineNestedDeeperThanTheLimit() throws {
        func line(depth: Int) -> [UInt8] {
            // The line's object is one level; the payload the next; then arrays.
            let arrays = depth - 2
            return Array(#"{"stream":"s","type":"t.x","payload":{"a":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: arrays)
                + Array(repeating: UInt8(ascii: "]"), count: arrays) + Array("}}".utf8)
        }
        #expect(JSONBounds.depth(of: line(depth: JSONBounds.maxDepth)) == JSONBounds.maxDepth)
        #expect(scanned(line(depth: JSONBounds.maxDepth)) != nil)
        #expect(scanned(line(depth: JSONBounds.maxDepth + 1)) == nil)
        let refused = try #require(throws: CLIError.self) { try BulkLine(parsing: line(depth: JSONBounds.maxDepth + 1), number: 3) }
        #expect(refused.description.contains("line 3 nests deeper than \(JSONBounds.maxDepth) levels"), "\(refused)")
    }

    /// A line is read the same by the scanner and by Foundation (whose payload is canonicalized).
    @Test func aLineReadsTheSameWithOrWithoutTheScanner() throws {
        let fast = #"{"stream":"s-1","type":"t.x","payload":{"a":1,"b":"c"},"commandId":"c-1","expectedVersion":4}"#
        let slow = #"{ "expectedVersion": 4, "payload": {"b": "c", "a": 1}, "commandId": "c-1", "type": "t.x", "stream": "s-1" }"#
        let fastLine = try #require(scanned(Array(fast.utf8)))
        #expect(scanned(Array(slow.utf8)) == nil)
        #expect(try BulkLine(parsing: Array(slow.utf8), number: 1) == fastLine)
        #expect(fastLine == BulkLine(stream: "s-1", type: "t.x", payload: Array(#"{"a":1,"b":"c"}"#.utf8), commandId: "c-1", expectedVersion: .exact(4)))
        // A line without a payload has the empty object, read by the scanner or not.
        let bare = #"{"stream":"s-1","type":"t.x"}"#
        #expect(scanned(Array(bare.utf8))?.payload == Array("{}".utf8))
        #expect(try BulkLine(parsing: Array(bare.utf8), number: 1).payload == Array("{}".utf8))
    }
}
