import AlertIntake
import ArgumentParser
import DocketApp
import Foundation

/// `docket intake …`: where mail servers, monitoring and RMMs hand work to Docket.
struct IntakeGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Take email and monitoring alerts from other systems and turn them into tickets.",
        subcommands: [IntakeAlert.self, IntakeEmail.self, IntakeLMTP.self])
}

extension AlertFormat: ExpressibleByArgument {}

/// `docket intake alert --format alertmanager < payload.json`.
struct IntakeAlert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Read one delivery of monitoring alerts from stdin and open, update or resolve tickets.",
        discussion: """
            Each alert is decided by its own status and fingerprint (a group may arrive "firing" while some \
            of its alerts are resolved):
              firing, no open ticket         → a new ticket (source alert), its priority
                                               from the severity
              firing, its ticket is open     → an occurrence on that ticket (no new ticket)
              firing, resolved < flap window → its ticket is reopened (flapping)
              resolved                       → a note on its ticket, which is closed as
                                               auto-resolved
              resolved, never seen           → dropped (counted)
            Formats: alertmanager (Prometheus Alertmanager webhook v4), generic (schemas/alert-generic.schema.json). \
            The client comes from the alert (client/customer/tenant/cluster label, or the generic "client" \
            field), else --default-client. Prints one line per alert.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @Option(help: "alertmanager or generic.") var format: AlertFormat
    @Option(help: "The client for alerts that name no known client.") var defaultClient: String?
    @Option(help: "Hours after a resolution within which a new firing reopens the same ticket.") var flapHours: Int = 24
    @Flag(help: "Do not close tickets when their alert resolves.") var noAutoClose = false

    /// The longest flap window taken: a century, far inside what milliseconds in an `Int64` can count.
    static let maxFlapHours = 876_000

    func validate() throws {
        guard (0...Self.maxFlapHours).contains(flapHours) else {
            throw ValidationError("--flap-hours must be 0 to \(Self.maxFlapHours) (100 years); \(flapHours) is out of range")
        }
    }

    func run() throws {
        try reportingFailures(store: store.path) {
            let input = Array(try BoundedInput.standardInput(limit: InputLimits.alertPayloadBytes, what: "the alert payload"))
            try BoundedInput.checkJSON(input, limit: InputLimits.alertPayloadBytes, what: "the alert payload")
            let batch: AlertBatch
            do {
                batch = try AlertParser.parse(input, format: format)
            } catch let error as AlertParseError {
                throw CLIError.badInput(error.message)
            }
            let session = try StoreAccess.open(store.path)
            var policy = AlertPolicy(defaultClient: defaultClient)
            policy.flapWindowMilliseconds = Int64(flapHours) * 3_600_000
            policy.autoClose = !noAutoClose
            let outcomes = try session.app.intake.receiveAlerts(batch, policy: policy, as: actor.name)
            let time = PeopleTime.viewer(actor.name, in: session)
            for (alert, outcome) in zip(batch.alerts, outcomes) {
                Terminal.out("\(alert.fingerprint) \(alert.status.rawValue): \(describe(outcome, time: time))\n")
            }
            if let warning = batch.truncationWarning { Terminal.error("docket: warning: \(warning)") }
            for (alert, outcome) in zip(batch.alerts, outcomes) {
                if let warning = outcome.warning(for: alert, defaultClient: defaultClient) { Terminal.error("docket: warning: \(warning)") }
            }
        }
    }

    private func describe(_ outcome: AlertOutcome, time: PeopleTime) -> String {
        switch outcome {
        case .opened(let number): "opened \(number)"
        case .openedForFormerClient(let number, let former): "opened \(number) on the default client (client \(former) is deactivated)"
        case .occurrence(let number): "occurrence on \(number)"
        case .reopened(let number): "reopened \(number) (flapping)"
        case .reopenedStillFiring(let number): "reopened \(number) (still firing: it has not cleared since it was closed)"
        case .autoResolved(let number): "noted on \(number), closed as auto-resolved"
        case .noted(let number): "noted on \(number)"
        case .leftOpen(let number): "noted on \(number), left open: someone works it (assigned, time logged or tickets linked under it) and closes it"
        case .silenced(let number, let until): "noted on \(number), still closed: its close silenced the alert until \(time.text(until))"
        case .dropped: "dropped (no ticket for this alert)"
        case .stale(let number): "stale: it began before its resolution on \(number) (a late or repeated delivery); nothing written"
        }
    }
}
