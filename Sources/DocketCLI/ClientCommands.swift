import ArgumentParser
import DocketApp
import Domain
import Foundation

/// `docket client …`: the MSP's customers and their contacts.
struct ClientGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Register clients, change their settings, and manage their contacts.",
        discussion: """
            docket client add acme --name "Acme Corp" --domain acme.example \\
                --time-zone Europe/Berlin --currency EUR
            docket client contact add acme --name "Jane Doe" --email jane@acme.example
                                                    # prints the contact id
            docket client show acme        docket client list --json
            docket client deactivate acme
            """,
        subcommands: [
            ClientAdd.self, ClientList.self, ClientShow.self, ClientUpdate.self, ClientDeactivate.self,
            ClientReactivate.self, ClientContactGroup.self,
        ])
}

/// Runs one client command for `code` and prints what happened.
private func change(
    _ code: String, _ command: ClientCommand, store: StoreOptions, actor: ActorOptions, write: WriteOptions, done: String
) throws {
    try reportingFailures(store: store.path) {
        let session = try StoreAccess.open(store.path)
        let events = try session.app.directory.client(code, command, as: actor.name, commandId: write.commandId)
        Terminal.out(events.isEmpty ? "client \(code): nothing to change\n" : "\(done)\n")
    }
}

struct ClientAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a client.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The client's code: 2 to 32 lower-case letters, digits and dashes, e.g. acme.") var code: String
    @Option(help: "The display name.") var name: String
    @Option(name: .customLong("domain"), help: "An e-mail domain whose mail belongs to this client (repeatable).")
    var domains: [String] = []
    @Option(help: "The client's IANA time zone, e.g. Europe/Berlin.") var timeZone: String
    @Option(help: "The ISO 4217 currency the client is billed in, e.g. EUR.") var currency: String

    func run() throws {
        let register = RegisterClient(code: code, name: name, domains: domains, timeZone: timeZone, currency: currency)
        try change(code, .register(register), store: store, actor: actor, write: write, done: "added client \(code) (\(name))")
    }
}

