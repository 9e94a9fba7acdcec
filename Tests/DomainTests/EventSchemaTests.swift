import Domain
import Foundation
import Testing

@Suite("Event schemas and docs")
struct EventSchemaTests {
    @Test("every catalogue entry has a JSON Schema file", arguments: EventCatalog.all.map(\.schemaFileName))
    func schemaFileExists(fileName: String) throws {
        let url = Repository.schemas.appendingPathComponent(fileName)
        let data = try Data(contentsOf: url)
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["type"] as? String == "object")
        #expect(schema["additionalProperties"] as? Bool == false)
    }

    @Test(
        "each schema describes the payload exactly: its properties are the fields the samples use, its summary the catalogue's",
        arguments: EventCatalog.all)
    func schemaMatchesPayloads(entry: EventDescriptor) throws {
        let data = try Data(contentsOf: Repository.schemas.appendingPathComponent(entry.schemaFileName))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(schema["description"] as? String == entry.summary)
        let properties = Set(try #require(schema["properties"] as? [String: Any]).keys)
        let required = Set(try #require(schema["required"] as? [String]))
        var used = Set<String>()
        var alwaysPresent: Set<String>?
        for event in EventSamples.all where event.eventType == entry.type {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(event.payload())) as? [String: Any])
            used.formUnion(object.keys)
            alwaysPresent = alwaysPresent.map { $0.intersection(object.keys) } ?? Set(object.keys)
        }
        #expect(used == properties, "every schema property is written by some sample, and nothing else is")
        #expect(required.isSubset(of: alwaysPresent ?? []), "required fields are in every sample")
    }

    /// A schema's `examples` are samples too (``EventSamples/fromSchemaExamples``): each must decode, and Docket must write
    /// it back field for field.
    @Test func schemaExamplesAreWhatDocketWrites() throws {
        #expect(EventSamples.schemaExamples.contains { $0.entry.type == "ticket.due-date-set" }, "the due date's samples live in its schema")
        for (entry, payload) in EventSamples.schemaExamples {
            let event = try DocketEvent.decode(type: entry.type, schemaVersion: entry.schemaVersion, payload: payload)
            let written = try JSONSerialization.jsonObject(with: Data(event.payload())) as? NSDictionary
            let example = try JSONSerialization.jsonObject(with: Data(payload)) as? NSDictionary
            #expect(written == example, "\(entry.qualifiedName): the example \(String(decoding: payload, as: UTF8.self)) is written back as \(String(decoding: event.payload(), as: UTF8.self))")
        }
    }

    @Test func noSchemaFileWithoutACatalogueEntry() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.schemas.path)
            .filter { $0.hasSuffix(".schema.json") }
        #expect(Set(files) == Set(EventCatalog.all.map(\.schemaFileName)))
    }

    @Test func docsListEveryEvent() throws {
        let doc = try String(contentsOf: Repository.eventsDoc, encoding: .utf8)
        for entry in EventCatalog.all {
            #expect(doc.contains("`\(entry.qualifiedName)`"), "docs/events.md lacks \(entry.qualifiedName)")
        }
    }

    @Test func everySamplePayloadValidatesAgainstItsSchema() throws {
        let samples = EventSamples.all.map { event in
            (schema: "\(event.eventType).v\(event.schemaVersion).schema.json", payload: event.payload())
        }
        let result = try SchemaValidator.validate(samples)
        #expect(result.exitCode == 0, "\(result.output)")
        #expect(result.output.hasPrefix("validated \(samples.count)\n"), "\(result.output)")
    }

    /// Guards the guard: a payload that breaks its schema must make the validator fail.
    @Test(
        "the validator rejects payloads that break the schema",
        arguments: [
            (schema: "ticket.closed.v1.schema.json", payload: #"{"resolution":"x","extra":1}"#),
            (schema: "ticket.closed.v1.schema.json", payload: #"{}"#),
            (
                schema: "ticket.opened.v1.schema.json",
                payload:
                    #"{"number":"T-1","client":"acme","priority":"P9","source":"email","subject":"s","description":""}"#
            ),
            (schema: "contract.ended.v1.schema.json", payload: #"{"effectiveFrom":1700000000}"#),
            (
                schema: "contract.created.v1.schema.json",
                payload:
                    #"{"id":"c1","client":"acme","name":"n","effectiveFrom":"2026-01-01T00:00:00.000Z","billingTerms":{"rate":1.5}}"#
            ),
        ])
    func validatorCatchesBadPayloads(schema: String, payload: String) throws {
        let result = try SchemaValidator.validate([(schema: schema, payload: Array(payload.utf8))])
        #expect(result.exitCode == 1, "\(result.output)")
    }
}

/// Runs the `jsonschema` Python library (Draft 2020-12) over payloads.
enum SchemaValidator {
    static let script = """
        import json, pathlib, sys
        from jsonschema import Draft202012Validator
        schemas = pathlib.Path(sys.argv[1])
        samples = json.loads(pathlib.Path(sys.argv[2]).read_text())
        failures = []
        for sample in samples:
            schema = json.loads((schemas / sample["schema"]).read_text())
            Draft202012Validator.check_schema(schema)
            for error in Draft202012Validator(schema).iter_errors(sample["payload"]):
                failures.append(f'{sample["schema"]}: {error.message} at {list(error.absolute_path)} in {json.dumps(sample["payload"])}')
        print(f"validated {len(samples)}")
        for failure in failures:
            print(failure)
        sys.exit(1 if failures else 0)
        """

    static func validate(_ samples: [(schema: String, payload: [UInt8])]) throws -> (exitCode: Int32, output: String) {
        var document = "["
        for (index, sample) in samples.enumerated() {
            if index > 0 { document += ",\n" }
            document +=
                #"{"schema":"\#(sample.schema)","payload":"# + String(decoding: sample.payload, as: UTF8.self) + "}"
        }
        document += "]"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "docket-samples-\(UUID().uuidString).json")
        try Data(document.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Repository.schemas.path, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
