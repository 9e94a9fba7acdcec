import Foundation
import ReadModelKit
import Testing

/// The read-model kit's row codec and key encoding (issue 10 §1).
@Suite struct BinaryRowCodecTests {
    enum Kind: String, Codable, Equatable { case response, resolution }
    enum Action: Codable, Equatable { case raise, notify(String) }
    struct Interval: Codable, Equatable {
        var start: Int64
        var end: Int64?
    }
    struct Row: Codable, Equatable {
        var number: UInt64
        var subject: String
        var kind: Kind
        var assignee: String?
        var paused: Bool
        var ratio: Double
        var intervals: [Interval]
        var actions: [Action]
        var counts: [String: Int]
        var negative: Int
        var nested: [[Int8]]
    }

    static func sample(_ seed: UInt64) -> Row {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        return Row(
            number: next(), subject: "Printer \(next() % 1000) — café", kind: next() % 2 == 0 ? .response : .resolution,
            assignee: next() % 3 == 0 ? nil : "bob", paused: next() % 2 == 0, ratio: Double(next() % 1000) / 7,
            intervals: (0..<Int(next() % 4)).map { _ in Interval(start: Int64(bitPattern: next()), end: next() % 2 == 0 ? nil : 5) },
            actions: [.raise, .notify("ann")], counts: ["b": Int(next() % 9), "a": 1, "c": -3],
            negative: -Int(next() % 100_000), nested: [[-128, 0, 127], []])
    }

    @Test(arguments: 0..<40)
    func rowsRoundTripExactly(seed: Int) throws {
        let row = Self.sample(UInt64(seed))
        let bytes = try BinaryRowEncoder().encode(row)
        #expect(try BinaryRowDecoder().decode(Row.self, from: bytes) == row)
        // Much smaller than the canonical JSON the models used to store.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(bytes.count < (try encoder.encode(row)).count)
    }

    @Test func theBytesDependOnlyOnTheValues() throws {
        // A dictionary's order differs between instances; the keyed entries are sorted, so the bytes do not.
        var first = Self.sample(3)
        var second = first
        first.counts = [:]
        second.counts = [:]
        for key in ["x", "m", "a", "q", "b"] { first.counts[key] = key.count }
        for key in ["b", "q", "a", "m", "x"] { second.counts[key] = key.count }
        #expect(try BinaryRowEncoder().encode(first) == BinaryRowEncoder().encode(second))
    }

    @Test func everyCutOrFlippedRowIsAnErrorNotACrash() throws {
        let bytes = try BinaryRowEncoder().encode(Self.sample(11))
        for length in 0..<bytes.count {
            #expect(throws: (any Error).self) { try BinaryRowDecoder().decode(Row.self, from: Array(bytes.prefix(length))) }
        }
        for index in bytes.indices {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[index] ^= UInt8(1) << UInt8(bit)
                _ = try? BinaryRowDecoder().decode(Row.self, from: damaged)  // any outcome but a trap
            }
        }
    }

    /// Instants in `Timestamp.iso8601` form and lowercase hex digests are written shorter and read back as the same
    /// text; anything that would not read back exactly (another form of a time, uppercase or odd hex) stays a string.
    @Test(arguments: [
        ("2026-11-03T14:00:00.000Z", 7), ("1969-12-31T23:59:59.999Z", 2), ("2026-11-03T14:00:00Z", 22),
        ("2026-11-03T14:00:00.000+01:00", 31), ("2026-13-03T14:00:00.000Z", 26), ("2026-11-03 14:00:00.000Z", 26),
        (String(repeating: "0f", count: 32), 34), (String(repeating: "0F", count: 32), 66), ("abcdef0123456789", 10),
        ("abcdef012345678", 17), ("deadbeef", 10), ("", 2),
    ])
    func compactStringsReadBackAsTheSameText(text: String, size: Int) throws {
        let bytes = try BinaryRowEncoder().encode(text)
        #expect(bytes.count == size)
        #expect(try BinaryRowDecoder().decode(String.self, from: bytes) == text)
        for length in 0..<bytes.count {
            #expect(throws: (any Error).self) { try BinaryRowDecoder().decode(String.self, from: Array(bytes.prefix(length))) }
        }
    }

    /// Declared field names are written as numbers: the row is smaller, reads back the same, and a name left out of
    /// the list (`counts`' dictionary keys, `negative`) is still written as text. Without the list the numbers are
    /// an error, not a misread.
    @Test(arguments: 0..<10)
    func declaredKeysAreWrittenAsNumbers(seed: Int) throws {
        let keys = RowKeys(["number", "subject", "kind", "assignee", "paused", "ratio", "intervals", "start", "end", "actions", "nested"])
        let row = Self.sample(UInt64(seed))
        let plain = try BinaryRowEncoder().encode(row)
        let numbered = try BinaryRowEncoder(keys: keys).encode(row)
        #expect(numbered.count < plain.count - 20)
        #expect(try BinaryRowDecoder(keys: keys).decode(Row.self, from: numbered) == row)
        #expect(throws: DecodingError.self) { try BinaryRowDecoder().decode(Row.self, from: numbered) }
        let codec = RowCodec<Row>(format: 1, keys: keys)
        #expect(try codec.encode(row).withUnsafeBytes { try codec.decode($0) } == row)
        for length in 0..<numbered.count {
            #expect(throws: (any Error).self) { try BinaryRowDecoder(keys: keys).decode(Row.self, from: Array(numbered.prefix(length))) }
        }
    }

    /// A flat row of optional strings written member by member (`encodeStrings`) has the bytes of its `Codable`
    /// encoding, whatever the order of the members, with declared or undeclared names, compact or plain strings; a
    /// `RowCodec` that writes it so reads it back through `Codable`.
    @Test(arguments: 0..<64)
    func stringMembersHaveTheirCodableBytes(seed: Int) throws {
        struct Flat: Codable, Equatable {
            var status: Kind
            var zeta: String?
            var alpha: String?
            var digest: String?
            var note: String?
            var members: [(name: String, value: String?)] {
                [("zeta", zeta), ("status", status.rawValue), ("note", note), ("alpha", alpha), ("digest", digest)]
            }
        }
        let texts = [nil, "", "INV-2026-0001", "2026-11-03T14:00:00.000Z", "2026-11-03T14:00:00Z", String(repeating: "ab", count: 16), "café ✓"]
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        func pick() -> String? {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return texts[Int(state % UInt64(texts.count))]
        }
        let row = Flat(status: seed % 2 == 0 ? .response : .resolution, zeta: pick(), alpha: pick(), digest: pick(), note: pick())
        for keys in [RowKeys.none, RowKeys(["status", "alpha", "zeta", "digest"])] {
            #expect(BinaryRowEncoder(keys: keys).encodeStrings(row.members) == (try BinaryRowEncoder(keys: keys).encode(row)))
            let codec = RowCodec<Flat>(format: 3, keys: keys) { row, writer in
                writer.bytes.append(contentsOf: BinaryRowEncoder(keys: keys).encodeStrings(row.members))
            }
            #expect(try codec.encode(row) == RowCodec<Flat>(format: 3, keys: keys).encode(row))
            #expect(try codec.encode(row).withUnsafeBytes { try codec.decode($0) } == row)
        }
    }

    @Test func aRowOfAnotherFormatIsRefused() throws {
        let bytes = try RowCodec<Row>(format: 1).encode(Self.sample(2))
        #expect(try bytes.withUnsafeBytes { try RowCodec<Row>(format: 1).decode($0) } == Self.sample(2))
        #expect(throws: DecodingError.self) { try bytes.withUnsafeBytes { try RowCodec<Row>(format: 2).decode($0) } }
    }
}

