import Foundation

/// Reads and checks routing rules. Every error names the rule (`rules[1] (id vip)`) and the field.
public enum RoutingRuleValidation {
    /// The fields `match` accepts.
    public static let conditionFields = ["client", "source", "category", "subjectContains", "bodyContains", "alertLabels", "severity"]
    /// The fields `actions` accepts.
    public static let actionFields = ["priority", "category", "assign", "queue", "replyTemplate"]

    // MARK: - Reading a rules file

    /// The rules of a file shaped like `schemas/routing-rules.schema.json` (`{rules: [{id, match, actions}]}`),
    /// checked with ``validate(_:)``. A top-level `revision` (what `docket rules show --json` prints) is read and
    /// ignored, so that output can be edited and set again: the log numbers revisions.
    public static func parse(_ file: JSONValue) throws(DomainError) -> [RoutingRule] {
        guard case .object(let top) = file else { throw invalid("the file", "must be a mapping with a `rules` list") }
        for key in top.keys.sorted() where key != "rules" && key != "revision" {
            throw invalid("the file", "has an unknown field `\(key)`; only `rules` (and `revision`, which is ignored) is allowed")
        }
        if let revision = top["revision"] {
            guard case .integer = revision else {
                throw invalid("revision", "must be a whole number (it is ignored: the log numbers revisions)")
            }
        }
        guard let list = top["rules"] else { throw invalid("the file", "lacks `rules`; give the ordered list of rules") }
        guard case .array(let items) = list else { throw invalid("rules", "must be a list of rules") }
        var rules: [RoutingRule] = []
        for (index, item) in items.enumerated() {
            rules.append(try rule(item, index: index))
        }
        return try validate(rules)
    }

    private static func rule(_ value: JSONValue, index: Int) throws(DomainError) -> RoutingRule {
        var at = "rules[\(index)]"
        guard case .object(let fields) = value else { throw invalid(at, "must be a mapping with id, match and actions") }
        guard case .string(let id)? = fields["id"] else { throw invalid(at + ".id", "is missing or not text; give each rule an id") }
        at += " (id \(id))"
        for key in fields.keys.sorted() where !["id", "match", "actions"].contains(key) {
            throw invalid(at, "has an unknown field `\(key)`; a rule has id, match and actions")
        }
        var conditions = RoutingConditions()
        if let match = fields["match"] {
            guard case .object(let m) = match else { throw invalid(at + ": match", "must be a mapping of conditions") }
            for key in m.keys.sorted() where !conditionFields.contains(key) {
                throw invalid(at + ": match.\(key)", "is not a condition; use \(conditionFields.joined(separator: ", "))")
            }
            conditions.client = try strings(m["client"], at + ": match.client")
            if let sources = try strings(m["source"], at + ": match.source") {
                var parsed: [TicketSource] = []
                for (i, text) in sources.enumerated() {
                    guard let source = TicketSource(rawValue: text.lowercased()) else {
                        throw invalid(at + ": match.source[\(i)]", "\"\(text)\" is not a source; use email, alert, portal, phone or schedule")
                    }
                    parsed.append(source)
                }
                conditions.source = parsed
            }
            conditions.category = try strings(m["category"], at + ": match.category")
            conditions.subjectContains = try strings(m["subjectContains"], at + ": match.subjectContains")
            conditions.bodyContains = try strings(m["bodyContains"], at + ": match.bodyContains")
            conditions.severity = try strings(m["severity"], at + ": match.severity")
            if let labels = m["alertLabels"] {
                guard case .object(let pairs) = labels else {
                    throw invalid(at + ": match.alertLabels", "must be a mapping of label: value")
                }
                var parsed: [String: String] = [:]
                for (label, value) in pairs {
                    guard case .string(let text) = value else {
                        throw invalid(at + ": match.alertLabels.\(label)", "must be text (quote numbers and booleans)")
                    }
                    parsed[label] = text
                }
                conditions.alertLabels = parsed
            }
        }
        var actions = RoutingActions()
        if let given = fields["actions"] {
            guard case .object(let a) = given else { throw invalid(at + ": actions", "must be a mapping of actions") }
            // Like an empty list condition: most likely a mistake, and it would match first and do nothing.
            guard !a.isEmpty else {
                throw invalid(
                    at + ": actions",
                    "is empty; give at least one of \(actionFields.joined(separator: ", ")), or leave actions out for a "
                        + "rule that only keeps the rules after it from matching")
            }
            for key in a.keys.sorted() where !actionFields.contains(key) {
                throw invalid(at + ": actions.\(key)", "is not an action; use \(actionFields.joined(separator: ", "))")
            }
            if let text = try string(a["priority"], at + ": actions.priority") {
                guard let priority = Priority(rawValue: text.uppercased()) else {
                    throw invalid(at + ": actions.priority", "\"\(text)\" is not a priority; use P1, P2, P3 or P4")
                }
                actions.priority = priority
            }
            actions.category = try string(a["category"], at + ": actions.category")
            actions.assign = try string(a["assign"], at + ": actions.assign")
            actions.queue = try string(a["queue"], at + ": actions.queue")
            actions.replyTemplate = try string(a["replyTemplate"], at + ": actions.replyTemplate")
        }
        return RoutingRule(id: id, match: conditions, actions: actions)
    }

