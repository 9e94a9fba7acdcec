import Domain
import Foundation
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test(
        "fractional and oversized numbers are refused",
        arguments: ["1.5", "[1, 2.25]", "{\"rate\": {\"amount\": 12.5}}", "-0.5", "1e-3", "123456789012345678901234"])
    func fractions(json: String) throws {
        let error = try #require(refusal { () throws(DomainError) in try JSONValue.parse(json) })
        #expect(error.code == .invalid)
        #expect(error.message.contains("fractional"))
        #expect(error.message.contains("minor units"))
    }

    @Test func errorNamesWhereTheFractionIs() throws {
        let error = try #require(
            refusal { () throws(DomainError) in try JSONValue.parse("{\"rate\": {\"amount\": 12.5}}") })
        #expect(error.message.contains("at rate.amount"))
    }

    /// A decoder keeps one of two equal keys silently (`"rates": {"*": 10000, "*": 15000}` priced at 100.00).
    @Test(arguments: [
        (#"{"rates": {"*": 10000, "*": 15000}}"#, #"the key "*" is given twice in rates"#),
        (#"{"model": "hourly", "model": "block"}"#, #"the key "model" is given twice in the top-level object"#),
        (#"{"a": [{"x": 1}, {"y": {"k": 1, "\u006b": 2}}]}"#, #"the key "k" is given twice in a[1].y"#),
        (#"[{"a": 1, "b": {"a": 2}}, {"c": "a", "d": {"e": ["\"", "}"]}, "c": 3}]"#, #"the key "c" is given twice in [1]"#),
    ])
    func aKeyGivenTwiceIsRefused(json: String, message: String) throws {
        let error = try #require(refusal { () throws(DomainError) in try JSONValue.parse(json) })
        #expect(error.code == .invalid)
        #expect(error.message == message + "; give each key once")
    }

    @Test func equalKeysInDifferentObjectsAndKeyLikeStringsAreFine() throws {
        let value = try JSONValue.parse(#"{"a": {"a": "a"}, "b": ["a", {"a": 1}, {"a": 2}], "c": "\"a\": 1, \"a\""}"#)
        #expect(value == ["a": ["a": "a"], "b": ["a", ["a": 1], ["a": 2]], "c": #""a": 1, "a""#])
    }

    @Test func decodingAFractionThroughJSONDecoderFailsToo() {
        #expect(throws: DomainError.self) { try JSONDecoder().decode(JSONValue.self, from: Data("{\"a\":[0.1]}".utf8)) }
    }

    @Test func parsesEveryKind() throws {
        let value = try JSONValue.parse(
            #"{"b": true, "i": -42, "s": "x/y", "n": null, "a": [1, "two", false], "o": {}}"#)
        #expect(value == ["b": true, "i": -42, "s": "x/y", "n": nil, "a": [1, "two", false], "o": .object([:])])
    }

    @Test func booleansAndIntegersStayDistinct() throws {
        #expect(try JSONValue.parse("true") == .bool(true))
        #expect(try JSONValue.parse("1") == .integer(1))
        #expect(try JSONValue.parse("0") == .integer(0))
        #expect(try JSONValue.parse("9223372036854775807") == .integer(.max))
    }

    @Test func wholeNumbersWrittenWithAFractionOrExponentAreIntegers() throws {
        #expect(try JSONValue.parse("[1.0, 1e3, -0]") == [1, 1000, 0])
        #expect(try JSONValue.parse("[1.0]").canonicalJSON == "[1]")
    }

    @Test func canonicalJSONSortsKeysAndKeepsSlashes() throws {
        let value: JSONValue = ["z": 1, "a": ["url": "https://x/y"], "m": [true, nil]]
        #expect(value.canonicalJSON == #"{"a":{"url":"https://x/y"},"m":[true,null],"z":1}"#)
        #expect(try JSONValue.parse(value.canonicalJSON) == value)
    }

    @Test func invalidJSONIsRefused() {
        #expect(refusal { () throws(DomainError) in try JSONValue.parse("{nope") }?.code == .invalid)
    }
}
