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

    /// The member `members(_:maxDepth:canonical:)` is asked about is read in one pass: its `isCanonical` is what
    /// `isCanonical` says of its value, and the members (keys and ranges) and misses are those of `members` without it,
    /// over canonical and shuffled payloads, other values, broken and too deep lines.
    @Test func theCanonicalMemberIsTheOneIsCanonicalFinds() throws {
        var generator = SeededGenerator(seed: 17)
        var lines: [[UInt8]] = []
        for _ in 0..<600 {
            let object = randomObject(depth: 0, using: &generator)
            let sorted = generator.next() % 2 == 0
            let payload = String(decoding: try JSONSerialization.data(
                withJSONObject: object, options: sorted ? [.sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]), as: UTF8.self)
            var line = #"{"stream":"bench-1","type":"bench.noted","payload":"# + payload + "}"
            switch generator.next() % 8 {
            case 0: line = #"{"payload":["# + payload + #",2],"stream":"s"}"#
            case 1: line = #"{"stream":"s","payload":"# + payload + #", "type":"t"}"#
            case 2: line = String(line.dropLast())
            case 3: line = #"{"payload":"x","stream":"s"}"#
            case 4: line = #"{"payload":{"a":{"b":{"c":{}}}},"payload2":{"b":1,"a":2}}"#
            default: break
            }
            lines.append(Array(line.utf8))
        }
        var canonical = 0
        for line in lines {
            for depth in [2, 3, 4, JSONBounds.maxDepth] {
                let plain = JSONScanner.members(line, maxDepth: depth)
                let read = JSONScanner.members(line, maxDepth: depth, canonical: "payload")
                #expect(plain?.map(\.key) == read?.map(\.key) && plain?.map(\.value) == read?.map(\.value), "\(String(decoding: line, as: UTF8.self))")
                for member in read ?? [] {
                    let first = line[member.value.lowerBound]
                    let asked = member.key == "payload" && (first == UInt8(ascii: "{") || first == UInt8(ascii: "["))
                    #expect(member.isCanonical == (asked && JSONScanner.isCanonical(line, member.value)), "\(member.key)")
                    if member.isCanonical { canonical += 1 }
                }
            }
        }
        #expect(canonical > 200, "many payloads are canonical: \(canonical)")
    }

    /// Export lines read by the scanner equal the same lines read through `JSONSerialization`.
    /// Strings of every length from 0 to 47 end where their closing quote is, whichever byte of a word of eight or a
    /// block of sixteen it falls on (the word scan stops on the first byte it flags, not at the word's start).
    @Test func stringsOfEveryLengthEndAtTheirQuote() throws {
        for length in 0..<48 {
            let text = String(repeating: "x", count: length)
            let line = Array(#"{"\#(text)":"\#(text)","b":"\#(text)\n","c":1}"#.utf8)
            let members = try #require(JSONScanner.members(line), "length \(length)")
            #expect(members.map(\.key) == [text, "b", "c"])
            #expect(members.map { String(decoding: line[$0.value], as: UTF8.self) } == [#""\#(text)""#, #""\#(text)\n""#, "1"])
        }
    }

    /// Export lines whose stream, type, actor and command id have every length from 1 to 40 read in place as
    /// `JSONSerialization` reads them (the in-place reader's strings end on their quote at every offset).
    @Test func exportLinesWithNamesOfEveryLengthReadExactly() throws {
        let folder = TemporaryFolder()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        for length in 1...40 {
            let name = String(repeating: "x", count: length)
            try store.append(AppendRequest(
                stream: "s-" + name, events: [NewEvent(type: "t." + name, payload: Array(#"{"a":"\#(name)"}"#.utf8))],
                commandId: "c-" + name, actor: name))
        }
        var lines: [[UInt8]] = []
        try store.export { lines.append(Array($0.utf8.dropLast())) }
        #expect(lines.count == 40)
        for line in lines {
            let fast = try #require(line.withUnsafeBufferPointer(NDJSONLine.exact), "\(String(decoding: line, as: UTF8.self))")
            #expect(fast == (try NDJSONLine.parse(line)))
        }
        // A byte changed anywhere (a key's first, middle or last byte among them): read in place only as it parses.
        let line = lines[20]
        for offset in line.indices {
            var changed = line
            changed[offset] = line[offset] == UInt8(ascii: "k") ? UInt8(ascii: "j") : UInt8(ascii: "k")
            if let fast = changed.withUnsafeBufferPointer(NDJSONLine.exact) {
                #expect(fast == (try? NDJSONLine.parse(changed)), "byte \(offset)")
            }
        }
    }

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

    /// Export lines read in place (`NDJSONLine.exact`) equal the same lines read through `JSONSerialization`, and
    /// any line not exactly as `encode` writes it is left to the other paths.
    @Test func exportLinesReadExactlyAsFoundationParsesThem() throws {
        let folder = TemporaryFolder()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        try store.append(sampleAppend("ticket-T-1", count: 3, commandId: "c-1"))
        try store.append(AppendRequest(stream: "ticket-T-\u{e9}\"2", events: [sampleEvent(4)], actor: "ann"))
        try store.append(AppendRequest(stream: "client-\u{e9}", events: [NewEvent(type: "x.y", payload: Array(#"[1,{"a":"b\n"}]"#.utf8))], actor: "bob"))
        var lines: [[UInt8]] = []
        try store.export { lines.append(Array($0.utf8.dropLast())) }
        func exact(_ line: [UInt8]) -> NDJSONLine.Parsed? { line.withUnsafeBufferPointer(NDJSONLine.exact) }
        func text(_ line: [UInt8]) -> String { String(decoding: line, as: UTF8.self) }
        var read = 0
        for line in lines {
            let slow = try NDJSONLine.parse(line)
            if let fast = exact(line) {
                read += 1
                #expect(fast == slow)
                #expect(try NDJSONLine.decode(line) == slow)
            }
        }
        #expect(read == lines.count - 1, "only the line with an escaped stream name is not read in place")

        // Payloads of every kind in a line as `encode` writes it.
        var generator = SeededGenerator(seed: 5)
        let base = text(lines[0])
        let payloadStart = try #require(base.range(of: #""payload":"#)).upperBound
        let payloadEnd = try #require(base.range(of: #","previousHash":"#)).lowerBound
        for _ in 0..<300 {
            let object = randomObject(depth: 0, using: &generator)
            let payload = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            let line = Array((base[..<payloadStart] + payload + base[payloadEnd...]).utf8)
            let fast = try #require(exact(line), "\(payload)")
            #expect(fast == (try NDJSONLine.parse(line)))
        }

        // Not as `encode` writes it: left to the other paths, which still read it.
        let variants = [
            base.replacingOccurrences(of: #""stream":"#, with: #""stream": "#),
            base + " ",
            base.replacingOccurrences(of: #","stream":"ticket-T-1""#, with: ""),
        ]
        for variant in variants.prefix(2) {
            #expect(exact(Array(variant.utf8)) == nil, "\(variant)")
            #expect(try NDJSONLine.decode(Array(variant.utf8)) == (try NDJSONLine.parse(lines[0])))
        }
        #expect(exact(Array(variants[2].utf8)) == nil, "a field missing")
        let notUUID = base.replacingOccurrences(of: #""eventId":""#, with: #""eventId":"X"#)
        #expect(exact(Array(notUUID.utf8)) == nil, "an event id that is not a UUID")
        // Any one character of the event id wrong (a letter past `f` for a digit or a dash, a dash for a digit): left
        // to the other paths, as `UUID(uuidString:)` refuses it; its digits in capitals read the same event id.
        let idStart = try #require(base.range(of: #""eventId":""#)).upperBound
        let id = String(base[idStart...].prefix(36))
        #expect(UUID(uuidString: id) != nil)
        for offset in 0..<36 {
            for replacement in ["g", "-"] where Array(id)[offset] != Character(replacement) {
                var wrong = Array(id)
                wrong[offset] = Character(replacement)
                let line = base.replacingOccurrences(of: id, with: String(wrong))
                #expect(exact(Array(line.utf8)) == nil, "\(String(wrong))")
            }
        }
        let capitals = try #require(exact(Array(base.replacingOccurrences(of: id, with: id.uppercased()).utf8)))
        #expect(capitals.event.eventId == (try #require(exact(Array(base.utf8)))).event.eventId)
        let badByte = Array(base[..<payloadStart].utf8) + Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8) + Array(base[payloadEnd...].utf8)
        #expect(exact(badByte) == nil)
        #expect(throws: NDJSONLine.Malformed.self) { try NDJSONLine.decode(badByte) }

        // Nesting: a whole line as deep as `JSONBounds.maxDepth` is read in place; one deeper is refused by `decode`.
        func nested(_ depth: Int) -> [UInt8] {
            let arrays = depth - 1
            return Array((base[..<payloadStart] + String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays) + base[payloadEnd...]).utf8)
        }
        #expect(JSONBounds.depth(of: nested(JSONBounds.maxDepth)) == JSONBounds.maxDepth)
        #expect(exact(nested(JSONBounds.maxDepth)) != nil)
        #expect(exact(nested(JSONBounds.maxDepth + 1)) == nil)
        let deep = try #require(throws: NDJSONLine.Malformed.self) { try NDJSONLine.decode(nested(JSONBounds.maxDepth + 1)) }
        #expect(deep.reason.contains("nests deeper"))
    }

    /// A byte that ends plain text (a quote, a backslash, a control character, DEL or a non-ASCII one) is seen at
    /// every offset of a long string, inside or across the blocks of sixteen and eight bytes the scanner moves by (and
    /// the 32 the UTF-8 check of the whole line does).
    @Test func everyByteThatEndsPlainTextIsSeenAtEveryOffset() throws {
        let specials: [(bytes: [UInt8], valid: Bool, canonical: Bool)] = [
            (Array(#"\""#.utf8), true, false), (Array(#"\\"#.utf8), true, false), (Array(#"\n"#.utf8), true, false),
            (Array(#"\u00e9"#.utf8), true, false), ([0x01], false, false), ([0x1F], false, false), ([0x7F], true, false),
            (Array("é".utf8), true, false), ([0xFF], false, false), (Array(#"\q"#.utf8), false, false), (Array("~ ".utf8), true, true),
        ]
        for special in specials {
            for offset in 0..<48 {
                let text = Array(repeating: UInt8(ascii: "x"), count: offset) + special.bytes + Array(repeating: UInt8(ascii: "y"), count: 47 - offset)
                let object = Array(#"{"a":""#.utf8) + text + Array(#"","b":1}"#.utf8)
                let foundation = (try? JSONSerialization.jsonObject(with: Data(object))) != nil
                #expect(foundation == special.valid, "\(special.bytes) at \(offset)")
                #expect((JSONScanner.members(object) != nil) == special.valid, "\(special.bytes) at \(offset)")
                if special.valid {
                    #expect(JSONScanner.isCanonical(object, 0..<object.count) == special.canonical, "\(special.bytes) at \(offset)")
                }
                // Unterminated: the text runs to the end of the input.
                #expect(JSONScanner.members(Array(#"{"a":""#.utf8) + text) == nil)
            }
        }
    }

    /// A digest reads back from its hexadecimal text in either case; anything but 64 hexadecimal digits is refused.
    @Test func digestsReadFromHexadecimalDigits() throws {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            let bytes = (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let digest = bytes.withUnsafeBytes { Digest($0) }
            #expect(Digest(hex: digest.hex) == digest)
            #expect(Digest(hex: digest.hex.uppercased()) == digest)
            #expect(digest.bytes == bytes)
        }
        let valid = String(repeating: "0123456789abcdef", count: 4)
        for bad in ["g", " ", "/", ":", "@", "G", "`", "\u{e9}"] {
            for at in [0, 1, 31, 62, 63] {
                var characters = Array(valid)
                characters.replaceSubrange(at...at, with: Array(bad))
                #expect(Digest(hex: String(characters)) == nil, "\(bad) at \(at)")
            }
        }
        #expect(Digest(hex: String(valid.dropLast())) == nil)
        #expect(Digest(hex: valid + "0") == nil)
    }

    /// Every byte value at every place of a digest's 64 digits and of an event id's 36 characters: read (eight digits
    /// at a time) exactly when it is a hexadecimal digit of either case (a dash in the id's dashes), to the value a
    /// digit at a time gives (`UUID(uuidString:)` for the id); refused otherwise. A line's event id and hashes are read
    /// in place (their quotes checked, not scanned for) only when they are such text of their length, and to the same
    /// values.
    @Test func everyByteAtEveryPlaceOfADigestOrEventId() throws {
        func digit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x61...0x66: byte - 0x61 + 10
            case 0x41...0x46: byte - 0x41 + 10
            default: nil
            }
        }
        func reference(_ digits: [UInt8]) -> [UInt8]? {
            guard digits.count % 2 == 0 else { return nil }
            var bytes: [UInt8] = []
            for pair in stride(from: 0, to: digits.count, by: 2) {
                guard let high = digit(digits[pair]), let low = digit(digits[pair + 1]) else { return nil }
                bytes.append(high << 4 | low)
            }
            return bytes
        }
        let valid = Array("0123456789abcdefABCDEF0123456789abcdef0123456789ABCDEFabcdef0123".utf8)
        for place in 0..<64 {
            for byte in UInt8.min...UInt8.max {
                var digits = valid
                digits[place] = byte
                let read = digits.withUnsafeBufferPointer { Digest(hexDigits: $0) }
                #expect(read?.bytes == reference(digits), "\(byte) at \(place)")
            }
        }

        let folder = TemporaryFolder()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock())
        try store.append(sampleAppend("ticket-T-1", count: 1))
        var lines: [[UInt8]] = []
        try store.export { lines.append(Array($0.utf8.dropLast())) }
        let line = try #require(lines.first)
        // Each field's text replaced by one of its own length, then each of its bytes by every value.
        let id = Array("0aF93bC4-5d6E-7f80-9A1b-2c3D4e5F6a7B".utf8)
        let fields: [(name: String, text: [UInt8], dashes: Set<Int>)] = [
            ("eventId", id, [8, 13, 18, 23]), ("previousHash", valid, []), ("hash", Array(valid.reversed()), []),
        ]
        for field in fields {
            let start = try #require(line.firstRange(of: Array("\"\(field.name)\":\"".utf8))).upperBound
            let count = field.text.count
            func read(_ text: [UInt8]) -> NDJSONLine.Parsed? {
                var changed = line
                changed.replaceSubrange(start..<(start + count), with: text)
                return changed.withUnsafeBufferPointer(NDJSONLine.exact)
            }
            for place in 0..<count {
                for byte in UInt8.min...UInt8.max {
                    var text = field.text
                    text[place] = byte
                    let fast = read(text)
                    let isValid = (0..<count).allSatisfy {
                        field.dashes.contains($0) ? text[$0] == UInt8(ascii: "-") : digit(text[$0]) != nil
                    }
                    #expect((fast != nil) == isValid, "\(field.name): \(byte) at \(place)")
                    guard let fast else { continue }
                    switch field.name {
                    case "eventId": #expect(fast.event.eventId == UUID(uuidString: String(decoding: text, as: UTF8.self)))
                    case "previousHash": #expect(fast.previousHash.bytes == reference(text))
                    default: #expect(fast.event.hash.bytes == reference(text))
                    }
                }
            }
            // One character fewer or more (the closing quote one place off): not read in place.
            var shorter = line, longer = line
            shorter.replaceSubrange(start..<(start + count), with: field.text.dropLast())
            longer.replaceSubrange(start..<(start + count), with: field.text + [field.text[0]])
            #expect(shorter.withUnsafeBufferPointer(NDJSONLine.exact) == nil, "\(field.name) one shorter")
            #expect(longer.withUnsafeBufferPointer(NDJSONLine.exact) == nil, "\(field.name) one longer")
        }
    }

    /// Repeated keys are a miss however many members come before them (a look back along the first sixteen, a set
    /// after).
    @Test func aRepeatedKeyIsAMissAmongManyMembers() throws {
        let keys = (0..<40).map { "k\($0)" }
        func object(_ keys: [String]) -> [UInt8] { Array(("{" + keys.map { #""\#($0)":1"# }.joined(separator: ",") + "}").utf8) }
        #expect(try #require(JSONScanner.members(object(keys))).map(\.key) == keys)
        for repeated in [3, 15, 16, 17, 39] {
            var twice = keys
            twice.insert(keys[repeated / 2], at: repeated)
            #expect(JSONScanner.members(object(twice)) == nil, "\(repeated)")
        }
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
