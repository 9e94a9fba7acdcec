import Foundation

/// Checks recorded answers against schemas/openapi.yaml with Python's `jsonschema` (Draft 2020-12, the dialect of
/// OpenAPI 3.1): each answer's operation is found by method and path template, its response by status (else
/// `default`), and the body must validate against that response's schema for its content type.
enum OpenAPIResponseValidator {
    /// One answer the server gave.
    struct Exchange: Encodable {
        let method: String
        let path: String
        let status: Int
        let contentType: String
        let body: String
    }

    static let script = """
        import json, re, sys, yaml
        from jsonschema import Draft202012Validator
        doc = yaml.safe_load(open(sys.argv[1]))
        exchanges = json.load(open(sys.argv[2]))
        def deref(node):
            while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/components/responses/"):
                node = doc["components"]["responses"][node["$ref"].split("/")[-1]]
            return node
        def operation(method, path):
            path = path.split("?")[0]
            for template, item in doc["paths"].items():
                pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", template) + "$"
                if re.match(pattern, path) and method.lower() in item:
                    return template, item[method.lower()]
            return None, None
        failures, checked = [], 0
        for x in exchanges:
            template, op = operation(x["method"], x["path"])
            if op is None:
                failures.append(f'{x["method"]} {x["path"]}: no operation in the document'); continue
            responses = op.get("responses", {})
            response = deref(responses.get(str(x["status"])) or responses.get("default"))
            if response is None:
                failures.append(f'{x["method"]} {template}: status {x["status"]} is not documented'); continue
            content = response.get("content", {})
            media = x["contentType"].split(";")[0].strip()
            if media not in content:
                failures.append(f'{x["method"]} {template} {x["status"]}: content type {media!r} is not documented ({list(content)})'); continue
            schema = dict(content[media].get("schema", {}))
            schema["components"] = doc["components"]
            try:
                body = json.loads(x["body"]) if media.endswith("json") else x["body"]
            except ValueError as error:
                failures.append(f'{x["method"]} {template} {x["status"]}: not JSON ({error}): {x["body"][:200]}'); continue
            for error in Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(body):
                failures.append(f'{x["method"]} {template} {x["status"]}: {error.message} at {list(error.absolute_path)}')
            checked += 1
        print(f"validated {checked}")
        for failure in failures[:40]:
            print(failure)
        sys.exit(1 if failures else 0)
        """

    /// Validates `exchanges`; the exit code is 0 when every one conforms, the output names each that does not.
    static func validate(_ exchanges: [Exchange], document: URL) throws -> (exitCode: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("docket-exchanges-\(UUID().uuidString).json")
        try JSONEncoder().encode(exchanges).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, document.path, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
