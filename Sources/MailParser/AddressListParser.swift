// RFC 5322 §3.4 address lists, parsed leniently from a token stream.

struct AddressListParser {
    private let tokens: [AddressToken]

    init(_ value: String) { tokens = AddressToken.tokenize(value) }

    func parse() -> [MailAddress] {
        var items: [Item] = []
        var current = Item()
        var group: String?
        var index = 0

        func finish() {
            current.group = group
            if !current.isEmpty { items.append(current) }
            current = Item()
        }

        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token.kind {
            case .special(":") where current.angle == nil && group == nil && !current.phrase.isEmpty:
                group = Self.phraseText(current.phrase)
                current = Item()
            case .special("<") where current.angle == nil:
                var inner: [AddressToken] = []
                while index < tokens.count, tokens[index].kind != .special(">") {
                    inner.append(tokens[index])
                    index += 1
                }
                index += 1  // the closing ">" (or past the end when it is missing)
                current.angle = Self.angleAddress(inner)
            case .special(","):
                finish()
            case .special(";"):
                finish()
                group = nil
            case .comment(let text):
                if !text.isEmpty { current.comments.append(text) }
            default:
                if current.angle == nil { current.phrase.append(token) }
            }
        }
        finish()
        return Self.mailboxes(from: Self.mergingSplitNames(items))
    }

    // MARK: - Items

    private struct Item {
        var phrase: [AddressToken] = []
        var angle: String??
        var comments: [String] = []
        var group: String?

        var isEmpty: Bool { phrase.isEmpty && angle == nil && comments.isEmpty }
        var hasAngleAddress: Bool { if case .some(.some) = angle { true } else { false } }
        var hasAddress: Bool {
            if let angle { return angle != nil }
            return phrase.contains { $0.kind == .special("@") }
        }
    }

    /// Joins a name-only item with the next item when that one has an angle address: an unquoted comma split
    /// the display name (`Doe, John <john@example.com>`).
    private static func mergingSplitNames(_ items: [Item]) -> [Item] {
        var result: [Item] = []
        var carried: [AddressToken] = []
        for (position, item) in items.enumerated() {
            var item = item
            let next = position + 1 < items.count ? items[position + 1] : nil
            if !item.hasAddress, !item.phrase.isEmpty, let next, next.hasAngleAddress, next.group == item.group {
                carried += item.phrase + [AddressToken(kind: .atom(","), spaceBefore: false)]
                continue
            }
            if !carried.isEmpty {
                item.phrase = carried + item.phrase
                carried = []
            }
            result.append(item)
        }
        return result
    }

    private static func mailboxes(from items: [Item]) -> [MailAddress] {
        items.flatMap { item -> [MailAddress] in
            let commentName = item.comments.isEmpty ? nil : EncodedWords.decode(item.comments.joined(separator: " "))
            if let angle = item.angle {
                let name = phraseText(item.phrase)
                return [MailAddress(name: name.isEmpty ? commentName : name, address: angle, group: item.group)]
            }
            // Without angle brackets, runs of tokens not separated by blanks that contain "@" are addresses.
            let runs = addressRuns(item.phrase).filter { run in item.phrase[run].contains { $0.kind == .special("@") } }
            if runs.count > 1 {
                return runs.map { MailAddress(address: addressText(item.phrase[$0]), group: item.group) }
            }
            if let run = runs.first {
                let rest = phraseText(Array(item.phrase[..<run.lowerBound]) + Array(item.phrase[run.upperBound...]))
                let name = rest.isEmpty ? commentName : rest
                return [MailAddress(name: name, address: addressText(item.phrase[run]), group: item.group)]
            }
            // No address at all: keep the name (`From: Whomever`); an item of comments alone is dropped.
            let name = phraseText(item.phrase)
            return name.isEmpty ? [] : [MailAddress(name: name, address: nil, group: item.group)]
        }
    }

    /// Index ranges of tokens that form one word of an addr-spec: pieces with no blank between them, also joined
    /// across blanks next to `@` or a dot (obsolete `jdoe@test . example`).
    private static func addressRuns(_ tokens: [AddressToken]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start: Int?
        for (index, token) in tokens.enumerated() {
            guard token.isAddressPiece else {
                if let open = start { runs.append(open..<index) }
                start = nil
                continue
            }
            if let open = start, index > open {
                let previous = tokens[index - 1]
                let joined =
                    !token.spaceBefore || token.kind == .special("@") || previous.kind == .special("@")
                    || token.text.hasPrefix(".") || previous.text.hasSuffix(".")
                if !joined {
                    runs.append(open..<index)
                    start = index
                }
            } else if start == nil {
                start = index
            }
        }
        if let open = start { runs.append(open..<tokens.count) }
        return runs
    }

    // MARK: - Text

    /// A display name: words joined by single spaces, quotes removed, encoded words decoded.
    static func phraseText(_ tokens: [AddressToken]) -> String {
        var text = ""
        for token in tokens {
            let piece: String
            switch token.kind {
            case .atom(let value), .quoted(let value): piece = value
            case .domainLiteral(let value): piece = "[\(value)]"
            case .special(let value) where value != "<" && value != ">": piece = String(value)
            case .special, .comment: continue
            }
            if !text.isEmpty, token.spaceBefore { text += " " }
            text += piece
        }
        let decoded = EncodedWords.decode(text)
        return ASCII.trimmed(decoded.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " "))
    }

    /// The address inside angle brackets, without an obsolete source route; nil for `<>`.
    private static func angleAddress(_ tokens: [AddressToken]) -> String? {
        var pieces = tokens.filter { if case .comment = $0.kind { false } else { true } }
        if let colon = pieces.lastIndex(where: { $0.kind == .special(":") }) {
            pieces = Array(pieces[(colon + 1)...])
        }
        let address = addressText(pieces[...])
        return address.isEmpty ? nil : address
    }

    /// An addr-spec: pieces joined without blanks; a quoted local part keeps its quotes when it needs them.
    private static func addressText(_ tokens: ArraySlice<AddressToken>) -> String {
        var text = ""
        for token in tokens {
            switch token.kind {
            case .atom(let value): text += value
            case .quoted(let value):
                text +=
                    value.contains(where: { $0 == " " || $0 == "\"" || $0 == "," || $0 == "@" })
                    ? "\"\(value)\"" : value
            case .domainLiteral(let value): text += "[\(value)]"
            case .special(let value): text += value == "@" || value == "." ? String(value) : ""
            case .comment: break
            }
        }
        return ASCII.trimmed(text)
    }
}

