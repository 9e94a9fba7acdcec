import DocketApp
import Domain

/// The rules for commands that bypass the deciders (docs/security.md): raw appends, imports, rebuilds, replays,
/// exports and backups need a known, active admin, and raw appends of Docket's own events need `--repair`.
enum TrustRules {
    /// The stream categories Docket's commands write (`ticket-T-1042`, `user-bob`, …).
    static let streamPrefixes = [
        "ticket-", "client-", "contract-", "user-", "template-", "calendar-", "sla-policy-", "routing-", "time-",
        "timer-", "billing-", "invoice-", "credit-note-", "mail-", "token-", "hook-", "portal-",
    ]

    /// The event categories Docket's commands write (`ticket.`, `user.`, …).
    static let typePrefixes = Set(EventCatalog.all.map { String($0.type.prefix { $0 != "." }) + "." })

    /// True when a raw append of `type` to `stream` would write Docket's own events or streams, which only the
    /// commands (with their rules) write: such an append needs `--repair`.
    static func touchesDocketData(stream: String, type: String) -> Bool {
        // A type starts with a category of `typePrefixes` when what comes before its first "." (with the ".") is one:
        // one set lookup instead of a `hasPrefix` per category (a twentieth of `event append --stdin`'s CPU).
        if let dot = head(of: type, through: UInt8(ascii: ".")), typePrefixes.contains(String(dot)) { return true }
        // A stream that starts with a category starts with that category's part up to its first "-" (no category
        // has a "-" before it), so the stream's own part up to its first "-" must be one: one set lookup rules out
        // most streams. Then bytes first: a stream that starts with a category by `hasPrefix` (characters) starts with
        // its bytes too.
        guard let dash = head(of: stream, through: UInt8(ascii: "-")), streamHeads.contains(String(dash)) else { return false }
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

    /// Checks one raw append: outside repair mode it must be a tooling event (a type and stream Docket does not
    /// use); in repair mode a catalogued type must still decode as that event.
    static func checkRawAppend(stream: String, type: String, schemaVersion: UInt16, payload: [UInt8], repair: Bool, where label: String) throws {
        if !repair {
            guard !touchesDocketData(stream: stream, type: type) else {
                throw CLIError.forbidden(
                    "\(label)\(type) on \(stream) is Docket's own data, written by its commands with their rules; "
                        + "use the command, or --repair (admin) to correct the log by hand; nothing was appended")
            }
            return
        }
        guard EventCatalog.descriptor(type: type, schemaVersion: schemaVersion) != nil else {
            if EventCatalog.all.contains(where: { $0.type == type }) {
                throw CLIError.badInput("\(label)Docket reads no version \(schemaVersion) of \(type); give its --schema-version; nothing was appended")
            }
            return
        }
        do {
            _ = try DocketEvent.decode(type: type, schemaVersion: schemaVersion, payload: payload)
        } catch {
            throw CLIError.badInput("\(label)the payload is not a valid \(type) v\(schemaVersion) event (\(error)); nothing was appended")
        }
    }
}
