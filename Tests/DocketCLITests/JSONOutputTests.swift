import Foundation
import Testing

@testable import DocketCLI

/// `--json` text is the value's own encoding, laid out as before: nothing is rewritten by its name or size.
@Suite struct JSONOutputTests {
    /// Fields the old name-based rewrite (`…At`, `due`, `lastSeen`, a number past 2000-01-01 in ms) turned into times.
    struct Lookalikes: Encodable {
        /// A count whose name ends in `At`.
        let retriedAt = 1_800_000_000_000
        /// Money due, in minor units.
        let due: Int64 = 5_000_000_000_000
        let lastSeen: Int64 = 1_793_955_600_000
        let nested = [["createdAt": 2_000_000_000_000]]
    }

    @Test func numbersNamedLikeTimesStayNumbers() throws {
        let text = try JSONText.of(Lookalikes())
        let value = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(value["retriedAt"] as? NSNumber == 1_800_000_000_000)
        #expect(value["due"] as? NSNumber == 5_000_000_000_000)
        #expect(value["lastSeen"] as? NSNumber == 1_793_955_600_000)
        #expect((value["nested"] as? [[String: Any]])?.first?["createdAt"] as? NSNumber == 2_000_000_000_000)
    }

    struct Layout: Encodable {
        let creditNotes = 1
        let creditedMinor = 2
        let note = "Überdruck / \"quoted\"\nline"
        let empty: [Int] = []
        let none: [String: Int] = [:]
        let items = [["b": 1, "a": 2]]
        let flag = true
        let missing: String? = nil
    }

    @Test func layoutIsTheOneTheCLIPrinted() throws {
        let expected = """
            {
              "creditedMinor" : 2,
              "creditNotes" : 1,
              "empty" : [],
              "flag" : true,
              "items" : [
                {
                  "a" : 2,
                  "b" : 1
                }
              ],
              "none" : {},
              "note" : "Überdruck / \\"quoted\\"\\nline"
            }
            """
        #expect(try JSONText.of(Layout()) == expected)
        #expect(try JSONText.of([String]()) == "[]")
        #expect(try JSONText.of("a/b") == "\"a/b\"")
    }

    /// Without empty containers the text is exactly `JSONSerialization`'s (sorted keys, pretty, slashes as they are).
    @Test func keyOrderAndEscapingAreJSONSerializations() throws {
        let value: [String: [String: String]] = [
            "outer": ["a10": "x", "a9": "tab\there", "B": "é", "b": "\u{1}", "_x": "</p>", "Äb": "\\", "ab": "😀", "A-b": "\u{2028}"],
            "Outer2": ["z": "1"],
        ]
        let reference = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
        #expect(try JSONText.of(value) == String(decoding: reference, as: UTF8.self))
    }

    /// Objects with the same keys (their order worked out once), objects with other keys and objects with as many
    /// other keys in one value: every object's keys in `JSONSerialization`'s order.
    @Test func objectsSharingTheirKeysAreOrderedLikeTheOthers() throws {
        let value: [[String: Int]] = [
            ["a10": 1, "a9": 2, "B": 3, "b": 4], ["b": 5, "B": 6, "a9": 7, "a10": 8], ["a10": 9, "a9": 10, "B": 11],
            ["a10": 12, "a9": 13, "B": 14, "b": 15, "Ä": 16], ["x": 17], ["a10": 18, "a9": 19, "B": 20, "b": 21],
            ["c": 22, "C10": 23, "c9": 24, "d": 25], ["d": 26, "c9": 27, "C10": 28, "c": 29],
        ]
        let reference = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
        #expect(try JSONText.of(value) == String(decoding: reference, as: UTF8.self))
    }

    /// Every kind of leaf — integers at their limits, 0 and 1 (which are not booleans), booleans, null, floating point
    /// numbers, strings that need escaping — written as `JSONSerialization` writes it.
    @Test func leavesAreWrittenAsJSONSerializationWritesThem() throws {
        struct Leaves: Encodable {
            let ints = [0, 1, -1, 42, -9_007_199_254_740_993, Int.max, Int.min]
            let unsigned = [UInt64.max, 0]
            let flags = [true, false]
            let one = 1
            let zero = 0
            let yes = true
            let gaps: [Int?] = [1, nil]
            let doubles = [0.1, 1.0, 1e3, -2.5, 1e-7, 123_456_789.125]
            let texts = ["plain", "quote\"", "back\\slash", "tab\t", "é", "\u{1}", "a/b", ""]
            let nested = [["n": 1, "m": 0]]
        }
        let reference = try JSONSerialization.data(
            withJSONObject: try JSONSerialization.jsonObject(with: try JSONEncoder().encode(Leaves())),
            options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
        #expect(try JSONText.of(Leaves()) == String(decoding: reference, as: UTF8.self))
    }
}
