import DocketApp
import Foundation
import Yams

/// Size and shape limits on what operators hand to Docket, so a broken or hostile input (a YAML alias bomb,
/// a gigabyte of `[`) is refused in milliseconds with exit 65 instead of exhausting memory or the stack.
enum InputLimits {
    /// Rules, calendars and SLA policies: the largest real ones are a few kilobytes.
    static let structuredFileBytes = 1 << 20
    /// `--terms`, `--payload` and other JSON given on the command line.
    static let jsonArgumentBytes = 256 << 10
    /// One delivery of monitoring alerts (Alertmanager batches hold a few hundred alerts).
    static let alertPayloadBytes = 16 << 20
    /// A YAML document may expand (aliases included) to at most this many nodes.
    static let yamlNodes = 100_000
}

/// Reading inputs within `InputLimits`.
enum BoundedInput {
    /// Standard input, refused as bad input when longer than `limit` bytes.
    static func standardInput(limit: Int, what: String) throws -> Data {
        let data = Terminal.standardInput(upTo: limit + 1)
        guard data.count <= limit else {
            throw CLIError.badInput("\(what) is longer than \(limit) bytes; send a smaller one")
        }
        return data
    }

    /// The file at `path`, refused as bad input when longer than `limit` bytes (checked before reading it).
    static func file(_ path: String, limit: Int, what: String) throws -> Data {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limit {
            throw CLIError.badInput("\(what) \(path) is \(size) bytes, more than the \(limit) allowed; split it or trim it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.badInput("\(what) \(path): cannot read the file; check the path")
        }
        guard data.count <= limit else { throw CLIError.badInput("\(what) \(path) is more than \(limit) bytes; trim it") }
        return data
    }

    /// Refuses JSON text longer than `limit` bytes or nested deeper than `JSONBounds.maxDepth`.
    static func checkJSON(_ bytes: some Collection<UInt8>, limit: Int, what: String) throws {
        guard bytes.count <= limit else { throw CLIError.badInput("\(what) is longer than \(limit) bytes; send a smaller one") }
        guard JSONBounds.depth(of: bytes) <= JSONBounds.maxDepth else {
            throw CLIError.badInput("\(what) nests deeper than \(JSONBounds.maxDepth) levels; flatten it")
        }
    }

    /// Composes YAML and checks it expands to at most `InputLimits.yamlNodes` nodes nested at most
    /// `JSONBounds.maxDepth` deep before anything is built from it: aliases are shared while composing, and
    /// only the construction of Swift values would copy them out (9 aliases of 9 aliases … is 9⁹ nodes).
    static func yamlValue(_ text: String, resolver: Resolver, what: String) throws -> Any? {
        // Flow brackets nest without indentation, and composing recurses per level: bound them first.
        guard JSONBounds.depth(of: text.utf8, quotes: false) <= 4 * JSONBounds.maxDepth else {
            throw CLIError.badInput("\(what) nests deeper than \(JSONBounds.maxDepth) levels; flatten it")
        }
        guard let node = try Yams.compose(yaml: text, resolver) else { return nil }
        var budget = InputLimits.yamlNodes
        guard fits(node, depth: 0, budget: &budget) else {
            throw CLIError.badInput(
                "\(what) expands to more than \(InputLimits.yamlNodes) values or \(JSONBounds.maxDepth) levels "
                    + "(aliases of aliases?); write the values out instead of repeating anchors")
        }
        return Constructor.default.any(from: node)
    }

    /// Walks the expanded tree, spending one unit of `budget` per node; false as soon as it runs out.
    private static func fits(_ node: Node, depth: Int, budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0, depth <= JSONBounds.maxDepth else { return false }
        switch node {
        case .scalar, .alias: return true
        case .sequence(let sequence):
            return sequence.allSatisfy { fits($0, depth: depth + 1, budget: &budget) }
        case .mapping(let mapping):
            return mapping.allSatisfy { fits($0.key, depth: depth + 1, budget: &budget) && fits($0.value, depth: depth + 1, budget: &budget) }
        }
    }
}

/// The identifiers given on the command line (ids, codes, logins, command ids, stream names): LMDB keys
/// and stream names are at most `LogService.maxNameLength` bytes, so an empty or longer one is bad usage.
enum IdentifierCheck {
    /// Throws a usage error (exit 64) naming `label` when `value` is empty, too long or holds control characters.
    static func check(_ value: String, _ label: String) throws {
        if let problem = problem(value, label) { throw CLIError.usage(problem) }
    }

    /// What is wrong with `value` as an identifier, or nil when it is usable.
    static func problem(_ value: String, _ label: String) -> String? { LogService.identifierProblem(value, label) }
}
