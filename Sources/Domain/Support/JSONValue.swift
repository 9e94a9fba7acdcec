import Foundation

/// A free-form JSON value without floating point: numbers are whole (`Int64`), so money stays in minor units.
///
/// Decoding a fractional number (`1.5`) or one outside `Int64` fails with a ``DomainError`` naming where it is.
/// Whole numbers spelled with a fraction or exponent (`1.0`, `1e3`) are read as integers and written back plainly.
public enum JSONValue: Hashable, Sendable {
    /// `{…}`; keys are encoded sorted.
    case object([String: JSONValue])
    /// `[…]`.
    case array([JSONValue])
    /// A string.
    case string(String)
    /// A whole number.
    case integer(Int64)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// Parses UTF-8 JSON text typed by a person, refusing fractional numbers and a key given twice in one object
    /// (a decoder keeps one of them silently). Stored events decode through `Codable`, unchanged.
    public static func parse(_ bytes: [UInt8]) throws(DomainError) -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch let error as DomainError {
            throw error
        } catch {
            throw DomainError(.invalid, "not valid JSON (\(Self.reason(error))); check the file's syntax")
        }
        if let (key, path) = duplicateKey(in: bytes) {
            let place = path.isEmpty ? "the top-level object" : path
            throw DomainError(.invalid, "the key \"\(key)\" is given twice in \(place); give each key once")
        }
        return value
    }

    /// The first key given twice in one object of `bytes` (valid JSON), with the path of that object (`rates`,
    /// `block`, `rules[2]`; empty for the top level).
    public static func duplicateKey(in bytes: [UInt8]) -> (key: String, path: String)? {
        enum Frame {
            case object(path: String, keys: Set<String>, expectingKey: Bool, key: String?)
            case array(path: String, index: Int)
        }
        var stack: [Frame] = []
        func valuePath() -> String {
            switch stack.last {
            case .object(let path, _, _, let key)?: path.isEmpty ? key ?? "" : "\(path).\(key ?? "")"
            case .array(let path, let index)?: "\(path)[\(index)]"
            case nil: ""
            }
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"): stack.append(.object(path: valuePath(), keys: [], expectingKey: true, key: nil))
            case UInt8(ascii: "["): stack.append(.array(path: valuePath(), index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast()
            case UInt8(ascii: ","):
                switch stack.last {
                case .object(let path, let keys, _, _)?: stack[stack.count - 1] = .object(path: path, keys: keys, expectingKey: true, key: nil)
                case .array(let path, let position)?: stack[stack.count - 1] = .array(path: path, index: position + 1)
                case nil: break
                }
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                if case .object(let path, var keys, true, _)? = stack.last {
                    let raw = Array(bytes[start...min(index, bytes.count - 1)])
                    let key = (try? JSONDecoder().decode(String.self, from: Data(raw))) ?? String(decoding: raw, as: UTF8.self)
                    guard keys.insert(key).inserted else { return (key, path) }
                    stack[stack.count - 1] = .object(path: path, keys: keys, expectingKey: false, key: key)
                }
            default: break
            }
            index += 1
        }
        return nil
    }

    /// Parses JSON text, refusing fractional numbers.
    public static func parse(_ text: String) throws(DomainError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Canonical UTF-8 JSON text (sorted keys, unescaped slashes).
    public var canonicalJSON: String {
        String(decoding: EventCodec.encode(self), as: UTF8.self)
    }

    private static func reason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        }
        return "\(error)"
    }
}

// MARK: - Codable

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
            return
        }
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
            return
        }
        if let value = try? container.decode(Int64.self) {
            self = .integer(value)
            return
        }
        if let value = try? container.decode(String.self) {
            self = .string(value)
            return
        }
        // A container holding a refused number must surface that refusal, not "not an array".
        do {
            self = .array(try container.decode([JSONValue].self))
            return
        } catch let error as DomainError { throw error } catch {}
        do {
            self = .object(try container.decode([String: JSONValue].self))
            return
        } catch let error as DomainError { throw error } catch {}
        guard let number = try? container.decode(Decimal.self) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
        let path = decoder.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        let place = path.isEmpty ? "" : " at \(path)"
        let fix = decoder.codingPath.last?.stringValue == "taxBasisPoints"
            ? "basis points are whole (825 = 8.25%); give a finer rate as a string, \"taxRate\": \"8.875\" (docs/billing.md)"
            : "use whole numbers (amounts in minor units: 150 for 1.50)"
        throw DomainError(.invalid, "number \(number)\(place) is fractional or too large; \(fix)")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