@Suite struct OrderedKeyTests {
    @Test func keysSortLikeTheirValues() {
        var state: UInt64 = 0x1234_5678
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        let words = ["", "a", "ab", "b", "bob", "bo", "zed", "é"]
        for _ in 0..<2_000 {
            let (a, b) = (Int64(bitPattern: next()) >> Int64(next() % 60), Int64(bitPattern: next()) >> Int64(next() % 60))
            let (x, y) = (next() >> (next() % 60), next() >> (next() % 60))
            let (s, t) = (words[Int(next() % 8)], words[Int(next() % 8)])
            let left = OrderedKey.of(s, a, x), right = OrderedKey.of(t, b, y)
            let expected = (Array(s.utf8), a, x) < (Array(t.utf8), b, y)
            #expect(left.lexicographicallyPrecedes(right) == expected, "\(s) \(a) \(x) vs \(t) \(b) \(y)")
        }
        #expect(OrderedKey.of(Int64.max) == [UInt8](repeating: 0xff, count: 8))
        OrderedKey.of(Int64(-5), UInt64(7)).withUnsafeBytes { key in
            #expect(OrderedKey.int64(key) == -5)
            #expect(OrderedKey.uint64(key, at: 8) == 7)
        }
    }

    /// Numbered identifiers as `ShortlexUTF8` sort in number order (by bytes alone `T-10000` sorts before `T-1001`), a
    /// key of any text sorts by its length then its bytes, and the text and the rest of the key read back.
    @Test func shortlexKeysSortNumberedIdentifiersInNumberOrder() {
        var state: UInt64 = 0x9E37_79B9
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for _ in 0..<2_000 {
            let (m, n) = (next() % 2_000_000, next() % 2_000_000)
            let (left, right) = (ShortlexUTF8.key("T-\(m)"), ShortlexUTF8.key("T-\(n)"))
            #expect(left.lexicographicallyPrecedes(right) == (m < n), "T-\(m) vs T-\(n)")
            let (s, t) = (String(m, radix: 36), String(n, radix: 36) + "é")
            let expected = (s.utf8.count, Array(s.utf8)) < (t.utf8.count, Array(t.utf8))
            #expect(ShortlexUTF8.key(s).lexicographicallyPrecedes(ShortlexUTF8.key(t)) == expected, "\(s) vs \(t)")
        }
        #expect(Array(Array("T-10000".utf8)).lexicographicallyPrecedes(Array("T-1001".utf8)), "the order the part exists for")
        let key = ShortlexUTF8.key("T-1001") + OrderedKey.of(UInt64(7))
        key.withUnsafeBytes { key in
            let read = ShortlexUTF8.read(key)
            #expect(read?.text == "T-1001" && read?.end == 10)
            #expect(OrderedKey.uint64(key, at: 10) == 7)
            #expect(ShortlexUTF8.read(UnsafeRawBufferPointer(rebasing: key[..<9])) == nil, "cut short of its count")
        }
        #expect(ShortlexUTF8.key("") == [0, 0, 0, 0])
    }
}

extension Array: @retroactive Comparable where Element == UInt8 {
    public static func < (lhs: [UInt8], rhs: [UInt8]) -> Bool { lhs.lexicographicallyPrecedes(rhs) }
}
