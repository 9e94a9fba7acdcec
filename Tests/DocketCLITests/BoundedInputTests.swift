import EventLog
import Foundation
import TestSupport
import Testing

@testable import DocketCLI

/// Issue 14 §5: inputs are bounded, and identifiers are checked before the store is touched.
@Suite struct BoundedInputTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    /// The issue's 352-byte bomb: nine aliases of nine aliases … nine levels deep (9⁹ values once expanded).
    static let aliasBomb: String = {
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        var lines = ["a: &a [\(Array(repeating: "\"lol\"", count: 9).joined(separator: ","))]"]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("\(name): &\(name) [\(Array(repeating: "*\(previous)", count: 9).joined(separator: ","))]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    func write(_ text: String, _ name: String) -> String {
        let path = folder.child(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    func initialized() throws {
        #expect(try DocketProcess.run(["init"], store: store).status == 0)
    }

    func eventCount() throws -> Int {
        let run = try DocketProcess.run(["log", "--json", "--limit", "100000"], store: store)
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [Any]).count
    }

    @Test(arguments: [
        ["rules", "set", "FILE"], ["calendar", "define", "office", "--name", "Office", "--file", "FILE"],
        ["sla-policy", "define", "gold", "--name", "Gold", "--file", "FILE"],
    ])
    func theAliasBombIsRefusedQuicklyAsBadInput(command: [String]) throws {
        try initialized()
        let before = try eventCount()
        let file = write(Self.aliasBomb, "bomb.yaml")
        let started = Date()
        let run = try DocketProcess.run(command.map { $0 == "FILE" ? file : $0 }, store: store)
        // A hang guard, not a speed target: today's main runs 40–50 s and then crashes.
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(run.status == 65, "stderr: \(run.stderr)")
        #expect(run.stderr.contains("aliases"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(try eventCount() == before)
    }

    @Test func aBombIsRefusedByTheReaderItself() throws {
        let path = write(Self.aliasBomb, "bomb.yaml")
        #expect(Self.aliasBomb.utf8.count < 400)
        #expect(throws: CLIError.self) { try StructuredFile.jsonBytes(path, flag: "--file") }
        // A file of ordinary anchors stays fine.
        let fine = write("base: &base {open: \"09:00\"}\nmon: *base\ntue: *base\n", "fine.yaml")
        let object = try #require(try JSONSerialization.jsonObject(with: try StructuredFile.jsonBytes(fine, flag: "--file")) as? [String: Any])
        #expect((object["tue"] as? [String: Any])?["open"] as? String == "09:00")
    }

    @Test func anOversizedOrDeeplyNestedFileIsBadInput() throws {
        let big = write("note: \"" + String(repeating: "x", count: InputLimits.structuredFileBytes) + "\"\n", "big.yaml")
        #expect(throws: CLIError.self) { try StructuredFile.jsonBytes(big, flag: "--file") }
        let deep = write(String(repeating: "[", count: 200_000), "deep.json")
        #expect(throws: CLIError.self) { try StructuredFile.jsonBytes(deep, flag: "--file") }
        let deepYAML = write("a: " + String(repeating: "[", count: 200_000), "deep.yaml")
        #expect(throws: CLIError.self) { try StructuredFile.jsonBytes(deepYAML, flag: "--file") }
    }

    @Test func deepJSONInTermsAlertsAndNDJSONIsBadInput() throws {
        try initialized()
        let before = try eventCount()
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let deepTerms = "{\"model\":" + String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000) + "}"
        let terms = try DocketProcess.run(
            ["contract", "add", "acme-2026", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01", "--terms", deepTerms],
            store: store)
        #expect(terms.status == 65, "stderr: \(terms.stderr)")
        let alert = try DocketProcess.run(["intake", "alert", "--format", "generic"], store: store, stdin: deep)
        #expect(alert.status == 65, "stderr: \(alert.stderr)")
        let line = #"{"stream":"s-1","type":"t.x","payload":{"a":"# + deep + "}}\n"
        let bulk = try DocketProcess.run(["event", "append", "--stdin"], store: store, stdin: line)
        #expect(bulk.status == 65, "stderr: \(bulk.stderr)")
        #expect(try eventCount() == before)
        let importLine = Array(("{\"payload\":" + deep + "}").utf8)
        let error = try #require(throws: NDJSONLine.Malformed.self) { try NDJSONLine.decode(importLine) }
        #expect(error.reason.contains("deeper"))
    }

    @Test(arguments: [
        ["ticket", "comment", "T-1001", "hello", "--command-id", ""],
        ["invoice", "show", ""], ["invoice", "finalize", ""], ["log", "--stream", ""],
        ["client", "show", ""], ["user", "show", String(repeating: "u", count: 300)],
        ["event", "append", "--stream", "", "--type", "t.x"], ["time", "show", ""],
    ])
    func emptyOrOverlongIdentifiersAreUsageErrors(arguments: [String]) throws {
        try initialized()
        let before = try eventCount()
        let run = try DocketProcess.run(arguments, store: store)
        #expect(run.status == 64, "stderr: \(run.stderr)")
        #expect(!run.stderr.contains("MDB_"))
        #expect(try eventCount() == before)
    }
}
