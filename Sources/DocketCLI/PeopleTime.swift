import ArgumentParser
import BusinessTime
import DocketApp
import DocketTime
import Domain
import Foundation

/// Times for people: written and read in a time zone, with the zone named (`2026-11-06 17:00 EST`).
/// `--json` output keeps RFC 3339 UTC; only text for people goes through here.
struct PeopleTime {
    /// The zone.
    var zone: WallTimeZone { local.zone }
    /// Whose zone it is, for the note that says how a time was read: "the client's", "this machine's".
    let whose: String
    /// How instants are written in the zone.
    private let local: ZoneText

    /// Times in `zone`, which is `whose` zone.
    init(zone: WallTimeZone, whose: String) {
        self.whose = whose
        local = ZoneText(zone: zone)
    }

    /// This machine's time zone (`$TZ`, else the system setting), UTC when it is unknown.
    static func machine() -> PeopleTime {
        let identifier = TimeZone.current.identifier
        return PeopleTime(zone: WallTimeZone(identifier) ?? .utc, whose: "this machine's")
    }

    /// The zone `login` set for themself (`docket user time-zone`), if any: the one they have now, on a replay too.
    static func own(_ login: String, in session: Session) -> PeopleTime? {
        guard let identifier = (try? session.app.reader(login))?.timeZone, let zone = WallTimeZone(identifier) else {
            return nil
        }
        return PeopleTime(zone: zone, whose: "user \(login)'s")
    }

    /// The viewer's time zone: their own, else this machine's.
    static func viewer(_ login: String, in session: Session) -> PeopleTime {
        own(login, in: session) ?? machine()
    }

    /// The viewer's time zone, for a command that opens only the log (`replay`): their own, else this machine's.
    static func viewer(_ login: String, in log: LogService) -> PeopleTime {
        guard let identifier = log.timeZone(of: login), let zone = WallTimeZone(identifier) else { return machine() }
        return PeopleTime(zone: zone, whose: "user \(login)'s")
    }

    /// `2026-11-06 17:00 EST` (``ZoneText/text(_:)``).
    func text(_ instant: Timestamp) -> String { local.text(instant) }

    /// An RFC 3339 time as ``text(_:)`` gives it; text that is not one is given back as it is.
    func text(iso8601: String) -> String { local.text(iso8601: iso8601) }

    /// A time typed by a person: with an offset or `Z` (RFC 3339) it means exactly that; without one
    /// (`2026-11-04 18:20`, `2026-11-04T18:20:30`, or a date `2026-11-04` meaning its midnight) it is read in this
    /// zone, with a note saying how it was read, for the command to print once it succeeded
    /// (``ReadInstant/announce()``). Nil when `text` is not a time.
    func parse(_ text: String, flag: String) -> ReadInstant? {
        if let exact = Timestamp.typed(text) { return ReadInstant(instant: exact, note: nil) }
        guard let reading = Timestamp.wallClockReading(text) else { return nil }
        let instant = zone.instant(reading: reading)
        return ReadInstant(
            instant: instant, note: "\(flag) \"\(text)\" read as \(self.text(instant)) (\(whose) time zone, \(zone.identifier)) = \(instant.iso8601)")
    }
}

/// Runs `body`; a refusal that names instants (`DomainError(code, timed:)`: a timer's start, "after now") names them
/// in `login`'s zone (``PeopleTime/viewer(_:in:)``), as the rest of the CLI's text does, instead of RFC 3339 UTC.
/// The zone is looked up only for such a refusal.
func inViewersZone<Result>(_ login: String, in session: Session, _ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch let refusal as DomainError {
        let time = PeopleTime.viewer(login, in: session)
        throw refusal.timesWritten { time.text($0) }
    }
}

/// Runs `body`; a refusal that names instants (the log's too) names them as `write` writes them: in the zone where its
/// object's dates are read (a contract's client's, a calendar's own, an SLA policy's calendar's), where that is not the
/// viewer's (``inViewersZone(_:in:_:)``), or the viewer's where the refusal reader has no session (``RefusalReader``).
@discardableResult
func timesWritten<Result>(by write: (Timestamp) -> String, _ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch {
        throw ApplicationFailure.timesWritten(error, write)
    }
}

/// Who reads a command's refusal: the store the command opened (``StoreAccess``) and the user it acts as
/// (``ActorOptions/name``, given when the command starts: ``reading(_:)``), so that a refusal naming instants (`DomainError(code, timed:)`: a reused
/// command id's first use, …) that reaches ``reportingFailures(store:_:)`` names them in that user's zone
/// (``PeopleTime/viewer(_:in:)``), whichever command and layer refused, as read commands' refusals do
/// (``inViewersZone(_:in:_:)``). Without a store or a user (a refusal before either was known) it stays RFC 3339 UTC.
final class RefusalReader: @unchecked Sendable {
    // @unchecked Sendable: one command's, bound task-locally to the thread that runs it and touched only there.
    @TaskLocal static var current: RefusalReader?

    /// The store the command opened.
    var session: Session?
    /// The user it acts as.
    let login: String?

    /// A reader for a command acting as `login` (nil: none, such as `stats` or `restore`).
    init(login: String? = nil) { self.login = login }

    /// The reader of `command`'s refusals: the user its `--as` options (``ActorOptions``) name, found among its
    /// options by reflection, as ArgumentParser finds them (whatever the command calls them, `actor` or
    /// `actorOptions`, and inside shared option groups such as `TicketWriteOptions`).
    static func reading(_ command: any ParsableCommand) -> RefusalReader {
        RefusalReader(login: actorOptions(in: command)?.name)
    }

    /// The ``ActorOptions`` among `options` and the option groups they hold, depth first.
    private static func actorOptions(in options: Any) -> ActorOptions? {
        if let actor = options as? ActorOptions { return actor }
        return Mirror(reflecting: options).children.lazy.compactMap { child in
            (child.value as? any ReflectedOptionGroup).flatMap { actorOptions(in: $0.options) }
        }.first
    }

    /// `session`, noted as the store of the command running (if any).
    static func noting(_ session: Session) -> Session {
        current?.session = session
        return session
    }

    /// `error` with the instants a refusal (or the log's, such as a write to a replay) names written in the reader's
    /// zone; any other error as it is.
    func written(_ error: any Error) -> any Error {
        guard let session, let login else { return error }
        // The zone is looked up only for a refusal that names instants.
        return ApplicationFailure.timesWritten(error) { PeopleTime.viewer(login, in: session).text($0) }
    }
}

/// An `@OptionGroup` of any options, for ``RefusalReader/reading(_:)`` to look inside.
private protocol ReflectedOptionGroup {
    var options: Any { get }
}

extension OptionGroup: ReflectedOptionGroup {
    fileprivate var options: Any { wrappedValue }
}
