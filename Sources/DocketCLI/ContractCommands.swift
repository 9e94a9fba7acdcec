import ArgumentParser
import BusinessTime
import DocketTime
import DocketApp
import Domain
import Foundation

/// `docket contract …`: dated terms agreed with a client (billing and admin).
struct ContractGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract",
        abstract: "Create contracts, amend their terms from a date, end them, and see which terms were in force when.",
        discussion: """
            Terms never change in place: each amendment is a complete new version, in force from its --effective time. \
            An amendment copies what it leaves out from the version in force then: the SLA policy when --sla-policy is \
            not given; the billing terms when --terms is not given, and, for partial --terms (without "model"), every \
            field they do not give ("field": null removes one). --terms with a "model" replace the billing terms whole. \
            The SLA policy, its calendar and the after-hours calendar must exist. \
            An amendment may take effect before one recorded earlier; `contract show --at` names the version in force. \
            Times are RFC 3339 (2026-03-01T09:00:00Z) or a date (2026-03-01, midnight in the client's time zone).

            docket contract add acme-2026 --client acme --name "Managed services" \\
                --effective 2026-01-01 --sla-policy gold \\
                --terms '{"model": "hourly", "currency": "USD", "rates": {"*": 9500}}'
            docket contract amend acme-2026 --effective 2026-07-01 \\
                --terms '{"model": "hourly", "currency": "USD", "rates": {"*": 9900}}'
            Billing terms (hourly, block or retainer; rates in minor units per hour): docs/billing.md.
            docket contract show acme-2026 --at 2026-08-01
            docket contract end acme-2026 --effective 2027-01-01
            """,
        subcommands: [ContractAdd.self, ContractAmend.self, ContractEnd.self, ContractShow.self, ContractList.self])
}

/// Parses the `--terms` text, naming the flag and the fix when it is not usable. `partial` (amend) lets terms without
/// a `model` through: the decider completes them from the terms in force and checks the result.
private func parseTerms(_ text: String, partial: Bool = false) throws -> JSONValue {
    try BoundedInput.checkJSON(text.utf8, limit: InputLimits.jsonArgumentBytes, what: "--terms")
    let value: JSONValue
    do {
        value = try JSONValue.parse(text)
    } catch {
        let isSyntacticallyJSON =
            (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) != nil
        if isSyntacticallyJSON { throw CLIError.badInput("--terms: \(error.message)") }
        throw CLIError.badInput(
            "--terms is not valid JSON; write it in single quotes, e.g. --terms '{\"model\": \"hourly\", \"currency\": \"USD\", \"rates\": {\"*\": 9500}}'")
    }
    if partial, case .object(let fields) = value, fields["model"] == nil { return value }
    do {
        _ = try BillingTerms(value)
    } catch {
        throw CLIError.badInput("--terms: \(error.message)")
    }
    return value
}

/// A contract's `--effective`: a date alone means its midnight in the time zone of `client` (billing months are the
/// client's calendar months, so a contract from 1 October starts with the client's October), with a note for stderr
/// when that is not midnight UTC (``ReadInstant/announce()``, once the command succeeded); a time with an offset or `Z` means exactly that. Bounded to ``BillingDates``.
/// An unknown client keeps midnight UTC (the command then names the missing client or contract). `flag` names the
/// option in the note and in the range error (`contract show --at` reads its date the same way).
func effectiveInstant(
    _ effective: TimeArgument, client: String?, flag: String = "--effective", in session: Session
) throws -> ReadInstant {
    let zone = client.flatMap { try? session.app.directory.client($0).timeZone }
    let read = midnight(of: effective, inZone: zone, of: "client \(client ?? "")", flag: flag)
    return ReadInstant(instant: try BillingDates.check(read.instant, flag: flag, text: effective.text), note: read.note)
}

struct ContractAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create a contract for a client; its original terms are amendment 0.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The contract's id: 2 to 64 lower-case letters, digits and dashes, e.g. acme-2026.") var id: String
    @Option(help: "The client's code.") var client: String
    @Option(help: "The display name.") var name: String
    @Option(help: "When the original terms take effect (RFC 3339, or YYYY-MM-DD: midnight in the client's time zone).", transform: TimeArgument.parse) var effective: TimeArgument
    @Option(help: "The SLA policy the contract refers to (it must exist, with its calendar).") var slaPolicy: String?
    @Option(help: "The billing terms as JSON with whole numbers (amounts in minor units).") var terms: String?

    func run() throws {
        try reportingFailures(store: store.path) {
            let billingTerms = try terms.map { try parseTerms($0) }
            let session = try StoreAccess.open(store.path)
            let read = try effectiveInstant(effective, client: client, in: session)
            let effectiveFrom = read.instant
            let create = CreateContract(
                id: id, client: client, clientSnapshot: nil, name: name, effectiveFrom: effectiveFrom,
                slaPolicy: slaPolicy, billingTerms: billingTerms)
            // A refusal's instants in the client's zone, where its dates are read, as the confirmation gives them.
            let events = try timesWritten(by: contractTime(client, in: session).text(_:)) {
                try session.app.directory.createContract(create, as: actor.name, commandId: write.commandId)
            }
            read.announce()
            Terminal.out(
                events.isEmpty
                    ? "contract \(id): nothing to change\n"
                    : "added contract \(id) for \(client), in force from \(contractTime(client, in: session).text(effectiveFrom))\n")
        }
    }
}

