import ArgumentParser
import DocketApp
import Domain
import Foundation

/// `docket template …`: canned replies for `docket ticket reply`, and the bodies of the mail Docket sends itself.
struct TemplateGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Add, change and remove reply templates and the mail templates (dispatchers and admins).",
        discussion: """
            Placeholders: \(TemplatePlaceholder.known.map { "{{\($0)}}" }.joined(separator: " "))

            docket template add ack --subject "Re: {{ticket.subject}}" \\
                --body "Hi {{contact.name}}, we are on {{ticket.number}}."
            docket template list        docket template show ack
            docket ticket reply T-1042 --template ack

            Mail templates: the bodies of the mail Docket sends by itself. Each runs on its shipped default until you \
            change it (`docket template show NAME` prints the one in force; `update` stores yours; `remove` goes back to \
            the default). No subject: Docket writes it. Besides \(MailTemplate.common.map { "{{\($0)}}" }.joined(separator: " ")):
            \(MailTemplate.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))
            """,
        subcommands: [TemplateAdd.self, TemplateUpdate.self, TemplateRemove.self, TemplateList.self, TemplateShow.self])
}

/// Runs one template command and prints what happened.
private func change(_ name: String, _ command: TemplateCommand, in session: Session, actor: ActorOptions, write: WriteOptions, done: String) throws {
    let events = try session.app.directory.template(name, command, as: actor.name, commandId: write.commandId)
    Terminal.out(events.isEmpty ? "template \(name): nothing to change\n" : "\(done)\n")
}

struct TemplateAdd: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a template (or add a removed one again).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The template's name: 2 to 64 lower-case letters, digits and dashes.") var name: String
    @Option(help: "The reply text; may use placeholders.") var body: String
    @Option(help: "The subject of a reply's mail; may use placeholders. Docket adds the [T-1042] token (after a leading Re:).")
    var subject: String?

    func run(in session: Session) throws {
        try change(name, .add(name: name, subject: subject, body: body), in: session, actor: actor, write: write, done: "added template \(name)")
    }
}

struct TemplateUpdate: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Replace a template's body; the subject stays unless --subject is given.",
        discussion: "--subject \"\" removes the subject line.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The template's name.") var name: String
    @Option(help: "The new reply text.") var body: String
    @Option(help: "The new subject of a reply's mail (\"\" removes it: the mail's is then Re: [T-1042] <ticket subject>).")
    var subject: String?

    func run(in session: Session) throws {
        // Leaving --subject out keeps the current subject rather than silently erasing it.
        let keptSubject = try subject ?? session.app.directory.template(name).subject
        let events = try session.app.directory.template(
            name, .update(subject: keptSubject, body: body), as: actor.name, commandId: write.commandId)
        Terminal.out(events.isEmpty ? "template \(name): nothing to change\n" : "updated template \(name)\n")
    }
}

struct TemplateRemove: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a template (a mail template goes back to its default); mail already sent keeps its text.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The template's name.") var name: String

    func run(in session: Session) throws {
        let events = try session.app.directory.template(name, .remove, as: actor.name, commandId: write.commandId)
        if !events.isEmpty {
            Terminal.out("removed template \(name)\n")
        } else if MailTemplate.named(name) != nil {
            Terminal.out("template \(name) is already the default; nothing to change\n")
        } else {
            Terminal.out("template \(name) was already removed; nothing to change\n")
        }
    }
}

// MARK: - Reading

/// A template as `--json` prints it (`subject` is `null` when there is none); `origin` is `default` for a mail
/// template running on its shipped default, `custom` for one the store holds.
struct TemplateView: Encodable {
    let name: String
    let subject: String?
    let body: String
    let origin: String

    init?(_ state: TemplateState, isDefault: Bool) {
        guard let name = state.name else { return nil }
        self.name = name
        subject = state.subject
        body = state.body
        origin = isDefault ? "default" : "custom"
    }

    private enum CodingKeys: String, CodingKey { case name, subject, body, origin }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(subject, forKey: .subject)
        try c.encode(body, forKey: .body)
        try c.encode(origin, forKey: .origin)
    }
}

struct TemplateList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the templates by name: the stored ones (custom) and the mail templates on their shipped default.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    func run(in session: Session) throws {
        let templates = try session.app.directory.templatesInForce().compactMap { TemplateView($0.template, isDefault: $0.isDefault) }
        if output.json {
            try printJSON(templates)
            return
        }
        Terminal.out(Terminal.table(
            ["NAME", "ORIGIN", "SUBJECT", "BODY"],
            templates.map { [$0.name, $0.origin, oneLine($0.subject ?? "—", 40), oneLine($0.body, 60)] }))
    }

    /// Newlines shown as spaces, so that one template stays one row.
    private func oneLine(_ text: String, _ length: Int) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ").truncated(to: length)
    }
}

struct TemplateShow: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a template's subject and body.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The template's name.") var name: String

    func run(in session: Session) throws {
        let stored = try session.app.directory.templates().contains { $0.name == name }
        guard let template = TemplateView(try session.app.directory.template(name), isDefault: !stored) else {
            throw CLIError.notFound("unknown template \(name); list templates with `docket template list`")
        }
        if output.json {
            try printJSON(template)
            return
        }
        Terminal.out("\(template.name)\nsubject: \(template.subject ?? "—")\n\n\(template.body)\n")
    }
}
