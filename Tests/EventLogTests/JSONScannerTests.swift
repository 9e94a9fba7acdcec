@testable import EventLog
import Foundation
import TestSupport
import Testing

/// The scanner behind the fast NDJSON paths must agree with `JSONSerialization` wherever it answers.
@Suite struct JSONScannerTests {
    @Test func membersOfAnObjectWithTheirValueRanges() throws {
        let line = Array(#" {"a" : 1, "b":{"c":[true,null,"x\"y"]},"d":-2.5e3 } "#.utf8)
        let members = try #require(JSONScanner.members(line))
        #expect(members.map(\.key) == ["a", "b", "d"])
        #expect(members.map { String(decoding: line[$0.value], as: UTF8.self) } == ["1", #"{"c":[true,null,"x\"y"]}"#, "-2.5e3"])
    }

    @Test(arguments: [
        #"{"a":1,}"#, #"{"a":01}"#, "{\"a\":\"\u{01}\"}", #"{"a":1} x"#, #"{"a":1,"a":2}"#, #"{"a":"\ud800"}"#,
        #"{"a":tru}"#, #"{"a":1."#, #"[1,2]"#, #"{"a\u0062":1}"#, #"{"a":"\q"}"#, "",
    ])
    func invalidOrUnsureTextIsAMiss(text: String) {
        #expect(JSONScanner.members(Array(text.utf8)) == nil)
    }

    @Test func invalidUTF8IsAMiss() {
        #expect(JSONScanner.members(Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8)) == nil)
    }

    /// A payload the scanner calls canonical is exactly what `JSONSerialization` writes for it (sorted keys,
    /// unescaped slashes), so `event append --stdin` stores the same bytes with or without the fast path.
    @Test func aCanonicalPayloadIsWhatFoundationWrites() throws {
        var generator = SeededGenerator(seed: 11)
        var canonical = 0
        for _ in 0..<400 {
            let object = randomObject(depth: 0, using: &generator)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            let bytes = Array(data)
            if JSONScanner.isCanonical(bytes, 0..<bytes.count) { canonical += 1 }
            // Whatever the scanner accepts as canonical must round-trip through Foundation unchanged.
            let shuffled = Array(try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]))
            if JSONScanner.isCanonical(shuffled, 0..<shuffled.count) { #expect(shuffled == bytes) }
        }
        #expect(canonical > 100, "many generated payloads are canonical: \(canonical)")
        for text in [#"{"b":1,"a":2}"#, #"{"B":1,"a":2}"#, #"{"a10":1,"a2":2}"#, #"{"a": 1}"#, #"{"a":1.5}"#, #"{"a":"x\/y"}"#, #"{"a":"é"}"#, #"{"a":01}"#, #"{"a":-0}"#] {
            #expect(!JSONScanner.isCanonical(Array(text.utf8), 0..<text.utf8.count), "\(text)")
        }
    }

    /// Export lines read by the scanner equal the same lines read through `JSONSerialization`.
    @Test func exportLinesScanAsFoundationParsesThem() throws {
        let folder = TemporaryFolder()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        try store.append(sampleAppend("ticket-T-1", count: 3, commandId: "c-1"))
        try store.append(AppendRequest(stream: "ticket-T-\u{e9}\"2", events: [sampleEvent(4)], actor: "ann"))
        try store.append(AppendRequest(stream: "client-acme", events: [NewEvent(type: "x.y", payload: Array(#"[1,{"a":"b\n"}]"#.utf8))], actor: "bob"))
        var lines: [[UInt8]] = []
        try store.export { lines.append(Array($0.utf8.dropLast())) }
        var scanned = 0
        for line in lines {
            let slow = try NDJSONLine.parse(line)
            if let fast = NDJSONLine.scan(line) {
                scanned += 1
                #expect(fast == slow)
            }
        }
        #expect(scanned == lines.count - 1, "only the line with an escaped stream name takes the slow path")
    }

    private func randomObject(depth: Int, using generator: inout SeededGenerator) -> [String: Any] {
        let keys = ["a", "b", "ab", "startedAt", "startAt", "status", "a2", "a10", "B", "a/b", "Z9", "key with space", "k"]
        var object: [String: Any] = [:]
        for _ in 0..<Int(generator.next() % 4) {
            let key = keys[Int(generator.next() % UInt64(keys.count))]
            switch generator.next() % 7 {
            case 0: object[key] = Int(generator.next() % 2_000_000) - 1_000_000
            case 1: object[key] = generator.next() % 2 == 0
            case 2: object[key] = NSNull()
            case 3: object[key] = ["x", "a/b", "tab\there", "q\"uote", ""][Int(generator.next() % 5)]
            case 4 where depth < 3: object[key] = randomObject(depth: depth + 1, using: &generator)
            case 5 where depth < 3: object[key] = [randomObject(depth: depth + 1, using: &generator), 1, "s"] as [Any]
            default: object[key] = [] as [Any]
            }
        }
        return object
    }
}