struct ContractAmend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amend",
        abstract: "Add a version of the terms from --effective on; what you leave out is copied from the terms in force then.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The contract's id.") var id: String
    @Option(help: "When this version takes effect (RFC 3339, or YYYY-MM-DD: midnight in the client's zone); may be before earlier amendments.", transform: TimeArgument.parse)
    var effective: TimeArgument
    @Option(help: "The new SLA policy (it must exist).") var slaPolicy: String?
    @Option(
        help: """
            Billing terms as JSON with whole numbers. With "model": the whole new terms. Without: only the fields to \
            change, e.g. '{"taxRate": "8.875"}' ("field": null removes one); the rest is copied from the terms in force.
            """)
    var terms: String?

    func run() throws {
        try reportingFailures(store: store.path) {
            let billingTerms = try terms.map { try parseTerms($0, partial: true) }
            let session = try StoreAccess.open(store.path)
            let client = try? session.app.directory.contract(id).client
            let read = try effectiveInstant(effective, client: client, in: session)
            let effectiveFrom = read.instant
            // A refusal's instants (the contract's start or end) in the client's zone, as the confirmation gives them.
            let events = try timesWritten(by: contractTime(client ?? "", in: session).text(_:)) {
                try session.app.directory.contract(
                    id, .amend(effectiveFrom: effectiveFrom, slaPolicy: slaPolicy, billingTerms: billingTerms),
                    as: actor.name, commandId: write.commandId)
            }
            read.announce()
            let amendment = events.lazy.compactMap { event -> Int? in
                if case .amended(let amended) = event { amended.amendment } else { nil }
            }.first
            if let amendment {
                // In the client's zone, as `contract show` gives the same instant.
                let time = contractTime(client ?? "", in: session)
                Terminal.out("contract \(id): amendment \(amendment), in force from \(time.text(effectiveFrom))\n")
            } else {
                Terminal.out("contract \(id): nothing to change (these terms are already in force then)\n")
            }
        }
    }
}

