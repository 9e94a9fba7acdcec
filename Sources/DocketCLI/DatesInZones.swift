import BusinessTime
import DocketApp
import DocketTime
import Domain

/// An instant read from a typed date, and the note saying how it was read (nil when it means what was typed). The
/// command prints the note with ``announce()`` once it has succeeded: a refused command prints only its error (the
/// note came first, a second line on stderr before the error).
struct ReadInstant {
    let instant: Timestamp
    let note: String?

    /// Prints the note, if any, on stderr.
    func announce() {
        if let note { Terminal.error(note) }
    }
}

/// A date typed alone for an instant (`--effective 2026-01-01`, `--at 2026-12-24`) means its midnight where the thing
/// it dates keeps its days: a contract's client, a calendar's own time zone, an SLA policy's calendar. `TimeArgument`
/// reads it as midnight UTC; this moves it to midnight in the zone `identifier`, with a note when the two differ
/// (`--effective 2026-01-01 read as midnight in calendar ny-office's time zone, America/New_York = …`). A time with an
/// offset or `Z`, a zone that is nil or unknown, and a date outside ``BillingDates`` (a typo the command then refuses,
/// naming the date as typed) keep the instant as typed.
func midnight(of typed: TimeArgument, inZone identifier: String?, of owner: String, flag: String) -> ReadInstant {
    guard typed.isDateOnly, BillingDates.contains(typed.timestamp), let identifier, let zone = WallTimeZone(identifier) else {
        return ReadInstant(instant: typed.timestamp, note: nil)
    }
    let instant = zone.instant(reading: typed.timestamp)
    guard instant != typed.timestamp else { return ReadInstant(instant: instant, note: nil) }
    return ReadInstant(instant: instant, note: "\(flag) \(typed.text) read as midnight in \(owner)'s time zone, \(identifier) = \(instant.iso8601)")
}

/// ``midnight(of:inZone:of:flag:)`` for a date that is recorded (a calendar's or an SLA policy's `--effective`): one
/// outside ``BillingDates`` is refused (exit 65) naming `flag` and the date as typed (`--effective 0026-01-01 is out of
/// range`), as a contract's is, not the instant the decider would name (`0026-01-01T00:00:00.000Z`).
func effectiveMidnight(of typed: TimeArgument, inZone identifier: String?, of owner: String, flag: String) throws -> ReadInstant {
    let read = midnight(of: typed, inZone: identifier, of: owner, flag: flag)
    return ReadInstant(instant: try BillingDates.check(read.instant, flag: flag, text: typed.text), note: read.note)
}

/// The time zone of calendar `id` about `instant`: the version in force then, else its first version (a date before
/// the calendar starts); nil for a calendar that is not there (the command then names it).
func calendarZone(_ id: String, near instant: Timestamp, in session: Session) -> String? {
    guard let state = CalendarState.builtIn(id) ?? (try? session.app.directory.calendar(id)) else { return nil }
    return (state.calendar(at: instant)?.calendar ?? state.versions.first?.calendar)?.timeZoneIdentifier
}

/// The calendar an SLA policy counts on about `instant` (the version in force then, else its first), for reading
/// `sla-policy show --at` with a date alone; nil for a policy that is not there.
func policyCalendar(_ id: String, near instant: Timestamp, in session: Session) -> String? {
    guard let state = try? session.app.directory.slaPolicy(id) else { return nil }
    return (state.terms(at: instant)?.terms ?? state.versions.first?.terms)?.calendar
}

/// How a calendar's instants, an SLA policy's (in its calendar's) and a cost rate's (in its user's) are given to
/// people: in the zone `identifier` where their dates are read (``midnight(of:inZone:of:flag:)``), named: a New York
/// calendar from 1 January starts `2026-01-01 00:00 EST`, which read `2026-01-01T05:00:00.000Z`. UTC for a zone that
/// is nil or unknown.
func calendarTime(_ identifier: String?) -> ZoneText {
    ZoneText(zone: identifier.flatMap { WallTimeZone($0) } ?? .utc)
}
