import DocketApp
import Domain
import Foundation

/// The rules for commands that bypass the deciders (docs/security.md): raw appends, imports, rebuilds, replays,
/// exports and backups need a known, active admin, and raw appends of Docket's own events need `--repair`.
enum TrustRules {
    /// The stream categories Docket's commands write (`ticket-T-1042`, `user-bob`, …), and the log's own
    /// (`store-integrity`, where `verify --accept-rollback` records an acceptance).
    static let streamPrefixes = [
        "ticket-", "client-", "contract-", "user-", "template-", "calendar-", "sla-policy-", "routing-", "time-",
        "timer-", "billing-", "invoice-", "credit-note-", "mail-", "token-", "hook-", "portal-", "notify-", "schedule-",
        "follow-up-", "survey-", "charge-", "store-",
    ]

    /// The event categories Docket's commands write (`ticket.`, `user.`, …), and the log's own (`store.`).
    static let typePrefixes = Set(EventCatalog.all.map { String($0.type.prefix { $0 != "." }) + "." } + ["store."])

    /// Whether `name` is in the charset of a tooling event's stream and type: lower-case ASCII letters, digits, "."
    /// and "-". Anything else (`User.Added`, ` user.added`) could be read as Docket's own name by whatever reads it.
    /// (Its bytes read in place: through the `UTF8View` iterator it cost ~450 instructions a name, twice a line of a
    /// bulk append.)
    static func isToolingName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            bytes.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2e || $0 == 0x2d }
        }
    }

    /// Why `stream` or `type` is not a tooling name (`isToolingName`), nil when both are.
    static func toolingNameProblem(stream: String, type: String) -> String? {
        // Each name checked in turn (an array of the pairs was made and freed for every line of a bulk append).
        func problem(_ label: String, _ name: String) -> String {
            "\(label) '\(name)' may hold only lower-case letters, digits, '.' and '-' (e.g. tool-sync, tool.noted); rename it"
        }
        if !isToolingName(stream) { return problem("the stream", stream) }
        if !isToolingName(type) { return problem("the type", type) }
        return nil
    }

    /// True when a raw append of `type` to `stream` would write Docket's own events or streams, which only the
    /// commands (with their rules) write: such an append needs `--repair`. `ignoringCase`: also when they would be
    /// once trimmed and lower-cased (`User.Added`, ` user-bob`).
    static func touchesDocketData(stream: String, type: String, ignoringCase: Bool = false) -> Bool {
        if ignoringCase {
            let plain = { (name: String) in name.trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters)).lowercased() }
            return touchesDocketData(stream: plain(stream), type: plain(type))
        }
        // A type starts with a category of `typePrefixes` when what comes before its first "." (with the ".") is one:
        // one set lookup instead of a `hasPrefix` per category (a twentieth of `event append --stdin`'s CPU).
        let typeHead = typeHeadBytes.containsHead(of: type, through: UInt8(ascii: "."))
        if typeHead ?? head(of: type, through: UInt8(ascii: ".")).map({ typePrefixes.contains(String($0)) }) ?? false { return true }
        // A stream that starts with a category starts with that category's part up to its first "-" (no category
        // has a "-" before it), so the stream's own part up to its first "-" must be one: one set lookup rules out
        // most streams. Then bytes first: a stream that starts with a category by `hasPrefix` (characters) starts with
        // its bytes too.
        let streamHead = streamHeadBytes.containsHead(of: stream, through: UInt8(ascii: "-"))
        guard streamHead ?? head(of: stream, through: UInt8(ascii: "-")).map({ streamHeads.contains(String($0)) }) ?? false else { return false }
        return streamPrefixes.contains { stream.utf8.starts(with: $0.utf8) && stream.hasPrefix($0) }
    }

    /// `text` up to and with its first character `separator` (an ASCII one), nil when it has none. Read as bytes
    /// when the bytes before it are ASCII and the one after it is too, or there is none: the separator is then a
    /// character of its own, as a search by characters finds it (a search by characters costs a grapheme break per
    /// character: it was most of the checking of a line's names). Anything else is searched by characters.
    static func head(of text: String, through separator: UInt8) -> Substring? {
        let bytes = text.utf8
        if let index = bytes.firstIndex(where: { $0 == separator || $0 >= 0x80 }), bytes[index] == separator {
            let next = bytes.index(after: index)
            if next == bytes.endIndex || bytes[next] < 0x80 { return text[...index] }
        } else if bytes.allSatisfy({ $0 < 0x80 }) {
            return nil
        }
        return text.firstIndex(of: Character(Unicode.Scalar(separator))).map { text[...$0] }
    }

    /// Each of `streamPrefixes` up to and with its first "-" (`sla-` for `sla-policy-`).
    static let streamHeads = Set(streamPrefixes.map { String($0.prefix { $0 != "-" }) + "-" })

    /// `typePrefixes` and `streamHeads` as bytes, for the heads of ASCII.
    static let typeHeadBytes = ASCIIHeads(typePrefixes)
    static let streamHeadBytes = ASCIIHeads(streamHeads)

    /// Heads of ASCII (`ticket.`, `sla-`) as bytes, by length: a text's head of ASCII is found in its bytes and looked
    /// for among those of its length, byte by byte, where a `Set<String>` hashed a new string per look-up after
    /// `head(of:through:)` made a substring (two a line: a fifth of the checking of an `event append --stdin` line).
    /// For ASCII text, equal bytes are equal strings.
    struct ASCIIHeads {
        private let byLength: [[[UInt8]]]

        init(_ heads: some Sequence<String>) {
            var byLength: [[[UInt8]]] = []
            for head in heads {
                precondition(head.utf8.allSatisfy { $0 < 0x80 }, "a head of ASCII")
                let bytes = Array(head.utf8)
                while byLength.count <= bytes.count { byLength.append([]) }
                byLength[bytes.count].append(bytes)
            }
            self.byLength = byLength
        }

        /// Whether `text` up to and with its first `separator` is one of the heads (false when it has none), read from
        /// its bytes; nil when that takes characters, as `head(of:through:)` says (a byte above 0x7F before the
        /// separator or just after it), or the bytes are not contiguous: then ask `head(of:through:)` and the set.
        func containsHead(of text: String, through separator: UInt8) -> Bool? {
            text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
                var k = 0
                while k < bytes.count, bytes[k] != separator {
                    if bytes[k] >= 0x80 { return nil }
                    k += 1
                }
                guard k < bytes.count else { return false }
                if k + 1 < bytes.count, bytes[k + 1] >= 0x80 { return nil }
                let head = UnsafeBufferPointer(rebasing: bytes[...k])
                guard head.count < byLength.count else { return false }
                return byLength[head.count].contains { $0.elementsEqual(head) }
            } ?? nil
        }
    }

    /// Checks one raw append: outside repair mode it must be a tooling event (a type and stream Docket does not use,
    /// in the tooling charset: exit 65 otherwise, or 5 when it is Docket's own in another case or with spaces); in
    /// repair mode a catalogued type must still decode as that event. `payload` is made only in repair mode, `label`
    /// (the start of an error) only for an error: a bulk append checks every line.
    static func checkRawAppend(
        stream: String, type: String, schemaVersion: UInt16, payload: @autoclosure () -> [UInt8], repair: Bool,
        where label: @autoclosure () -> String
    ) throws {
        if !repair {
            guard !touchesDocketData(stream: stream, type: type) else {
                throw CLIError.forbidden(
                    "\(label())\(type) on \(stream) is Docket's own data, written by its commands with their rules; "
                        + "use the command, or --repair (admin) to correct the log by hand; nothing was appended")
            }
            if let problem = toolingNameProblem(stream: stream, type: type) {
                if touchesDocketData(stream: stream, type: type, ignoringCase: true) {
                    throw CLIError.forbidden(
                        "\(label())\(type) on \(stream) is Docket's own data in another case or with spaces; use the command, "
                            + "or --repair (admin) with its exact name; nothing was appended")
                }
                throw CLIError.badInput("\(label())\(problem); nothing was appended")
            }
            return
        }
        guard EventCatalog.descriptor(type: type, schemaVersion: schemaVersion) != nil else {
            if EventCatalog.all.contains(where: { $0.type == type }) {
                throw CLIError.badInput("\(label())Docket reads no version \(schemaVersion) of \(type); give its --schema-version; nothing was appended")
            }
            return
        }
        do {
            _ = try DocketEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload())
        } catch {
            throw CLIError.badInput("\(label())the payload is not a valid \(type) v\(schemaVersion) event (\(error)); nothing was appended")
        }
    }
}
