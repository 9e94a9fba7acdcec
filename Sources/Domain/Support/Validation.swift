import Foundation

/// Shape checks for identifiers and text shared by the deciders. Each returns the normalized value
/// or throws ``DomainError/Code/invalid`` with a message saying what is allowed.
enum Validate {
    // MARK: - Text

    /// `text` trimmed of surrounding white space; throws when nothing is left.
    static func nonEmpty(_ text: String, _ what: String, fix: String) throws(DomainError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DomainError(.invalid, "\(what) is empty; \(fix)") }
        return trimmed
    }

    /// A name shown on one line (a client's, a contact's, a user's, a policy's): `text` trimmed; throws when nothing
    /// is left or when it holds a line break or another control character.
    static func name(_ text: String, _ what: String, fix: String) throws(DomainError) -> String {
        let name = try nonEmpty(text, what, fix: fix)
        if let code = OneLine.firstControl(in: name) {
            throw DomainError(.invalid, "\(what) holds a line break or control character (\(code)); write it on one line")
        }
        return name
    }

    /// `text` trimmed, or nil when it is nil or blank.
    static func optional(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            return nil
        }
        return trimmed
    }

    // MARK: - Identifiers

    /// A slug: lower-case ASCII letters, digits and `-`, not starting with `-`, `range` characters long.
    static func slug(_ text: String, _ what: String, length range: ClosedRange<Int>) throws(DomainError) -> String {
        let bytes = Array(text.utf8)
        guard range.contains(bytes.count), bytes.allSatisfy({ isLowerAlnum($0) || $0 == dash }),
            let first = bytes.first, first != dash
        else {
            throw DomainError(
                .invalid,
                "\(what) \"\(text)\" is not valid; use \(range.lowerBound) to \(range.upperBound) lower-case letters, digits "
                    + "and dashes, starting with a letter or digit")
        }
        return text
    }

    /// A login: lower-case ASCII letters, digits, `.`, `_` and `-`, 2 to 32 long, starting with a letter or digit.
    static func login(_ text: String) throws(DomainError) -> String {
        let bytes = Array(text.utf8)
        guard (2...32).contains(bytes.count),
            bytes.allSatisfy({ isLowerAlnum($0) || $0 == dot || $0 == underscore || $0 == dash }),
            let first = bytes.first, isLowerAlnum(first)
        else {
            throw DomainError(
                .invalid,
                "login \"\(text)\" is not valid; use 2 to 32 lower-case letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit")
        }
        return text
    }

    /// An e-mail domain such as `acme.example`: lower-cased, dot-separated labels of letters, digits and
    /// inner dashes, at least two labels, at most 253 characters.
    static func domain(_ text: String) throws(DomainError) -> String {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard isDomain(lowered) else {
            throw DomainError(
                .invalid, "e-mail domain \"\(text)\" is not valid; write it like acme.example (no @, no spaces)")
        }
        return lowered
    }

    /// An e-mail address `local@domain`, lower-cased; the domain must pass ``domain(_:)``.
    static func email(_ text: String) throws(DomainError) -> String {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = lowered.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count),
            parts[0].utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && !"\"(),:;<>[\\]".utf8.contains($0) }),
            !parts[0].hasPrefix("."), !parts[0].hasSuffix("."), !parts[0].contains(".."),
            isDomain(String(parts[1]))
        else {
            throw DomainError(.invalid, "e-mail address \"\(text)\" is not valid; write it like jane@acme.example")
        }
        return lowered
    }

    /// An IANA time zone identifier that this system knows, e.g. `Europe/Paris`.
    ///
    /// `TimeZone(identifier:)` also accepts offset spellings such as `GMT+5` and renames them (`GMT+0500`);
    /// only names it keeps as they are (plus `UTC`, which it calls `GMT`) are IANA names.
    static func timeZone(_ text: String) throws(DomainError) -> String {
        guard let zone = TimeZone(identifier: text), zone.identifier == text || text == "UTC" else {
            throw DomainError(
                .invalid, "time zone \"\(text)\" is unknown; use an IANA name such as Europe/Paris or America/New_York")
        }
        return text
    }

    /// An ISO 4217 currency code: three upper-case letters.
    static func currency(_ text: String) throws(DomainError) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count == 3, bytes.allSatisfy({ $0 >= 0x41 && $0 <= 0x5a }) else {
            throw DomainError(.invalid, "currency \"\(text)\" is not valid; use an ISO 4217 code such as EUR or USD")
        }
        guard CurrencyCodes.isKnown(text) else {
            throw DomainError(.invalid, "currency \"\(text)\" is not an ISO 4217 currency code; use one such as EUR or USD")
        }
        return text
    }

    // MARK: - Bytes

    private static let dash = UInt8(ascii: "-")
    private static let dot = UInt8(ascii: ".")
    private static let underscore = UInt8(ascii: "_")

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
    }

    private static func isDomain(_ text: String) -> Bool {
        guard (3...253).contains(text.utf8.count) else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
            return bytes.allSatisfy({ isLowerAlnum($0) || $0 == dash }) && first != dash && last != dash
        }
    }
}
