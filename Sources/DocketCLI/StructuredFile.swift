import Foundation
import Yams

/// Reading the YAML or JSON files operators hand to Docket (calendars, SLA policies, routing rules).
enum StructuredFile {
    /// The file at `path` (or stdin for `-`) as JSON bytes: YAML is converted, JSON passes through
    /// (JSON is YAML too, but is kept byte for byte so numbers are not reinterpreted).
    /// Through the server a path names a file on the server's host: only an admin may (`HostFiles`).
    static func jsonBytes(_ path: String, flag: String) throws -> Data {
        try HostFiles.requireRead(path, flag: flag)
        let limit = InputLimits.structuredFileBytes
        let data =
            path == "-"
            ? try BoundedInput.standardInput(limit: limit, what: "\(flag) -")
            : try BoundedInput.file(path, limit: limit, what: flag)
        let looksLikeJSON = data.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }).map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } ?? false
        if looksLikeJSON {
            try BoundedInput.checkJSON(data, limit: limit, what: "\(flag) \(path)")
            if (try? JSONSerialization.jsonObject(with: data)) != nil { return data }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError.badInput("\(flag) \(path): the file is not UTF-8 text")
        }
        let value: Any?
        do {
            value = try BoundedInput.yamlValue(text, resolver: StructuredFile.coreSchema, what: "\(flag) \(path)")
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.badInput("\(flag) \(path): not valid YAML or JSON (\(String(describing: error).split(separator: "\n").first ?? "")); check the indentation")
        }
        guard let value, case let safe = jsonSafe(value), safe is [String: Any] || safe is [Any],
            JSONSerialization.isValidJSONObject(safe)
        else {
            throw CLIError.badInput("\(flag) \(path): the file must hold a mapping (key: value lines) or a JSON object")
        }
        return try JSONSerialization.data(withJSONObject: safe, options: [.sortedKeys])
    }

    /// YAML 1.2's core schema, without floats: `true`/`false`, `null`, and plain decimal integers resolve;
    /// everything else is text. YAML 1.1's defaults would read `17:30` as the number 1050 and `no` as false.
    static let coreSchema: Resolver = {
        do {
            return try Resolver.basic
                .appending(.bool, "^(?:true|True|TRUE|false|False|FALSE)$")
                .appending(.null, "^(?:~|null|Null|NULL|)$")
                .appending(.int, "^[-+]?[0-9]+$")
        } catch {
            preconditionFailure("the core-schema patterns are fixed and valid: \(error)")
        }
    }()

    /// YAML scalars come back as Swift values JSONSerialization accepts, except dates: keep those as text.
    private static func jsonSafe(_ value: Any) -> Any {
        switch value {
        case let map as [String: Any]: return map.mapValues(jsonSafe)
        case let list as [Any]: return list.map(jsonSafe)
        case let date as Date: return ISO8601DateFormatter().string(from: date)
        default: return value
        }
    }
}
