import ArgumentParser
import DocketApp
import Domain

/// `docket survey …`: the one-click client satisfaction survey of resolution mail.
struct SurveyGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey",
        abstract: "Ask clients to rate each resolution (good, okay or bad) with links in the resolution mail.",
        discussion: """
            With the survey on, the mail that tells a ticket's contact it is resolved ends with three \
            links (good, okay, bad) into the client portal. Opening one shows the rating chosen and a \
            comment box, and records nothing (mail scanners open links); sending the form records \
            ticket.rated as the contact. The links work for 30 days, for that close only; a contact \
            signed in to the portal rates a closed ticket on its page too. Ratings are in `docket \
            ticket show` and `docket report satisfaction`; a bad one pages the notification channels \
            subscribed to rated-bad (`docket notify add … --on rated-bad`). The links start with the \
            portal's public URL, recorded once with --portal-url (the same URL as `docket serve \
            --portal-url`), so a close in any docket process writes the same mail. Dispatchers and \
            admins turn it on and off; a client may opt out (--client). \
            See docs/cli.md, "Client satisfaction".
            """,
        subcommands: [SurveyOn.self, SurveyOff.self, SurveyShow.self])
}

struct SurveyOn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "on", abstract: "Put rating links in resolution mail (for one client again, with --client).",
        discussion: """
            docket survey on --portal-url https://support.msp.example
            docket survey on                          # again, with the URL recorded before
            docket survey on --client acme            # acme's contacts get the links again
            The URL is where contacts reach the portal (behind your TLS proxy): the links are \
            URL/portal/rate/…. It is recorded with the setting and kept when the survey is off.
            """)
    @OptionGroup var options: TicketWriteOptions
    @Option(help: "The portal's public base URL (https://support.msp.example); needed the first time.") var portalURL: String?
    @Option(help: "End this client's opt-out instead of turning the store's survey on.") var client: String?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let events = try session.app.directory.setSurvey(
                .on(portalURL: portalURL, client: client), as: options.actor.name, commandId: options.write.commandId)
            if let client {
                let storeOff = try !session.app.directory.surveySettings().enabled
                let later = storeOff ? " once the survey is on (it is off for everyone: `docket survey on`)" : ""
                Terminal.out(
                    events.isEmpty ? "client \(client) did not opt out: nothing to change\n" : "client \(client) gets the survey links again\(later)\n")
                return
            }
            let url = try session.app.directory.surveySettings().portalURL ?? ""
            Terminal.out(
                events.isEmpty
                    ? "the survey is on (links start with \(url)/portal/rate/): nothing to change\n" : "survey on: links start with \(url)/portal/rate/\n")
        }
    }
}

struct SurveyOff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "off", abstract: "Stop putting rating links in resolution mail (one client's, with --client).",
        discussion: """
            docket survey off                         # nobody gets the links
            docket survey off --client acme           # acme wants no surveys
            Links already mailed keep working until they expire.
            """)
    @OptionGroup var options: TicketWriteOptions
    @Option(help: "Opt this client out: its contacts get no rating links.") var client: String?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let session = try StoreAccess.open(options.store.path)
            let events = try session.app.directory.setSurvey(.off(client: client), as: options.actor.name, commandId: options.write.commandId)
            let whose = client.map { "the survey for client \($0)" } ?? "the survey"
            Terminal.out(events.isEmpty ? "\(whose): nothing to change (it is off)\n" : "\(whose) off\n")
        }
    }
}

struct SurveyShow: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show whether the survey is on, its URL and the clients that opted out.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    /// `--json`.
    struct View: Encodable {
        let on: Bool
        let portalURL: String?
        let optedOut: [String]
    }

    func run(in session: Session) throws {
        let settings = try session.app.directory.surveySettings()
        let optedOut = try session.app.directory.surveyOptOuts()
        if output.json { return try printJSON(View(on: settings.enabled, portalURL: settings.portalURL, optedOut: optedOut)) }
        var text =
            settings.enabled
            ? "the survey is on: resolution mail carries rating links starting with \(settings.portalURL ?? "")/portal/rate/\n"
            : "the survey is off; turn it on with `docket survey on --portal-url https://support.example.com`\n"
        if !optedOut.isEmpty { text += "clients that opted out: \(optedOut.joined(separator: ", "))\n" }
        Terminal.out(text)
    }
}
