/// A mail Docket writes by itself, whose body is a template: stored as a template event under its name
/// (`docket template update mail-acknowledgement --body …`) or, while none is stored, the shipped default here. The
/// body in force is rendered into the queued message, so the log keeps the text each mail was sent with. The
/// subject stays Docket's: it carries the `[T-1042]` token replies are threaded by.
public struct MailTemplate: Sendable, Equatable {
    /// The template's name, e.g. `mail-acknowledgement`.
    public let name: String
    /// When Docket sends it.
    public let summary: String
    /// The placeholders its body may use, beyond ``common``.
    public let placeholders: [String]
    /// The body used while the store holds no template of this name.
    public let defaultBody: String
    /// The shared placeholders it may use: ``common``, or fewer for mail about no ticket (the sign-in link).
    public var commonPlaceholders: [String] = common

    /// What every mail template may use: the ticket's number and subject, the client's name, the recipient's name
    /// (empty when unknown) and `greeting` (`Hello Jane`, or `Hello` without a name).
    public static let common = ["client.name", "greeting", "recipient.name", "ticket.number", "ticket.subject"]

    /// Every placeholder the body may use, sorted.
    public var allowedPlaceholders: [String] { (commonPlaceholders + placeholders).sorted() }

    /// The body in force: the stored template's when there is a live one, else ``defaultBody``.
    public func body(stored: TemplateState?) -> String {
        guard let stored, stored.isLive else { return defaultBody }
        return stored.body
    }

    /// The body in force filled with `values`.
    public func render(stored: TemplateState?, values: [String: String]) throws(DomainError) -> String {
        try TemplateRenderer.render(body(stored: stored), values: values)
    }

    /// The mail template called `name`, if it is one.
    public static func named(_ name: String) -> MailTemplate? { all.first { $0.name == name } }

    /// Every mail template, in name order.
    public static var all: [MailTemplate] {
        [acknowledgement, followUp, mergeNotice, reply, resolution, signIn, slaBreach, slaEscalation, slaWarning].sorted { $0.name < $1.name }
    }
}

extension MailTemplate {
    /// To the client when a ticket is opened.
    public static let acknowledgement = MailTemplate(
        name: "mail-acknowledgement", summary: "to the client when a ticket is opened", placeholders: [],
        defaultBody: """
            {{greeting}},

            We have received your request and opened ticket {{ticket.number}}:

                {{ticket.subject}}

            We will be in touch. To add anything, reply to this email and keep [{{ticket.number}}] in the subject.
            """)

    /// To the client with each public comment.
    public static let reply = MailTemplate(
        name: "mail-reply", summary: "to the client with each public comment ({{reply.text}})", placeholders: ["reply.text"],
        defaultBody: "{{reply.text}}\n\n-- \n{{ticket.number}}: {{ticket.subject}}\nReply to this email to answer; keep [{{ticket.number}}] in the subject.\n")

    /// To the client when the ticket is closed. It promises no number of days: how long a reply reopens the ticket
    /// is intake's `--reopen-days`, which the close cannot know (a later reply opens a follow-up ticket instead).
    public static let resolution = MailTemplate(
        name: "mail-resolution", summary: "to the client when the ticket is closed ({{resolution.text}})", placeholders: ["resolution.text"],
        defaultBody: """
            {{greeting}},

            Ticket {{ticket.number}} ({{ticket.subject}}) has been resolved:

            {{resolution.text}}

            If the problem is not solved, reply to this email and we will take it up again.
            """)

    /// To the client of a ticket that waited on them as long as the follow-up policy allows (`docket followup set
    /// --remind-after`). It promises no date: the policy may not close tickets, and may change.
    public static let followUp = MailTemplate(
        name: "mail-follow-up", summary: "to the client of a ticket left waiting on them (follow-ups)", placeholders: [],
        defaultBody: """
            {{greeting}},

            We are waiting for your reply on ticket {{ticket.number}}:

                {{ticket.subject}}

            If you still need our help, reply to this email and keep [{{ticket.number}}] in the subject. If we do not
            hear from you, we will close the ticket.
            """)

    /// To the requester of a ticket merged into another: their request goes on there, and they are kept informed.
    public static let mergeNotice = MailTemplate(
        name: "mail-merged", summary: "to the requester of a ticket merged into another ({{merge.into}})", placeholders: ["merge.into"],
        defaultBody: """
            {{greeting}},

            Your request {{ticket.number}} ({{ticket.subject}}) is the same matter as ticket {{merge.into}}.
            We have merged the two and will keep you informed on {{merge.into}}.

            To add anything, reply to this email.
            """)

    /// To the assignee (else the dispatchers) when an SLA clock reaches a warning threshold.
    public static let slaWarning = MailTemplate(
        name: "mail-sla-warning", summary: "to the assignee (else the dispatchers) at an SLA warning",
        placeholders: ["sla.clock", "sla.percent", "sla.due"],
        defaultBody: staffBody("the {{sla.clock}} clock reached {{sla.percent}}% of its target at {{sla.due}}"))

    /// To the assignee and every dispatcher when an SLA target is breached.
    public static let slaBreach = MailTemplate(
        name: "mail-sla-breach", summary: "to the assignee and the dispatchers at an SLA breach",
        placeholders: ["sla.clock", "sla.due"], defaultBody: staffBody("the {{sla.clock}} target was breached at {{sla.due}}"))

    /// To every dispatcher when an escalation rule that notifies them fires.
    public static let slaEscalation = MailTemplate(
        name: "mail-sla-escalation", summary: "to the dispatchers when an escalation rule notifies them",
        placeholders: ["sla.rule", "sla.due"], defaultBody: staffBody("escalation rule {{sla.rule}} fired at {{sla.due}}"))

    /// To a portal contact who asked for a sign-in link (no ticket: only the client's and the recipient's names).
    public static let signIn = MailTemplate(
        name: "mail-sign-in", summary: "to a portal contact asking for a sign-in link ({{portal.link}})", placeholders: ["portal.link"],
        defaultBody: """
            {{greeting}},

            Follow this link to sign in to the support portal:

                {{portal.link}}

            It works once, for 15 minutes. If you did not ask for it, ignore this email.
            """, commonPlaceholders: ["client.name", "greeting", "recipient.name"])

    private static func staffBody(_ line: String) -> String {
        "{{ticket.number}} ({{ticket.subject}}): \(line).\n\nSee `docket ticket show {{ticket.number}}` for the clock, interval by interval.\n"
    }
}
