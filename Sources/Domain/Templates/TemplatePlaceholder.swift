import Foundation

/// The placeholders a reply template may use, written `{{ticket.number}}`.
public enum TemplatePlaceholder {
    /// Every known placeholder name, sorted.
    public static let known: [String] = ["client.name", "contact.name", "tech.name", "ticket.number", "ticket.subject"]

    /// Throws unless every placeholder in `text` is one of `allowed` (a reply template's: ``known``; a mail
    /// template's: ``MailTemplate/allowedPlaceholders``).
    public static func validate(_ text: String, allowed: [String] = known) throws(DomainError) {
        for name in try TemplateText.parse(text).placeholders where !allowed.contains(name) {
            let list = allowed.map { "{{\($0)}}" }.joined(separator: ", ")
            throw DomainError(.invalid, "unknown placeholder {{\(name)}} in the template; use one of \(list)")
        }
    }
}

/// Template text split into literal runs and `{{name}}` placeholders.
struct TemplateText: Equatable {
    enum Part: Equatable {
        case literal(String)
        case placeholder(String)
    }

    var parts: [Part]

    /// The placeholder names in order of appearance.
    var placeholders: [String] {
        parts.compactMap { if case .placeholder(let name) = $0 { name } else { nil } }
    }

    /// Splits `text`; `{{ name }}` may pad the name with spaces. An unclosed or empty placeholder is refused.
    static func parse(_ text: String) throws(DomainError) -> TemplateText {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                let excerpt = String(rest[open.lowerBound...].prefix(24))
                throw DomainError(.invalid, "unclosed placeholder \"\(excerpt)\"; close it with }}")
            }
            let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains("{") else {
                throw DomainError(
                    .invalid,
                    "empty or malformed placeholder \"{{\(afterOpen[..<close.lowerBound])}}\"; write it like {{ticket.number}}"
                )
            }
            parts.append(.placeholder(name))
            rest = afterOpen[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return TemplateText(parts: parts)
    }
}
