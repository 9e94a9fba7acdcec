/// The routing rules in force, and the pure matcher over them.
public struct RoutingRules: Sendable, Equatable {
    /// The ordered rules; the first that matches wins.
    public var rules: [RoutingRule]

    /// Rules in the given order.
    public init(_ rules: [RoutingRule]) { self.rules = rules }

    /// The first rule whose conditions all hold for `input`, with one line per condition saying why it held.
    public func firstMatch(for input: RoutingInput) -> (rule: RoutingRule, reasons: [String])? {
        for rule in rules {
            if let reasons = Self.reasons(rule.match, input) { return (rule, reasons) }
        }
        return nil
    }

    /// Why `conditions` hold for `input`, or nil when one of them does not.
    public static func reasons(_ conditions: RoutingConditions, _ input: RoutingInput) -> [String]? {
        var reasons: [String] = []
        if let clients = conditions.client {
            guard clients.contains(input.client) else { return nil }
            reasons.append("client \(input.client) is one of \(list(clients))")
        }
        if let sources = conditions.source {
            guard sources.contains(input.source) else { return nil }
            reasons.append("source \(input.source) is one of \(list(sources.map(\.rawValue)))")
        }
        if let categories = conditions.category {
            guard let category = input.category,
                categories.contains(where: { $0.lowercased() == category.lowercased() })
            else { return nil }
            reasons.append("category \(category) is one of \(list(categories))")
        }
        if let keywords = conditions.subjectContains {
            guard let keyword = firstContained(keywords, in: input.subject) else { return nil }
            reasons.append("subject contains \"\(keyword)\"")
        }
        if let keywords = conditions.bodyContains {
            guard let keyword = firstContained(keywords, in: input.body) else { return nil }
            reasons.append("body contains \"\(keyword)\"")
        }
        if let labels = conditions.alertLabels {
            for (label, value) in labels.sorted(by: { $0.key < $1.key }) {
                guard input.alertLabels[label] == value else { return nil }
                reasons.append("alert label \(label)=\(value)")
            }
        }
        if let severities = conditions.severity {
            guard let severity = input.severity,
                severities.contains(where: { $0.lowercased() == severity.lowercased() })
            else { return nil }
            reasons.append("severity \(severity) is one of \(list(severities))")
        }
        if reasons.isEmpty { reasons.append("the rule has no conditions: it matches every ticket") }
        return reasons
    }

    private static func firstContained(_ keywords: [String], in text: String) -> String? {
        let lowered = text.lowercased()
        return keywords.first { lowered.contains($0.lowercased()) }
    }

    private static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
}
