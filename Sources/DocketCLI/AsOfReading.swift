import ArgumentParser
import DocketApp
import DocketServer
import Domain
import DocketTime

/// `--as-of TIME` on a read command: what it shows, as the store stood at that moment.
struct AsOfOptions: ParsableArguments {
    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "Show it as the store stood at this moment (billing, admins): RFC 3339, or a date or local time without a zone "
                + "(2026-10-31, \"2026-10-31 18:00\"), read in your time zone, else this machine's.", valueName: "time"),
        transform: MomentArgument.parse)
    var moment: MomentArgument?
}

/// A read command's store as of a moment (`--as-of`): a linked replay of the live store (`docket replay`: the read
/// models folded from the nearest month-end snapshot through the last event recorded at or before the moment, the
/// log read from the live store), opened on a clock fixed at the moment so views (SLA clocks, terms in force) are
/// computed then. Embedded, the replay is made in the live store's scratch folder (`<store>/snapshots/.as-of-PID`)
/// and removed when the command ends; inside the server it is the server's (``AsOfReplays``, kept for the next
/// request as `?asOf=` keeps it). Billing and admins only (``Action/readPast``), each reading what their role reads now.
enum AsOfReading {
    /// Runs `body` on `live` without a moment, else on `live` as of `moment`, for `actor`.
    @available(*, noasync, message: "replays the log")
    static func reading(_ moment: MomentArgument?, live: Session, actor: String, _ body: (Session) throws -> Void) throws {
        guard let moment else { return try body(live) }
        let (instant, _) = try position(moment, in: live.log, actor: actor)
        let app = try AsOfReplays.app(asOf: instant, live: live.app, actor: actor) { done, total in
            Terminal.progress("replaying", done, total)
        }
        let session = RefusalReader.noting(Session(app: app))
        if let invocation = ServedInvocation.current {
            // As `?asOf=` does: every store or clock the command asks for is the replay's.
            invocation.asOf = (instant, session)
            return try body(session)
        }
        defer { AsOfReplays.removeAll() }
        try body(session)
    }

    /// The instant `moment` names for `actor` (a time without a zone is theirs, with the note on stderr) and the last
    /// position recorded at or before it in `log`: refused unless `actor` is billing or an admin, on a replay (it shows one
    /// moment already), and when nothing was recorded by then.
    @available(*, noasync, message: "reads the log")
    static func position(_ moment: MomentArgument, in log: LogService, actor: String) throws -> (Timestamp, UInt64) {
        let time = PeopleTime.viewer(actor, in: log)
        if let shown = log.replayMoment {
            throw CLIError.usage("\(log.path) is a replay already, as of \(time.text(shown)); drop --as-of, or give the live store's --store")
        }
        try log.require(actor, mayPerform: .readPast, what: "read the store as of a moment (--as-of)", fix: AsOfReplays.fix)
        let instant = try moment.exact ?? {
            let read = try parseTime(moment.text, flag: "--as-of", in: time)
            read.announce()
            return read.instant
        }()
        let position = try log.position(atOrBefore: instant)
        guard position > 0 else {
            let first = try log.event(at: 1).map { "its first event was recorded at \(time.text($0.recordedAt))" }
            throw CLIError.notFound(
                "nothing was recorded at or before \(time.text(instant)) (\(first ?? "the store holds no events")); give a later --as-of")
        }
        return (instant, position)
    }
}