struct ClientUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a client's name, e-mail domains, time zone or billing details; what you leave out stays.",
        discussion: """
            --domain replaces the whole list of domains; repeat it to give several. --billing-address replaces the postal \
            address invoices are addressed to: give each line as its own --billing-address (or one value with line breaks); \
            --billing-address "" removes it, --tax-id "" the tax id. An invoice keeps the details it was finalized with. \
            --staff-note puts one line above each of the client's tickets for every member of staff (`ticket show`, \
            and a note on stderr when one opens, takes or logs time on one); the client never sees it:
              docket client update acme --staff-note "On credit hold: ask Bill first"
              docket client update acme --staff-note ""      (removes it)
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The client's code.") var code: String
    @Option(help: "The new display name.") var name: String?
    @Option(name: .customLong("domain"), help: "An e-mail domain (repeatable; replaces the current list).")
    var domains: [String] = []
    @Option(help: "The new IANA time zone.") var timeZone: String?
    @Option(
        name: .customLong("billing-address"),
        help: "A line of the postal address invoices are addressed to (repeatable, one per line; replaces the address; \"\" removes it).")
    var billingAddress: [String] = []
    @Option(help: "The client's tax (VAT) id, printed on its invoices (\"\" removes it).") var taxId: String?
    @Option(help: "One line staff see above each of the client's tickets, never the client (\"\" removes it).") var staffNote: String?

    func run() throws {
        // A value typed with line breaks ($'12 Rue X\n75001 Paris') is as many lines.
        let address = billingAddress.flatMap { $0.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init) }
        let command = ClientCommand.update(
            name: name, domains: domains.isEmpty ? nil : domains, timeZone: timeZone, billingAddress: billingAddress.isEmpty ? nil : address,
            taxId: taxId, staffNote: staffNote)
        try change(code, command, store: store, actor: actor, write: write, done: "updated client \(code)")
    }
}

struct ClientDeactivate: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate", abstract: "Stop opening tickets and contracts for a client that leaves; its history stays.",
        discussion: """
            Refused while the client has open tickets (their SLA clocks would keep running: close or merge them first, \
            or keep them open on purpose with --keep-open-tickets) or a contract with no end (invoice runs would keep \
            billing one with billing terms; an SLA-only one would keep its SLA terms in force): --end-contracts DATE \
            ends each such contract at DATE with the deactivation, in one transaction (billing or admin, as `docket \
            contract end`). Its time can still be invoiced.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The client's code.") var code: String
    @Option(help: "End every contract of the client that has no end at this instant (RFC 3339, or YYYY-MM-DD: midnight in the client's time zone).", transform: TimeArgument.parse)
    var endContracts: TimeArgument?
    @Flag(help: "Deactivate it with tickets still open: they stay open, with their SLA clocks, until closed or merged.")
    var keepOpenTickets = false

    func run(in session: Session) throws {
        let read = try endContracts.map { try effectiveInstant($0, client: code, flag: "--end-contracts", in: session) }
        // In the client's zone, where its contracts' dates are read: a contract that starts after DATE is refused naming
        // its start so, as the confirmation gives the end.
        let time = contractTime(code, in: session)
        let (events, ended, open) = try timesWritten(by: time.text(_:)) {
            try session.app.directory.deactivateClient(
                code, endContractsAt: read?.instant, keepOpenTickets: keepOpenTickets, as: actor.name, commandId: write.commandId)
        }
        read?.announce()
        guard !events.isEmpty else {
            Terminal.out("client \(code): nothing to change\n")
            return
        }
        var text = "deactivated client \(code)\n"
        for id in ended { text += "contract \(id) ends at \(read.map { time.text($0.instant) } ?? "")\n" }
        Terminal.out(text)
        if !open.isEmpty {
            let named = open.prefix(ClientOffboarding.ticketsNamed).joined(separator: ", ") + (open.count > ClientOffboarding.ticketsNamed ? ", …" : "")
            let (they, stay, them) = open.count == 1 ? ("it", "stays open and keeps its", "it") : ("they", "stay open and keep their", "them")
            Terminal.error(
                "docket: note: client \(code) has \(open.count) open ticket\(open.count == 1 ? "" : "s") (\(named)); \(they) \(stay) SLA clocks: "
                    + "close or merge \(them) (`docket queue --client \(code)`)")
        }
    }
}

struct ClientReactivate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reactivate", abstract: "Undo a client's deactivation.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The client's code.") var code: String

    func run() throws {
        try change(code, .reactivate, store: store, actor: actor, write: write, done: "reactivated client \(code)")
    }
}

// MARK: - Contacts

/// `docket client contact …`: the people at a client who raise tickets.
struct ClientContactGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Add, update and remove a client's contacts (see their ids with `docket client show`).",
        subcommands: [ClientContactAdd.self, ClientContactUpdate.self, ClientContactRemove.self])
}

