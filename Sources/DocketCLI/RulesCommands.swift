import AlertIntake
import ArgumentParser
import DocketApp
import Domain
import Foundation
import MailParser

/// `docket rules …`: routing rules for new tickets from email and alerts.
struct RulesGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Set, show and try the routing rules applied to new tickets from email, alerts, the portal and schedules.",
        discussion: """
            A rules file (YAML or JSON, shaped like schemas/routing-rules.schema.json); the first rule whose \
            conditions all hold wins (a list condition holds when any entry matches):
              rules:
                - id: vip-outage
                  match: {client: [acme], subjectContains: [outage, down]}
                  actions: {priority: P1, assign: dora, replyTemplate: outage-ack}
                - id: db-alerts
                  match: {source: [alert], alertLabels: {team: db}, severity: [critical]}
                  actions: {priority: P1, queue: database}
            A schedule's own --priority, --category and --assign win over a rule's \
            (`docket schedule add`). Each `rules set` records the whole list; the \
            latest is in force. See docs/routing.md.
            """,
        subcommands: [RulesSet.self, RulesShow.self, RulesTest.self])
}

struct RulesSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Replace the routing rules with those of a file.",
        discussion: """
            docket rules set rules.yaml
            docket rules show --json > rules.json   # edit it, then:
            docket rules set rules.json
            A bad rule is named with its field (`rules[1] (id bad): match.source[0] …`); \
            nothing is written.
            """)
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The YAML or JSON rules file (- for stdin).") var file: String

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let rules = try readRulesFile(file)
            let session = try StoreAccess.open(options.store.path)
            let events = try countingInput(rules) {
                try session.app.directory.setRoutingRules(rules, as: options.actor.name, commandId: options.write.commandId)
            }
            Terminal.out(events.isEmpty ? "routing rules: nothing to change\n" : "set \(rules.count) routing rule\(rules.count == 1 ? "" : "s")\n")
        }
    }
}

/// The rules of `path`, or a bad-input error naming the file, the rule and the field.
func readRulesFile(_ path: String) throws -> [RoutingRule] {
    let data = try StructuredFile.jsonBytes(path, flag: "rules file")
    do {
        return try RoutingRuleValidation.parse(try JSONValue.parse(Array(data)))
    } catch {
        throw CLIError.badInput("rules file \(path): \(error.message)")
    }
}

struct RulesShow: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the routing rules in force, in the order they are tried.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    struct View: Encodable {
        let revision: Int
        let rules: [RoutingRule]
    }

    func run(in session: Session) throws {
        let state = try session.app.directory.routingRules()
        if output.json {
            try printJSON(View(revision: state.revision, rules: state.rules))
            return
        }
        guard !state.rules.isEmpty else {
            Terminal.out("no routing rules; set them with `docket rules set FILE`\n")
            return
        }
        let rows = state.rules.enumerated().map { index, rule in
            [String(index + 1), rule.id, conditionsText(rule.match), RoutingDecision(rule: rule, reasons: []).actionsText]
        }
        Terminal.out("revision \(state.revision); the first rule that matches wins\n\n" + Terminal.table(["#", "ID", "MATCH", "ACTIONS"], rows))
    }

    private func conditionsText(_ m: RoutingConditions) -> String {
        var parts: [String] = []
        if let v = m.client { parts.append("client " + v.joined(separator: "|")) }
        if let v = m.source { parts.append("source " + v.map(\.rawValue).joined(separator: "|")) }
        if let v = m.category { parts.append("category " + v.joined(separator: "|")) }
        if let v = m.subjectContains { parts.append("subject~" + v.joined(separator: "|")) }
        if let v = m.bodyContains { parts.append("body~" + v.joined(separator: "|")) }
        if let v = m.alertLabels { parts.append(v.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")) }
        if let v = m.severity { parts.append("severity " + v.joined(separator: "|")) }
        return parts.isEmpty ? "(everything)" : parts.joined(separator: "; ")
    }
}

struct RulesTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Show which rule would fire for an email (or alerts) on stdin, and why; writes nothing.",
        discussion: """
            docket rules test < message.eml
            docket rules test --client acme < message.eml
            docket rules test --alert-format alertmanager < payload.json
            An email's client is picked from its sender as intake picks it; --client \
            names it when the sender is no client's.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Read alerts in this format (alertmanager or generic) instead of an email.") var alertFormat: AlertFormat?
    @Option(help: "The client when the sender or alert names none Docket knows.") var client: String?

    struct View: Encodable {
        let subject: String
        let client: String
        let rule: String?
        let reasons: [String]
        let actions: RoutingActions?
    }

    func run() throws {
        try reportingFailures(store: store.path) {
            let raw = Array(FileHandle.standardInput.readDataToEndOfFile())
            let session = try StoreAccess.open(store.path)
            try checkReader(actor.name, in: session)
            // A client that does not exist is refused (not found), not tested as if it did.
            if let client { _ = try session.app.directory.client(client) }
            var inputs: [RoutingInput] = []
            if let alertFormat {
                try BoundedInput.checkJSON(raw, limit: InputLimits.alertPayloadBytes, what: "the alert payload")
                let batch: AlertBatch
                do {
                    batch = try AlertParser.parse(raw, format: alertFormat)
                } catch let error as AlertParseError {
                    throw CLIError.badInput(error.message)
                }
                inputs = try batch.alerts.map { try session.app.intake.routingInput(forAlert: $0, fallbackClient: client) }
            } else {
                let message: ParsedMessage
                do {
                    message = try ParsedMessage(parsing: raw)
                } catch let error as MailParseError {
                    throw CLIError.badInput(error.message)
                }
                inputs = [try session.app.intake.routingInput(forMail: message, fallbackClient: client)]
            }
            var views: [View] = []
            var text = ""
            for input in inputs {
                let decision = try session.app.directory.route(input)
                views.append(View(subject: input.subject, client: input.client, rule: decision?.rule.id, reasons: decision?.reasons ?? [], actions: decision?.rule.actions))
                text += "\(input.subject) (client \(input.client), source \(input.source))\n"
                if let decision {
                    text += "  rule \(decision.rule.id) would fire\n"
                    for reason in decision.reasons { text += "    because \(reason)\n" }
                    text += "  actions: \(decision.actionsText)\n"
                } else {
                    text += "  no rule matches; the ticket would open with the intake defaults\n"
                }
            }
            if output.json { try printJSON(views) } else { Terminal.out(text) }
        }
    }
}
