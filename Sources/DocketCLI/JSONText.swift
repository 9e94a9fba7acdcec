import Foundation

/// The text `--json` prints: the value's own `Encodable` output, laid out as the CLI always printed it (keys sorted
/// as `JSONSerialization` sorts them, two-space indent, `"key" : value`, `[]` and `{}` on one line, slashes not
/// escaped). Nothing is rewritten: times are RFC 3339 because the output types encode them so (``RFC3339Instant``).
enum JSONText {
    /// `value` as indented JSON, without a final newline.
    static func of(_ value: some Encodable) throws -> String {
        let parsed = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value), options: [.fragmentsAllowed])
        var text = ""
        var orders: [[String]: [String]] = [:]
        try write(parsed, indent: "", into: &text, orders: &orders)
        return text
    }

    /// Writes `value` at `indent` to `text`; `orders` keeps the key order of each set of keys met so far.
    private static func write(_ value: Any, indent: String, into text: inout String, orders: inout [[String]: [String]]) throws {
        // Leaves by their exact type, without a cast that can fail: casting a number to a container, or a container
        // to `NSNumber` (which bridges it whole first), cost more than writing them.
        let type = Swift.type(of: value)
        if type == String.self { return text += try leaf(value as! String) }
        if type == NSNumber.self || type == booleanType { return text += try leaf(value as! NSNumber) }
        let inner = indent + "  "
        switch value {
        case let object as [String: Any]:
            guard !object.isEmpty else { return text += "{}" }
            text += "{\n"
            for (index, key) in sortedKeys(of: object, orders: &orders).enumerated() {
                text += (index == 0 ? "" : ",\n") + inner + (try leaf(key)) + " : "
                try write(object[key]!, indent: inner, into: &text, orders: &orders)
            }
            text += "\n" + indent + "}"
        case let array as [Any]:
            guard !array.isEmpty else { return text += "[]" }
            text += "[\n"
            for (index, item) in array.enumerated() {
                text += (index == 0 ? "" : ",\n") + inner
                try write(item, indent: inner, into: &text, orders: &orders)
            }
            text += "\n" + indent + "]"
        case let string as String:
            text += try leaf(string)
        case let number as NSNumber:
            text += try leaf(number)
        default:
            text += try serialized(value)
        }
    }

    /// A string as `JSONSerialization` writes it; plain printable ASCII strings directly.
    private static func leaf(_ string: String) throws -> String {
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + string + "\""
        }
        return try serialized(string)
    }

    /// A number or boolean as `JSONSerialization` writes it: integers and booleans directly, others (floating point,
    /// whose digits `JSONSerialization` chooses) through it. Writing every leaf through `JSONSerialization` was a
    /// fifth of `invoice list --json`.
    private static func leaf(_ number: NSNumber) throws -> String {
        if type(of: number) == booleanType { return number.boolValue ? "true" : "false" }
        switch number.objCType.pointee {
        case CChar(UInt8(ascii: "i")), CChar(UInt8(ascii: "l")), CChar(UInt8(ascii: "q")), CChar(UInt8(ascii: "s")):
            return String(number.int64Value)
        case CChar(UInt8(ascii: "I")), CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "Q")), CChar(UInt8(ascii: "S")):
            return String(number.uint64Value)
        default:
            return try serialized(number)
        }
    }

    /// The class `JSONSerialization` reads `true` and `false` as (a subclass of `NSNumber`; 1 and 0 are not of it).
    private static let booleanType = type(of: NSNumber(value: true))

    /// Any leaf (a string, number, boolean or null) as `JSONSerialization` writes it.
    private static func serialized(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The keys of `object` in `precedes` order, worked out once per set of keys (`orders`, keyed by the keys in code
    /// point order): objects of one type share theirs, and `precedes` goes through the locale's collation — sorting
    /// every object's keys with it made `invoice list --json` of 2,400 invoices (a 1M store) take twice as long.
    private static func sortedKeys(of object: [String: Any], orders: inout [[String]: [String]]) -> [String] {
        let keys = object.keys.sorted()
        if let known = orders[keys] { return known }
        let sorted = keys.sorted(by: precedes)
        orders[keys] = sorted
        return sorted
    }

    /// `JSONSerialization`'s `sortedKeys` order: numeric, case-insensitive, then by code point.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: a.startIndex..<a.endIndex, locale: NSLocale.system)
            == .orderedAscending
    }
}
