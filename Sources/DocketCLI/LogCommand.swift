import ArgumentParser
import DocketApp

/// `docket log`: inspect the log.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show events: the whole log from a position, or one stream.",
        discussion: """
            docket log --limit 20                     # the first 20 events
            docket log --from 1500                    # events from position 1500 on
            docket log --stream ticket-T-1042         # one stream, oldest first; --backward
            docket log --until 2026-10-31T23:59:59Z   # only events recorded up to that time
            docket log --until "2026-10-31 18:00"     # up to 18:00 in your time zone
            docket log --until 2026-11-01             # up to that day's start, its midnight
            A time without a zone is read as replay --as-of reads it, with a note saying how. \
            The body of a portal sign-in mail (a live sign-in link) is shown to admins only; others see \
            "[sign-in link hidden]" in its place (docs/security.md). A cost rate's amount and currency \
            (user.cost-rate-set) are shown to billing and admins only; others see the event without them.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var actor: ActorOptions

    @Option(help: "Only this stream.") var stream: String?
    @Option(help: "Start at this position (or, with --stream, this stream version).") var from: UInt64?
    @Option(help: "At most this many events.") var limit: Int = 100
    @Option(
        help: ArgumentHelp(
            "Only events recorded at or before this time: RFC 3339, or a date or local time without a zone (2026-10-31, "
                + "\"2026-10-31 18:00\") read in your time zone (docket user time-zone), else this machine's; a date alone is "
                + "the start of that day, as replay --as-of reads it.", valueName: "time"))
    var until: String?
    @Flag(help: "With --stream: newest first.") var backward = false

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        if let stream, let problem = IdentifierCheck.problem(stream, "--stream") { throw ValidationError(problem) }
        if backward && stream == nil { throw ValidationError("--backward needs --stream") }
        if let until, Timestamp.typed(until) == nil, Timestamp.wallClockReading(until) == nil {
            throw ValidationError(
                "--until '\(until)' is not a time; write it like 2026-10-31T23:59:59Z, \"2026-10-31 18:00\" or 2026-11-01 (in your time zone)")
        }
    }

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let session = try StoreAccess.open(path)
            let store = session.log
            var events: [RecordedEvent]
            var lastAllowed = UInt64.max
            // A time without a zone is the viewer's, as `replay --as-of` reads it (a date: its midnight), with a note.
            let read = try until.map { text in
                if let exact = Timestamp.typed(text) { return ReadInstant(instant: exact, note: nil) }
                return try parseTime(text, flag: "--until", in: PeopleTime.viewer(actor.name, in: session))
            }
            if let read { lastAllowed = try store.position(atOrBefore: read.instant) }
            if let stream {
                events = try store.read(
                    stream: stream, from: from ?? (backward ? .max : 1), direction: backward ? .backward : .forward,
                    limit: limit)
                events.removeAll { $0.position > lastAllowed }
            } else {
                events = try store.read(from: from ?? 1, limit: limit).filter { $0.position <= lastAllowed }
            }
            // A known, active user reads the log (``ReadCommand``); only an admin reads a sign-in link in it, only
            // billing and admins what staff time costs.
            let reader = try session.app.context(for: actor.name).actor.role
            events = events.map { CostReaders.readable(SignInSecrets.readable($0, by: reader), by: reader) }
            if output.json {
                var previous: [UInt64: Digest] = [:]
                for event in events { previous[event.position] = event.hash }
                let lines = try events.map { event -> String in
                    let before = event.position == 1 ? Digest.zero : (try previous[event.position - 1] ?? store.event(at: event.position - 1)?.hash ?? .zero)
                    return NDJSONLine.encode(event, previous: before)
                }
                Terminal.out("[" + lines.joined(separator: ",\n") + "]\n")
            } else {
                // RECORDED AT in the viewer's zone, as every table gives times to people (`--json` keeps RFC 3339 UTC).
                let time = PeopleTime.viewer(actor.name, in: session)
                let rows = events.map { event in
                    [String(event.position), time.text(event.recordedAt), event.stream, String(event.streamVersion),
                     "\(event.type).v\(event.schemaVersion)", event.actor, event.payloadText.truncated(to: 60)]
                }
                Terminal.out(Terminal.table(["POS", "RECORDED AT", "STREAM", "VER", "TYPE", "ACTOR", "PAYLOAD"], rows))
            }
            read?.announce()
        }
    }
}

extension String {
    /// The string cut to `length` characters with an ellipsis.
    func truncated(to length: Int) -> String {
        count <= length ? self : String(prefix(length - 1)) + "…"
    }
}