// MARK: - Tokens

struct AddressToken: Equatable {
    enum Kind: Equatable {
        /// A run of characters that are not specials or blanks (dots included, so `John Q. Public` stays whole).
        case atom(String)
        case quoted(String)
        case comment(String)
        case domainLiteral(String)
        case special(Character)
    }

    var kind: Kind
    /// Whether blanks preceded the token.
    var spaceBefore: Bool

    /// The token's text for atoms, quoted strings and literals; empty otherwise.
    var text: String {
        switch kind {
        case .atom(let value), .quoted(let value), .domainLiteral(let value): value
        case .special, .comment: ""
        }
    }

    var isAddressPiece: Bool {
        switch kind {
        case .atom, .quoted, .domainLiteral: true
        case .special(let value): value == "@"
        case .comment: false
        }
    }

    static func tokenize(_ value: String) -> [AddressToken] {
        let scalars = Array(value.unicodeScalars)
        var tokens: [AddressToken] = []
        var index = 0
        var spaceBefore = false
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t", "\r", "\n":
                spaceBefore = true
                index += 1
                continue
            case "\"":
                var text = String.UnicodeScalarView()
                index += 1
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
                    text.append(scalars[index])
                    index += 1
                }
                index += 1
                tokens.append(AddressToken(kind: .quoted(String(text)), spaceBefore: spaceBefore))
            case "(":
                var text = String.UnicodeScalarView()
                var depth = 1
                index += 1
                while index < scalars.count {
                    let inner = scalars[index]
                    if inner == "\\", index + 1 < scalars.count {
                        text.append(scalars[index + 1])
                        index += 2
                        continue
                    }
                    if inner == "(" { depth += 1 }
                    if inner == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    text.append(inner)
                    index += 1
                }
                index += 1
                tokens.append(AddressToken(kind: .comment(ASCII.trimmed(String(text))), spaceBefore: spaceBefore))
            case "[":
                var text = String.UnicodeScalarView()
                index += 1
                while index < scalars.count, scalars[index] != "]" {
                    text.append(scalars[index])
                    index += 1
                }
                index += 1
                tokens.append(AddressToken(kind: .domainLiteral(String(text)), spaceBefore: spaceBefore))
            case "<", ">", "@", ",", ";", ":":
                tokens.append(AddressToken(kind: .special(Character(scalar)), spaceBefore: spaceBefore))
                index += 1
            case ")", "]", "\\":
                index += 1  // stray closers and backslashes outside quotes and comments are dropped
                continue
            default:
                var text = String.UnicodeScalarView()
                while index < scalars.count {
                    if let end = encodedWordEnd(scalars, at: index) {
                        text.append(contentsOf: scalars[index..<end])
                        index = end
                        continue
                    }
                    let inner = scalars[index]
                    if " \t\r\n\"()[]<>@,;:\\".unicodeScalars.contains(inner) { break }
                    text.append(inner)
                    index += 1
                }
                guard !text.isEmpty else {
                    index += 1  // cannot happen with the cases above; guarantees progress all the same
                    continue
                }
                tokens.append(AddressToken(kind: .atom(String(text)), spaceBefore: spaceBefore))
            }
            spaceBefore = false
        }
        return tokens
    }

    /// The end of an encoded word starting at `start`, so that specials inside it do not split it.
    private static func encodedWordEnd(_ scalars: [Unicode.Scalar], at start: Int) -> Int? {
        guard start + 1 < scalars.count, scalars[start] == "=", scalars[start + 1] == "?" else { return nil }
        var index = start + 2
        var questionMarks = 0
        while index < scalars.count, !ASCII.isWhitespaceScalar(scalars[index]) {
            if scalars[index] == "?" {
                questionMarks += 1
                if questionMarks >= 3, index + 1 < scalars.count, scalars[index + 1] == "=" { return index + 2 }
            }
            index += 1
        }
        return nil
    }
}