struct ClientContactAdd: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a contact; prints its id (<code>-1, <code>-2, … unless --id is given).",
        discussion: """
            A retry with the same --command-id adds nothing and prints the id of the contact the first attempt added; \
            without one, a second contact with the same e-mail is refused.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The client's code.") var code: String
    @Option(help: "The contact's name.") var name: String
    @Option(help: "The contact's e-mail address (unique within the client).") var email: String
    @Option(help: "The contact's phone number.") var phone: String?
    @Option(help: "Use this contact id instead of the next free one.") var id: String?
    @Flag(help: "A billing contact: sees the client's invoices and credit notes in the portal.") var billing = false

    func run(in session: Session) throws {
        let details = ContactDetails(name: name, email: email, phone: phone, billing: billing ? true : nil)
        let contactId = try session.app.directory.addContact(to: code, details, id: id, as: actor.name, commandId: write.commandId)
        Terminal.out("\(contactId)\n")
    }
}

struct ClientContactUpdate: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Replace a contact's name and e-mail; the phone stays unless --phone is given.",
        discussion: """
            --phone "" removes the phone number. --billing makes the contact a billing contact (sees the client's \
            invoices and credit notes in the portal), --no-billing makes them an ordinary contact; without either it \
            stays as it is.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The client's code.") var code: String
    @Argument(help: "The contact's id.") var id: String
    @Option(help: "The contact's name.") var name: String
    @Option(help: "The contact's e-mail address.") var email: String
    @Option(help: "The contact's phone number (\"\" removes it).") var phone: String?
    @Flag(help: "Make the contact a billing contact (unchanged when neither this nor --no-billing is given).") var billing = false
    @Flag(help: "Make the contact no longer a billing contact.") var noBilling = false

    func run(in session: Session) throws {
        // Leaving --phone or --billing out keeps what the contact has rather than silently erasing it.
        let current = try session.app.directory.client(code).contacts[id]
        let keptPhone = phone ?? current?.phone
        let isBilling = try eitherFlag(billing, "--billing", or: noBilling, "--no-billing") ?? current?.isBilling ?? false
        let details = ContactDetails(name: name, email: email, phone: keptPhone, billing: isBilling ? true : nil)
        let events = try session.app.directory.client(
            code, .updateContact(id: id, details), as: actor.name, commandId: write.commandId)
        Terminal.out(events.isEmpty ? "contact \(id): nothing to change\n" : "updated contact \(id) of client \(code)\n")
    }
}

struct ClientContactRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a contact; their tickets keep the id.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The client's code.") var code: String
    @Argument(help: "The contact's id.") var id: String

    func run() throws {
        try change(code, .removeContact(id: id), store: store, actor: actor, write: write, done: "removed contact \(id) of client \(code)")
    }
}

// MARK: - Reading

/// A client as `--json` prints it.
struct ClientView: Encodable {
    struct Contact: Encodable {
        let id: String
        let name: String
        let email: String
        let phone: String?
        /// A billing contact: sees the client's invoices in the portal.
        let billing: Bool
        /// True for a contact Docket made from a sender's mail that staff have not confirmed (the portal refuses them
        /// until `client contact update`); absent otherwise.
        let unverified: Bool?
    }
    let code: String
    let name: String
    let active: Bool
    let domains: [String]
    let timeZone: String
    let currency: String
    /// The postal address its invoices are addressed to, one line each; absent when none was given.
    let billingAddress: [String]?
    /// Its tax (VAT) id, printed on its invoices; absent when none was given.
    let taxId: String?
    /// The note staff see on each of its tickets (`client update --staff-note`); absent when none.
    let staffNote: String?
    let contacts: [Contact]
    /// `client show`'s: the client's contracts, each with the terms in force now (`contract list --json`'s rows).
    var contracts: [ContractView]?
    /// `client show`'s: how many of the client's tickets are open (`docket queue --client`).
    var openTickets: Int?

    init?(_ state: ClientState) {
        guard let code = state.code else { return nil }
        self.code = code
        name = state.name
        active = state.isActive
        domains = state.domains
        timeZone = state.timeZone
        currency = state.currency
        billingAddress = state.billingAddress.isEmpty ? nil : state.billingAddress
        taxId = state.taxId
        staffNote = state.staffNote
        // Numeric order, so that acme-10 follows acme-9.
        contacts = state.contacts
            .map {
                Contact(
                    id: $0.key, name: $0.value.name, email: $0.value.email, phone: $0.value.phone, billing: $0.value.isBilling,
                    unverified: $0.value.unverified == true ? true : nil)
            }
            .sorted { $0.id.compare($1.id, options: .numeric) == .orderedAscending }
    }
}

