import AlertIntake
import ArgumentParser
import BusinessTime
import DocketApp
import DocketTime
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
        abstract: "Show which rule would fire for an email, alerts or a schedule's ticket, and why; writes nothing.",
        discussion: """
            docket rules test < message.eml
            docket rules test --client acme < message.eml
            docket rules test --alert-format alertmanager < payload.json
            docket rules test --schedule patching
            docket rules test --schedule patching --at 2026-12-01
            An email's client is picked from its sender as intake picks it; --client \
            names it when the sender is no client's. A schedule's ticket is the one \
            `docket tick` opens next (or on the first occurrence at or after --at); \
            what the schedule sets itself wins over the rule's actions. It says \
            what the tick would do: not open it (a deactivated assignee), open it \
            without an action it cannot carry out, or nothing (opened already). \
            The rules tried are those in force now, also for a past --at.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Read alerts in this format (alertmanager or generic) instead of an email.") var alertFormat: AlertFormat?
    @Option(help: "The client when the sender or alert names none Docket knows.") var client: String?
    @Option(help: ArgumentHelp("Try the ticket this schedule opens next, instead of what stdin holds.", valueName: "id"))
    var schedule: String?
    @Option(
        help: ArgumentHelp(
            "With --schedule: its first occurrence at or after this moment; a date or time without a zone is the schedule's.",
            valueName: "time"),
        transform: MomentArgument.parse)
    var at: MomentArgument?

    struct View: Encodable {
        let subject: String
        let client: String
        let rule: String?
        let reasons: [String]
        /// The rule's actions that apply (a schedule's own fields win over the rule's).
        let actions: RoutingActions?
        /// With --schedule: the schedule, its occurrence, and the ticket as it would open.
        var schedule: String? = nil
        var occurrence: RFC3339Instant? = nil
        var opens: Opening? = nil
        /// With --schedule: why `docket tick` would not open it, where it would not.
        var refused: String? = nil
        /// With --schedule: what routing could not carry out, noted on the ticket instead.
        var notes: [String]? = nil
        /// With --schedule and an occurrence before now: that the rules tried are those in force now.
        var rulesInForce: String? = nil
    }

    /// A schedule's ticket as it would open, once routed.
    struct Opening: Encodable {
        let priority: Priority
        let category: String?
        let assignee: String?
        let replyTemplate: String?
    }

    /// `--at` goes with `--schedule`, and `--schedule` with neither input option (the schedule names its client).
    func checkScheduleOptions() throws {
        guard schedule != nil else {
            if at != nil { throw ValidationError("--at picks a schedule's occurrence; give it with --schedule ID") }
            return
        }
        if alertFormat != nil || client != nil {
            throw ValidationError("--schedule tries a schedule's ticket, whose client is the schedule's; drop --alert-format and --client")
        }
    }

    func run() throws {
        try reportingFailures(store: store.path) {
            if let schedule { return try testSchedule(schedule) }
            let raw = Array(Terminal.standardInput())
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
                views.append(View(subject: input.subject, client: input.client, rule: decision?.rule.id, reasons: decision?.reasons ?? [], actions: decision?.appliedActions))
                text += "\(input.subject) (client \(input.client), source \(input.source))\n" + Self.decisionText(decision)
                if decision == nil { text += "  no rule matches; the ticket would open with the intake defaults\n" }
            }
            if output.json { try printJSON(views) } else { Terminal.out(text) }
        }
    }

    /// The ticket schedule `id` opens next (or at `--at`), routed as `docket tick` routes it.
    private func testSchedule(_ id: String) throws {
        let session = try StoreAccess.open(store.path)
        try checkReader(actor.name, in: session)
        let moment = try at.map { at -> Timestamp in
            if let exact = at.exact { return exact }
            let zone = try session.app.tickets.liveSchedule(id).recurrence.timeZone
            let read = try parseTime(at.text, flag: "--at", in: PeopleTime(zone: WallTimeZone(zone) ?? .utc, whose: "schedule \(id)'s"))
            read.announce()
            return read.instant
        }
        let preview = try session.app.tickets.routingPreview(ofSchedule: id, atOrAfter: moment, as: actor.name)
        let intake = preview.intake
        let decision = preview.routing
        let opening = Opening(
            priority: intake.priority, category: intake.category, assignee: preview.assignee, replyTemplate: decision?.appliedActions.replyTemplate)
        if output.json {
            try printJSON(
                View(
                    subject: intake.subject, client: intake.client, rule: decision?.rule.id, reasons: decision?.reasons ?? [],
                    actions: decision?.appliedActions, schedule: id,
                    occurrence: RFC3339Instant(millisecondsSinceEpoch: preview.at.millisecondsSinceEpoch), opens: opening,
                    refused: preview.refusal, notes: preview.notes.isEmpty ? nil : preview.notes, rulesInForce: preview.isPast ? Self.rulesNow : nil))
            return
        }
        let time = PeopleTime.viewer(actor.name, in: session)
        var text = "\(intake.subject) (client \(intake.client), source schedule: \(id)'s ticket of \(time.text(preview.at)))\n"
        text += Self.decisionText(decision)
        if decision == nil { text += "  no rule matches; the schedule's own fields and the defaults apply\n" }
        if let refusal = preview.refusal {
            text += "  \(refusal)\n"
        } else {
            text += "  it would open with priority \(opening.priority), category \(opening.category ?? "none"), assignee "
                + "\(opening.assignee ?? "none")" + (opening.replyTemplate.map { ", reply template \($0)" } ?? "") + "\n"
            for note in preview.notes { text += "  noted on the ticket: \(note)\n" }
        }
        if preview.isPast { text += "  note: \(Self.rulesNow)\n" }
        Terminal.out(text)
    }

    /// Said of an occurrence before now: routing rules have no effective date.
    static let rulesNow =
        "these are the rules in force now: rules have no effective date, so the tick of that occurrence routed by those in "
        + "force then (`docket rules show --as-of TIME`)"

    /// The lines saying which rule would fire and why, and its actions; nothing when none would.
    private static func decisionText(_ decision: RoutingDecision?) -> String {
        guard let decision else { return "" }
        var text = "  rule \(decision.rule.id) would fire\n"
        for reason in decision.reasons { text += "    because \(reason)\n" }
        return text + "  actions: \(decision.actionsText)\n"
    }
}