    private static func strings(_ value: JSONValue?, _ at: String) throws(DomainError) -> [String]? {
        guard let value else { return nil }
        guard case .array(let items) = value else { throw invalid(at, "must be a list of text") }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let text) = item else { throw invalid(at + "[\(i)]", "must be text (quote numbers)") }
            result.append(text)
        }
        return result
    }

    private static func string(_ value: JSONValue?, _ at: String) throws(DomainError) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else { throw invalid(at, "must be text") }
        return text
    }

    // MARK: - Rules

    /// The rules, trimmed, or the first rule they break:
    ///
    /// 1. Each id is 2 to 64 lower-case letters, digits and dashes, and unique in the list.
    /// 2. A list condition, when given, has at least one entry, none blank; `alertLabels`, when given, has
    ///    at least one label, none blank.
    /// 3. `category` and `queue` are not both given (the queue is recorded as the category).
    /// 4. `assign` is a valid login; `replyTemplate` a template name (lower-case letters, digits and dashes).
    public static func validate(_ rules: [RoutingRule]) throws(DomainError) -> [RoutingRule] {
        var ids = Set<String>()
        var result: [RoutingRule] = []
        for (index, original) in rules.enumerated() {
            var rule = original
            let at = "rules[\(index)] (id \(rule.id))"
            do {
                _ = try Validate.slug(rule.id, "rule id", length: 2...64)
            } catch {
                throw invalid("rules[\(index)].id", "\"\(rule.id)\" is not valid; use 2 to 64 lower-case letters, digits and dashes")
            }
            guard ids.insert(rule.id).inserted else {
                throw invalid(at, "repeats an id used by an earlier rule; give each rule its own id")
            }
            rule.match.client = try entries(rule.match.client, at + ": match.client")
            rule.match.category = try entries(rule.match.category, at + ": match.category")
            rule.match.subjectContains = try entries(rule.match.subjectContains, at + ": match.subjectContains")
            rule.match.bodyContains = try entries(rule.match.bodyContains, at + ": match.bodyContains")
            rule.match.severity = try entries(rule.match.severity, at + ": match.severity")
            if let sources = rule.match.source, sources.isEmpty {
                throw invalid(at + ": match.source", "is an empty list; list at least one source or leave the condition out")
            }
            if let labels = rule.match.alertLabels {
                guard !labels.isEmpty else {
                    throw invalid(at + ": match.alertLabels", "is empty; give at least one label or leave the condition out")
                }
                for label in labels.keys.sorted() where label.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw invalid(at + ": match.alertLabels", "has a blank label name")
                }
            }
            rule.actions.category = try text(rule.actions.category, at + ": actions.category")
            rule.actions.queue = try text(rule.actions.queue, at + ": actions.queue")
            if rule.actions.category != nil, rule.actions.queue != nil {
                throw invalid(at + ": actions", "gives both category and queue; the queue is recorded as the ticket's category, so give one")
            }
            if let login = rule.actions.assign {
                do {
                    rule.actions.assign = try Validate.login(login)
                } catch {
                    throw invalid(at + ": actions.assign", error.message)
                }
            }
            if let template = rule.actions.replyTemplate {
                do {
                    rule.actions.replyTemplate = try Validate.slug(template, "template name", length: 2...64)
                } catch {
                    throw invalid(at + ": actions.replyTemplate", error.message)
                }
            }
            result.append(rule)
        }
        return result
    }

    private static func entries(_ list: [String]?, _ at: String) throws(DomainError) -> [String]? {
        guard let list else { return nil }
        guard !list.isEmpty else { throw invalid(at, "is an empty list; list at least one entry or leave the condition out") }
        var result: [String] = []
        for (i, entry) in list.enumerated() {
            guard let trimmed = Validate.optional(entry) else { throw invalid(at + "[\(i)]", "is blank") }
            result.append(trimmed)
        }
        return result
    }

    private static func text(_ value: String?, _ at: String) throws(DomainError) -> String? {
        guard let value else { return nil }
        guard let trimmed = Validate.optional(value) else { throw invalid(at, "is blank; give a name or leave it out") }
        return trimmed
    }

    private static func invalid(_ at: String, _ problem: String) -> DomainError {
        DomainError(.invalid, "\(at) \(problem)")
    }
}
