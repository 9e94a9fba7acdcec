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