struct ClientList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List every client, active or not, by code.",
        discussion: "--active lists the current clients only, --former the deactivated ones.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Flag(help: "Only active clients.") var active = false
    @Flag(help: "Only deactivated (former) clients.") var former = false

    func validate() throws {
        if active && former { throw ValidationError("use one of --active and --former") }
    }

    func run(in session: Session) throws {
        let clients = try session.app.directory.clients().compactMap(ClientView.init).filter { !(active && !$0.active) && !(former && $0.active) }
        if output.json {
            try printJSON(clients)
            return
        }
        Terminal.out(Terminal.table(
            ["CODE", "NAME", "ACTIVE", "TIME ZONE", "CURRENCY", "CONTACTS", "DOMAINS"],
            clients.map {
                [$0.code, $0.name, $0.active ? "yes" : "no", $0.timeZone, $0.currency, String($0.contacts.count),
                 $0.domains.isEmpty ? "—" : $0.domains.joined(separator: ", ")]
            }))
    }
}

struct ClientShow: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a client at a glance: settings, contracts and the terms in force now, open tickets, and contacts (with their ids).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The client's code.") var code: String

    func run(in session: Session) throws {
        guard var client = ClientView(try session.app.directory.client(code)) else {
            throw CLIError.notFound("unknown client \(code); list clients with `docket client list`")
        }
        let now = session.app.clock.now()
        let contracts = try session.app.directory.contracts(client: client.code).filter { $0.id != nil }
        client.contracts = contracts.map { ContractView($0, at: now, withHistory: false) }
        client.openTickets = try session.app.tickets.queue(QueueFilter(client: client.code), limit: Int.max).count
        if output.json {
            try printJSON(client)
            return
        }
        var text = "\(client.code)  \(client.name)\(client.active ? "" : " (deactivated)")\n"
        text += "time zone \(client.timeZone) · currency \(client.currency)"
        text += " · domains \(client.domains.isEmpty ? "—" : client.domains.joined(separator: ", "))\n"
        text += "billing address \(client.billingAddress?.joined(separator: ", ") ?? "—") · tax id \(client.taxId ?? "—")\n"
        if let note = client.staffNote { text += "staff note: \(note)\n" }
        let time = contractTime(client.code, in: session)
        if contracts.isEmpty {
            text += "contracts: none; add one with `docket contract add ID --client \(client.code) --name … --effective …`\n"
        }
        for contract in contracts {
            let id = contract.id ?? ""
            if let terms = contract.terms(at: now) {
                text += "contract \(id) (\(contract.name)): amendment \(terms.amendment) in force, SLA policy \(terms.slaPolicy ?? "—"), "
                text += terms.billingTerms == nil ? "no billing terms" : "billing terms (`docket contract show \(id)`)"
                text += contract.endsAt.map { ", ends \(time.text($0))" } ?? ""
                text += "\n"
            } else {
                text += "contract \(id) (\(contract.name)): not in force: \(noTermsReason(contract, at: now, time: time))\n"
            }
        }
        text += "open tickets: \(client.openTickets ?? 0)\((client.openTickets ?? 0) > 0 ? " (`docket queue --client \(client.code)`)" : "")\n\n"
        if client.contacts.isEmpty {
            text += "no contacts; add one with `docket client contact add \(client.code) --name … --email …`\n"
        } else {
            text += Terminal.table(
                ["ID", "NAME", "EMAIL", "PHONE", "BILLING"],
                client.contacts.map {
                    [$0.id, $0.name + ($0.unverified == true ? " (unverified)" : ""), $0.email, $0.phone ?? "—", $0.billing ? "yes" : "—"]
                })
            if client.contacts.contains(where: { $0.unverified == true }) {
                text += "(unverified: made from their mail, not confirmed; the portal refuses them until "
                    + "`docket client contact update \(client.code) ID --name … --email …`)\n"
            }
        }
        Terminal.out(text)
    }
}