struct ContractEnd: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "end", abstract: "End a contract: no terms are in force from --effective on; given again, move the end.",
        discussion: """
            A contract that has an end gets a new one, earlier or later (the old end stays in its history), unless a \
            final invoice billed a month between the two: void that invoice first. A draft priced before the end moved \
            (or was given), in the months the change reaches, cannot be finalized: discard it and run the period again.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The contract's id.") var id: String
    @Option(help: "The first instant without terms (RFC 3339, or YYYY-MM-DD: midnight in the client's time zone).", transform: TimeArgument.parse)
    var effective: TimeArgument

    func run(in session: Session) throws {
        let client = try? session.app.directory.contract(id).client
        let read = try effectiveInstant(effective, client: client, in: session)
        let effectiveFrom = read.instant
        // A refusal's instants (its start, the end it would move) in the client's zone, as the confirmation gives them.
        let events = try timesWritten(by: contractTime(client ?? "", in: session).text(_:)) {
            try session.app.billing.endContract(id, at: effectiveFrom, as: actor.name, commandId: write.commandId)
        }
        read.announce()
        guard case .ended(let ended)? = events.first else {
            Terminal.out("contract \(id): nothing to change\n")
            return
        }
        let time = contractTime(client ?? "", in: session)
        let moved = ended.previousEnd.map { " (moved from \(time.text($0)))" } ?? ""
        Terminal.out("contract \(id) ends at \(time.text(effectiveFrom))\(moved)\n")
    }
}

// MARK: - Reading

/// One version of the terms as `--json` prints it (absent values are `null`).
struct ContractVersionView: Encodable {
    let amendment: Int
    let effectiveFrom: String
    let slaPolicy: String?
    let terms: JSONValue?

    init(_ terms: ContractTerms) {
        amendment = terms.amendment
        effectiveFrom = terms.effectiveFrom.iso8601
        slaPolicy = terms.slaPolicy
        self.terms = terms.billingTerms
    }

    private enum CodingKeys: String, CodingKey { case amendment, effectiveFrom, slaPolicy, terms }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amendment, forKey: .amendment)
        try c.encode(effectiveFrom, forKey: .effectiveFrom)
        try c.encode(slaPolicy, forKey: .slaPolicy)
        try c.encode(terms, forKey: .terms)
    }
}

/// A contract and the terms in force at one instant, as `--json` prints it.
struct ContractView: Encodable {
    let id: String
    let client: String
    let name: String
    let startsAt: String?
    let endsAt: String?
    /// The instant `inForce` was looked up at.
    let at: String
    let inForce: ContractVersionView?
    let versions: [ContractVersionView]?

    init(_ state: ContractState, at instant: Timestamp, withHistory: Bool) {
        id = state.id ?? ""
        client = state.client
        name = state.name
        startsAt = state.startsAt?.iso8601
        endsAt = state.endsAt?.iso8601
        at = instant.iso8601
        inForce = state.terms(at: instant).map(ContractVersionView.init)
        versions = withHistory ? state.versions.map(ContractVersionView.init) : nil
    }

    private enum CodingKeys: String, CodingKey { case id, client, name, startsAt, endsAt, at, inForce, versions }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(client, forKey: .client)
        try c.encode(name, forKey: .name)
        try c.encode(startsAt, forKey: .startsAt)
        try c.encode(endsAt, forKey: .endsAt)
        try c.encode(at, forKey: .at)
        try c.encode(inForce, forKey: .inForce)
        try c.encodeIfPresent(versions, forKey: .versions)
    }
}

/// Why no terms are in force at `instant`, for people, with times in `time`'s zone (``contractTime(_:in:)``).
func noTermsReason(_ state: ContractState, at instant: Timestamp, time: PeopleTime) -> String {
    if let end = state.endsAt, instant >= end { return "the contract ended at \(time.text(end))" }
    if let start = state.startsAt, instant < start { return "the contract starts at \(time.text(start))" }
    return "the contract has no terms"
}

/// How a contract of `client` gives its instants to people: in the client's time zone (where `--effective` dates are
/// read and billing months fall), named: a New York client's contract from 1 January starts `2026-01-01 00:00 EST`,
/// which read `2026-01-01T05:00:00Z`. UTC for a client not found.
func contractTime(_ client: String, in session: Session) -> PeopleTime {
    let zone = (try? session.app.directory.client(client)).flatMap { WallTimeZone($0.timeZone) } ?? .utc
    return PeopleTime(zone: zone, whose: "client \(client)'s")
}

struct ContractShow: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a contract, the terms in force at a time (default: now) and every version of its terms.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The contract's id.") var id: String
    @Option(help: """
        Which instant to show the terms in force at (RFC 3339, or YYYY-MM-DD: midnight in the client's time zone, \
        like --effective; default: now).
        """, transform: TimeArgument.parse)
    var at: TimeArgument?

    func run(in session: Session) throws {
        let state = try session.app.directory.contract(id)
        let read = try at.map { try effectiveInstant($0, client: state.client, flag: "--at", in: session) }
        read?.announce()
        let instant = read?.instant ?? session.app.clock.now()
        let view = ContractView(state, at: instant, withHistory: true)
        if output.json {
            try printJSON(view)
            return
        }
        let time = contractTime(state.client, in: session)
        var text = "\(view.id)  \(view.name)\nclient \(view.client)"
        text += " · starts \(state.startsAt.map(time.text) ?? "—") · ends \(state.endsAt.map(time.text) ?? "—")\n\n"
        if let terms = state.terms(at: instant) {
            let which = terms.amendment == 0 ? "amendment 0 (the original terms)" : "amendment \(terms.amendment)"
            text += "in force at \(time.text(instant)): \(which), effective from \(time.text(terms.effectiveFrom))\n"
            text += "  sla policy \(terms.slaPolicy ?? "—")\n"
            text += "  terms      \(terms.billingTerms?.canonicalJSON ?? "—")\n"
        } else {
            text += "no terms in force at \(time.text(instant)): \(noTermsReason(state, at: instant, time: time))\n"
        }
        let current = state.terms(at: instant)?.amendment
        text += "\n" + Terminal.table(
            ["AMENDMENT", "IN FORCE", "EFFECTIVE FROM", "SLA POLICY", "TERMS"],
            state.versions.map {
                [String($0.amendment), $0.amendment == current ? "yes" : "", time.text($0.effectiveFrom),
                 $0.slaPolicy ?? "—", $0.billingTerms?.canonicalJSON ?? "—"]
            })
        Terminal.out(text)
    }
}

struct ContractList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List contracts by id, with the amendment in force now.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only this client's contracts.") var client: String?

    func run(in session: Session) throws {
        // An unknown client is a typo to report, not an empty list.
        if let client { _ = try session.app.directory.client(client) }
        let now = session.app.clock.now()
        let contracts = try session.app.directory.contracts(client: client).filter { $0.id != nil }
        if output.json {
            try printJSON(contracts.map { ContractView($0, at: now, withHistory: false) })
            return
        }
        var times: [String: PeopleTime] = [:]
        Terminal.out(Terminal.table(
            ["CONTRACT", "CLIENT", "NAME", "STARTS", "ENDS", "NOW"],
            contracts.map { state in
                let status = state.terms(at: now).map { "amendment \($0.amendment)" }
                    ?? (state.endsAt.map { now >= $0 } == true ? "ended" : "not started")
                let time = times[state.client] ?? contractTime(state.client, in: session)
                times[state.client] = time
                return [state.id ?? "", state.client, state.name.truncated(to: 40), state.startsAt.map(time.text) ?? "—",
                        state.endsAt.map(time.text) ?? "—", status]
            }))
    }
}
