import BusinessTime
import DocketApp
import DocketTime
import Domain
import Foundation

/// Times for people: written and read in a time zone, with the zone named (`2026-11-06 17:00 EST`).
/// `--json` output keeps RFC 3339 UTC; only text for people goes through here.
struct PeopleTime {
    /// The zone.
    let zone: WallTimeZone
    /// Whose zone it is, for the note that says how a time was read: "the client's", "this machine's".
    let whose: String
    /// The zone's standard and daylight-saving abbreviations (`EST`, `EDT`), when it has letters for them.
    private let names: ZoneAbbreviations?
    private let foundation: TimeZone?

    /// Times in `zone`, which is `whose` zone.
    init(zone: WallTimeZone, whose: String) {
        self.zone = zone
        self.whose = whose
        names = Self.utcAliases.contains(zone.identifier) ? ZoneAbbreviations(standard: "UTC") : ZoneAbbreviations(zone.identifier)
        foundation = TimeZone(identifier: zone.identifier)
    }

    /// Names of UTC (Foundation calls `TZ=UTC` "GMT"): shown as `UTC`.
    private static let utcAliases: Set<String> = [
        "UTC", "GMT", "UCT", "Universal", "Zulu", "Greenwich", "GMT0", "Etc/UTC", "Etc/GMT", "Etc/UCT", "Etc/Universal",
        "Etc/Zulu", "Etc/Greenwich", "Etc/GMT0",
    ]

    /// This machine's time zone (`$TZ`, else the system setting), UTC when it is unknown.
    static func machine() -> PeopleTime {
        let identifier = TimeZone.current.identifier
        return PeopleTime(zone: WallTimeZone(identifier) ?? .utc, whose: "this machine's")
    }

    /// The zone `login` set for themself (`docket user time-zone`), if any.
    static func own(_ login: String, in session: Session) -> PeopleTime? {
        guard let identifier = (try? session.app.directory.user(login))?.timeZone, let zone = WallTimeZone(identifier) else {
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

    /// `2026-11-06 17:00 EST`: the local date and time (seconds when not zero) and the zone's abbreviation
    /// at that instant (or its offset, `UTC-05:00`, where the zone has no letters for it).
    func text(_ instant: Timestamp) -> String {
        let iso = zone.reading(at: instant).iso8601
        let seconds = iso.dropFirst(17).prefix(2)
        let clock = seconds == "00" ? iso.prefix(16) : iso.prefix(19)
        return clock.replacingOccurrences(of: "T", with: " ") + " " + zoneName(at: instant)
    }

    /// An RFC 3339 time as ``text(_:)`` gives it; text that is not one is given back as it is.
    func text(iso8601: String) -> String {
        Timestamp(iso8601: iso8601).map(text) ?? iso8601
    }

    /// The zone's name at `instant`: its abbreviation (EST, CET, IST, UTC), or its offset (`UTC+04:00`) where
    /// the zone has no letters for it.
    func zoneName(at instant: Timestamp) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(instant.millisecondsSinceEpoch / 1000))
        let daylight = foundation?.isDaylightSavingTime(for: date) ?? false
        if let names, let name = daylight ? names.daylight : names.standard { return name }
        let offset = zone.offsetSeconds(at: instant)
        if offset == 0 { return "UTC" }
        let minutes = abs(offset) / 60
        return "UTC\(offset < 0 ? "-" : "+")\(String(format: "%02d:%02d", minutes / 60, minutes % 60))"
    }

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

/// A zone's current abbreviations, from the POSIX TZ string that ends its TZif file (RFC 8536, section 3.3):
/// `EST5EDT,M3.2.0,M11.1.0` names `EST` and `EDT`; `<+04>-4` has no letters (nil). Foundation on Linux only
/// gives `GMT-5`. They are the zone's present names, also used for past instants.
struct ZoneAbbreviations {
    let standard: String?
    let daylight: String?

    /// A zone with one name all year.
    init(standard: String) {
        self.standard = standard
        daylight = nil
    }

    init?(_ identifier: String) {
        let folder = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
        guard !identifier.contains(".."), let data = FileManager.default.contents(atPath: folder + "/" + identifier),
            data.count > 2, data.last == UInt8(ascii: "\n"),
            let start = data.dropLast().lastIndex(of: UInt8(ascii: "\n"))
        else { return nil }
        var rule = Substring(String(decoding: data[(start + 1)..<(data.count - 1)], as: UTF8.self))
        standard = Self.name(&rule)
        rule = rule.drop { "+-0123456789:".contains($0) }
        daylight = rule.isEmpty || rule.first == "," ? nil : Self.name(&rule)
        if standard == nil && daylight == nil { return nil }
    }

    /// Takes one abbreviation off the front of `rule`: letters, or `<…>` (kept only when it is letters).
    private static func name(_ rule: inout Substring) -> String? {
        if rule.first == "<" {
            let quoted = rule.dropFirst().prefix { $0 != ">" }
            rule = rule.dropFirst(quoted.count + 2)
            return quoted.allSatisfy(\.isLetter) && quoted.count >= 2 ? String(quoted) : nil
        }
        let letters = rule.prefix { $0.isLetter }
        rule = rule.dropFirst(letters.count)
        return letters.count >= 2 ? String(letters) : nil
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
