import DocketApp
@testable import DocketClient
import Foundation
import Testing

/// The client (``DocketClient``) reads what it must know from the command line's words, never from a parse, and
/// links nothing that would make the Swift runtime scan its conformance tables at start-up (docs/architecture.md).
@Suite struct ClientWordsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theClientImportsOnlyTheCLibrary() throws {
        let folder = Self.root.appendingPathComponent("Sources/DocketClient")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 4)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let imports = text.split(separator: "\n").filter { $0.hasPrefix("import ") }.map { String($0.dropFirst("import ".count)) }
            #expect(imports.allSatisfy { $0 == "Glibc" }, "\(file) imports \(imports)")
        }
    }

    @Test func theExecutableHandsAServedCommandToTheClientBeforeTheParser() throws {
        let main = try String(contentsOf: Self.root.appendingPathComponent("Sources/docket/main.swift"), encoding: .utf8)
        let client = try #require(main.range(of: "DocketClient.run("))
        let parser = try #require(main.range(of: "DocketCommand.runEmbedded()"))
        #expect(client.lowerBound < parser.lowerBound)
    }

    @Test func readsStandardInputFromTheWords() {
        let yes: [[String]] = [
            ["event", "append", "--stdin"], ["import"], ["import", "--as", "ann"], ["intake", "alert", "--format", "generic"],
            ["intake", "email", "--triage-client", "acme"], ["ticket", "comment", "T-1", "-"], ["contract", "add", "--file=-"],
            ["rules", "test"], ["rules", "test", "--alert-format", "generic"],
        ]
        let no: [[String]] = [
            ["import", "export.ndjson"], ["import", "--store", "s", "export.ndjson"], ["intake", "email", "--maildir", "/m"],
            ["intake", "email", "--maildir=/m"], ["intake", "alert", "--help"], ["import", "-h"], ["help", "import"],
            ["ticket", "open", "--client", "acme"], ["rules", "test", "--schedule", "patching"], ["rules", "test", "--schedule=patching"], [],
        ]
        for words in yes { #expect(CommandWords.readsStandardInput(words), "\(words)") }
        for words in no { #expect(!CommandWords.readsStandardInput(words), "\(words)") }
    }

    @Test func hostOnlyCommandsRunEmbedded() {
        for first in ["serve", "login", "init", "restore"] { #expect(CommandWords.isHostOnly([first, "x"])) }
        #expect(!CommandWords.isHostOnly(["ticket", "serve"]))
        #expect(!CommandWords.isHostOnly([]))
    }

    @Test func serverAddresses() throws {
        #expect(try ServerEndpoint.parse("/run/docket/docket.sock") == .socket(path: "/run/docket/docket.sock"))
        #expect(try ServerEndpoint.parse("http://127.0.0.1:8642") == .http(host: "127.0.0.1", port: 8642))
        #expect(try ServerEndpoint.parse("http://localhost:8642/") == .http(host: "127.0.0.1", port: 8642))
        #expect(try ServerEndpoint.parse("http://[::1]:9000") == .http(host: "::1", port: 9000))
        #expect(try ServerEndpoint.parse("http://127.0.0.1") == .http(host: "127.0.0.1", port: 80))
        #expect(try ServerEndpoint.parse("https://docket.example.com/api") == .https(origin: "https://docket.example.com"))
        for bad in ["http://docket.example.com", "http://10.0.0.1:80", "ftp://x", "http://127.0.0.1:port", "https://", "http://[::1"] {
            #expect(throws: ClientFailure.self, "\(bad)") { try ServerEndpoint.parse(bad) }
        }
    }

    @Test func exitCodesAreTheCLIs() {
        #expect(ClientFailure.failure("").code == ApplicationFailure.Kind.failure.exitCode)
        #expect(ClientFailure.forbidden("").code == ApplicationFailure.Kind.forbidden.exitCode)
        #expect(ClientFailure.refused("").code == ApplicationFailure.Kind.refused.exitCode)
        #expect(ClientFailure.usage("").code == ApplicationFailure.Kind.usage.exitCode)
        #expect(ClientFailure.badInput("").code == ApplicationFailure.Kind.badInput.exitCode)
        #expect(ClientFailure.unreachable("").code == 66)
    }

    @Test func theRequestIsJSONFoundationReadsBack() throws {
        let arguments = ["ticket", "comment", "T-1", "quote \" back\\slash\nnew\u{1}line é 😀", ""]
        let stdin: [UInt8] = Array(0...255) + [1, 2]
        let body = ClientJSON.commandRequest(arguments, stdin: stdin)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["arguments"] as? [String] == arguments)
        #expect(Data(base64Encoded: try #require(object["stdin"] as? String)) == Data(stdin))
        for count in 0..<4 { #expect(Base64.encode(Array(stdin.prefix(count))) == Data(stdin.prefix(count)).base64EncodedString()) }
    }

    @Test func outcomesAndProblemsAreRead() throws {
        let encoded = try JSONEncoder().encode(["stdout": "T-1001\n\u{7}é😀\"\\", "stderr": "", "x": "\u{1F600}"])
        let outcome = try #require(ClientJSON.parse(Array(encoded)))
        #expect(outcome["stdout"]?.string == "T-1001\n\u{7}é😀\"\\")
        let escaped = ClientJSON.parse(Array(#"{"status": 4, "detail": "\ud83d\ude00 \u00e9 \/", "a": [1, true, null, {"b": -2.5e3}]}"#.utf8))
        #expect(escaped?["status"]?.int32 == 4)
        #expect(escaped?["detail"]?.string == "😀 é /")
        for bad in ["", "{", #"{"a":}"#, #"{"a":1,}"#, #"["a" "b"]"#, "{} x", #"{"a":"\u12"}"#] {
            #expect(ClientJSON.parse(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    /// `docket login` saves under, and the client looks up, the normalized address (LoginLookupTests runs both).
    @Test(arguments: [
        ("http://127.0.0.1:8642/", "http://127.0.0.1:8642"), ("HTTP://LOCALHOST:8642//", "http://localhost:8642"),
        ("https://Docket.Example.com/Team/", "https://docket.example.com/Team"), (" http://127.0.0.1:8642 ", "http://127.0.0.1:8642"),
        ("/run/docket/docket.sock", "/run/docket/docket.sock"),
    ])
    func anAddressIsSavedAndLookedUpNormalized(given: String, key: String) {
        #expect(ClientCredentials.key(for: given) == key)
    }
}
