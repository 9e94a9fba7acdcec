import ArgumentParser
import BusinessTime
import DocketApp
import Domain
import Foundation

/// Decodes a YAML or JSON file into `T`, naming the flag and the problem when it does not fit.
/// Keys that `keys` does not list are refused, naming the key and the file.
func decodeFile<T: Decodable>(_ type: T.Type, path: String, flag: String, keys: FileKeys) throws -> T {
    let data = try StructuredFile.jsonBytes(path, flag: flag)
    try keys.check(data, path: path, flag: flag)
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let error as BusinessCalendarError {
        throw CLIError.badInput("\(flag) \(path): \(error.message)")
    } catch let error as DomainError {
        throw CLIError.badInput("\(flag) \(path): \(error.message)")
    } catch let DecodingError.keyNotFound(key, context) {
        let field = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
        throw CLIError.badInput("\(flag) \(path): the field '\(field)' is missing")
    } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
        throw CLIError.badInput("\(flag) \(path): \(FileValueProblem(data, at: context.codingPath).badValue(context.debugDescription))")
    } catch let DecodingError.dataCorrupted(context) {
        // JSONDecoder reports a fraction where a whole number goes as invalid JSON, without its place.
        if let fraction = FileValueProblem.firstFraction(in: data) {
            throw CLIError.badInput("\(flag) \(path): \(fraction.wrongKind(Int.self))")
        }
        throw CLIError.badInput("\(flag) \(path): \(context.debugDescription)")
    } catch let DecodingError.typeMismatch(expected, context) {
        throw CLIError.badInput("\(flag) \(path): \(FileValueProblem(data, at: context.codingPath).wrongKind(expected))")
    } catch {
        throw CLIError.badInput("\(flag) \(path): \(error)")
    }
}

/// Runs `body` with `input` (what the command read from its file or stdin) counted in the request its command id was
/// given for (``RequestFingerprint/including(input:)``), encoded with sorted keys, so the same content written another
/// way is the same request: retried with the same id after the file changed, the command is refused (exit 65), not
/// answered as done while nothing it asked for is recorded.
@discardableResult
func countingInput<Input: Encodable, Result>(_ input: Input, _ body: () throws -> Result) throws -> Result {
    guard let asked = RequestFingerprint.current else { return try body() }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try RequestFingerprint.$current.withValue(asked.including(input: try encoder.encode(input)), operation: body)
}

/// A value of an operator's file that the decoder refused, said in one line with its key, the value as written and
/// what is allowed there (not the decoder's own text: "Cannot initialize Priority from invalid String value P5").
struct FileValueProblem {
    /// Where it is: `targets.P1.responseMinutes`, `escalations.0.priorities.0`.
    let place: String
    /// The value as JSON (`60.5`, `"P5"`), nil when it cannot be found.
    let value: String?

    init(_ data: Data, at codingPath: [any CodingKey]) {
        place = codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        var found = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        for key in codingPath {
            if let index = key.intValue, let list = found as? [Any] {
                found = list.indices.contains(index) ? list[index] : nil
            } else {
                found = (found as? [String: Any])?[key.stringValue]
            }
        }
        value = found.flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed, .sortedKeys]) }
            .map { String(decoding: $0, as: UTF8.self) }
    }

    private init(place: String, value: String?) {
        self.place = place
        self.value = value
    }

    /// The first number with a fractional part in `data` (JSON), in key order: nothing in a calendar or policy file
    /// may have one.
    static func firstFraction(in data: Data) -> FileValueProblem? {
        func search(_ value: Any, _ place: [String]) -> FileValueProblem? {
            switch value {
            case let map as [String: Any]:
                return map.keys.sorted().lazy.compactMap { search(map[$0] as Any, place + [$0]) }.first
            case let list as [Any]:
                return list.indices.lazy.compactMap { search(list[$0], place + [String($0)]) }.first
            case let number as Double where number.rounded() != number:
                return FileValueProblem(place: place.joined(separator: "."), value: "\(number)")
            default:
                return nil
            }
        }
        return (try? JSONSerialization.jsonObject(with: data)).flatMap { search($0, []) }
    }

    private var subject: String { "'\(place)'" + (value.map { " is \($0)" } ?? "") }

    /// A value of the wrong kind: a fraction where whole minutes go, a string where a list goes.
    func wrongKind(_ expected: Any.Type) -> String {
        let kind: String
        switch expected {
        case is Int.Type, is Int64.Type: kind = "a whole number"
        case is Double.Type: kind = "a number"
        case is String.Type: kind = "a string"
        case is Bool.Type: kind = "true or false"
        case is [Any].Type: kind = "a list, e.g. [a, b]"
        case is [String: Any].Type: kind = "a mapping, e.g. {key: value}"
        default: kind = "\(expected)"
        }
        return "\(subject); it must be \(kind)"
    }

    /// A value of the right kind that is not allowed there; `decoderText` is the decoder's reason.
    func badValue(_ decoderText: String) -> String {
        if decoderText.hasPrefix("Cannot initialize Priority") { return "\(subject); use P1, P2, P3 or P4" }
        if decoderText.hasPrefix("Parsed JSON number") { return "\(subject); it must be a whole number" }
        if decoderText.hasPrefix("Cannot initialize") { return "\(subject); that value is not allowed there" }
        return "'\(place)': \(decoderText)"
    }
}

/// `docket calendar …`: business-hours calendars, versioned by effective date.
struct CalendarGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Define business-hours calendars (versioned by effective date) for SLA policies.",
        discussion: """
            A calendar file (YAML or JSON):
              timeZone: America/New_York
              weeklyHours:
                mon: [{open: "09:00", close: "17:00"}]
                tue: [{open: "09:00", close: "17:00"}]
              holidays: ["2026-12-25"]
              replacementHours:
                "2026-12-24": [{open: "09:00", close: "12:00"}]
            The built-in calendar 24x7 is always there. See docs/business-time.md for the DST rules.
            """,
        subcommands: [CalendarDefine.self, CalendarAmend.self, CalendarShow.self, CalendarList.self])
}

struct CalendarDefine: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "define", abstract: "Define a calendar from a file.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The calendar's id, e.g. ny-office.") var id: String
    @Option(help: "Its display name.") var name: String
    @Option(help: "The YAML or JSON file (- for stdin).") var file: String
    @Option(help: "When it takes effect (RFC 3339, or YYYY-MM-DD: midnight in the calendar's time zone; default now).", transform: TimeArgument.parse)
    var effective: TimeArgument?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let calendar = try decodeFile(BusinessCalendar.self, path: file, flag: "--file", keys: .calendar)
            let session = try StoreAccess.open(options.store.path)
            let read = try effective.map { try effectiveMidnight(of: $0, inZone: calendar.timeZoneIdentifier, of: "calendar \(id)", flag: "--effective") }
            let from = try read?.instant ?? currentClock().now()
            let events = try countingInput(calendar) {
                try session.app.directory.calendar(
                    id, .define(DefineCalendar(id: id, name: name, effectiveFrom: from, calendar: calendar)), as: options.actor.name,
                    commandId: options.write.commandId)
            }
            read?.announce()
            Terminal.out(events.isEmpty ? "calendar \(id): nothing to change\n" : "defined calendar \(id), in force from \(calendarTime(calendar.timeZoneIdentifier).text(from))\n")
        }
    }
}

struct CalendarAmend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amend", abstract: "New hours from an effective date; tickets already open keep the hours they started with.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The calendar's id.") var id: String
    @Option(help: "The YAML or JSON file (- for stdin).") var file: String
    @Option(help: "When the new hours take effect (RFC 3339, or YYYY-MM-DD: midnight in the calendar's time zone).", transform: TimeArgument.parse)
    var effective: TimeArgument

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let calendar = try decodeFile(BusinessCalendar.self, path: file, flag: "--file", keys: .calendar)
            let session = try StoreAccess.open(options.store.path)
            let read = try effectiveMidnight(of: effective, inZone: calendar.timeZoneIdentifier, of: "calendar \(id)", flag: "--effective")
            let from = read.instant
            // A refusal's instants (the calendar's start) in its zone, where --effective is read.
            let events = try timesWritten(by: calendarTime(calendar.timeZoneIdentifier).text(_:)) {
                try countingInput(calendar) {
                    try session.app.directory.calendar(
                        id, .amend(effectiveFrom: from, calendar: calendar), as: options.actor.name, commandId: options.write.commandId)
                }
            }
            read.announce()
            // Hours equal to the version in force then record nothing.
            Terminal.out(events.isEmpty ? "calendar \(id): nothing to change\n" : "amended calendar \(id), in force from \(calendarTime(calendar.timeZoneIdentifier).text(from))\n")
        }
    }
}

struct CalendarShow: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a calendar's versions and the hours in force at a time.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The calendar's id.") var id: String
    @Option(help: "The instant to show the hours in force at (RFC 3339, or YYYY-MM-DD: midnight in the calendar's time zone; default now).", transform: TimeArgument.parse)
    var at: TimeArgument?

    struct View: Encodable {
        let id: String
        let name: String
        let at: String
        let amendmentInForce: Int?
        let calendar: BusinessCalendar?
    }

    func run(in session: Session) throws {
        let state = try session.app.directory.calendar(id)
        let read = at.map { midnight(of: $0, inZone: calendarZone(id, near: $0.timestamp, in: session), of: "calendar \(id)", flag: "--at") }
        read?.announce()
        let instant = read?.instant ?? session.app.clock.now()
        let inForce = state.calendar(at: instant)
        if output.json {
            try printJSON(View(id: id, name: state.name, at: instant.iso8601, amendmentInForce: inForce?.amendment, calendar: inForce?.calendar))
            return
        }
        // Instants in the calendar's own zone, where its dates are read (`--json` keeps RFC 3339 UTC).
        let time = calendarTime(inForce?.calendar.timeZoneIdentifier ?? calendarZone(id, near: instant, in: session))
        var text = "\(id)  \(state.name)\n"
        if let (amendment, calendar) = inForce {
            text += "in force at \(time.text(instant)): amendment \(amendment), time zone \(calendar.timeZoneIdentifier)\n"
            for day in Weekday.allCases {
                let slots = calendar.weeklyHours[day]
                text += "  \(day)  \(slots.isEmpty ? "closed" : slots.map(\.description).joined(separator: ", "))\n"
            }
            if !calendar.holidays.isEmpty { text += "  holidays: \(calendar.holidays.map(\.description).joined(separator: ", "))\n" }
            // A replacement day (a short Christmas Eve) has only these hours: left out, the day read as a full one.
            for (date, slots) in calendar.replacementHours.sorted(by: { $0.key < $1.key }) {
                text += "  \(date)  \(slots.isEmpty ? "closed" : slots.map(\.description).joined(separator: ", ")) (replaces the weekly hours)\n"
            }
        } else {
            text += "no hours in force at \(time.text(instant))\n"
        }
        if CalendarState.builtIn(id) == nil {
            text += "\nversions: "
                + state.versions.map { "amendment \($0.amendment) from \(calendarTime($0.calendar.timeZoneIdentifier).text($0.effectiveFrom))" }
                .joined(separator: "; ") + "\n"
        }
        Terminal.out(text)
    }
}

struct CalendarList: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List calendars.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    func run(in session: Session) throws {
        let rows = try session.app.directory.calendars().map { [$0.id ?? "", $0.name, String($0.versions.count), $0.versions.last?.calendar.timeZoneIdentifier ?? ""] }
        if output.json {
            try printJSON(rows.map { ["id": $0[0], "name": $0[1], "versions": $0[2], "timeZone": $0[3]] })
        } else {
            Terminal.out(Terminal.table(["ID", "NAME", "VERSIONS", "TIME ZONE"], [["24x7", "Round the clock (built in)", "1", "UTC"]] + rows))
        }
    }
}

/// `docket sla-policy …`: response and resolution targets per priority.
struct SLAPolicyGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla-policy",
        abstract: "Define SLA policies: targets per priority on a calendar, warnings and escalations.",
        discussion: """
            A policy file (YAML or JSON); minutes are business minutes on the calendar:
              calendar: ny-office            # or 24x7
              calendars: {P1: 24x7}          # optional: a priority's own calendar
              targets:
                P1: {responseMinutes: 30,  resolutionMinutes: 240}
                P2: {responseMinutes: 60,  resolutionMinutes: 480}
                P3: {responseMinutes: 240, resolutionMinutes: 1440}
                P4: {responseMinutes: 480, resolutionMinutes: 2880}
              warnAtPercent: [75, 90]
              escalations:
                - {id: p1-untouched, priorities: [P1, P2], untouchedMinutes: 120,
                   action: {kind: assign, login: dora}}
                - {id: p1-page, priorities: [P1], untouchedMinutes: 15,
                   action: {kind: page, channel: oncall}}
            Actions: assign, raise-priority, notify-dispatchers, and page (a notification \
            channel in force: `docket notify list`). \
            A contract names its policy (`docket contract add … --sla-policy ID`); a ticket runs under the \
            policy and calendar in force when it was opened, whatever changes later.
            """,
        subcommands: [SLAPolicyDefine.self, SLAPolicyAmend.self, SLAPolicyShow.self, SLAPolicyList.self])
}

struct SLAPolicyDefine: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "define", abstract: "Define an SLA policy from a file.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The policy's id, e.g. gold.") var id: String
    @Option(help: "Its display name.") var name: String
    @Option(help: "The YAML or JSON file (- for stdin).") var file: String
    @Option(help: "When it takes effect (RFC 3339, or YYYY-MM-DD: midnight in its calendar's time zone; default now).", transform: TimeArgument.parse)
    var effective: TimeArgument?

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let terms = try decodeFile(SLATerms.self, path: file, flag: "--file", keys: .slaPolicy)
            let session = try StoreAccess.open(options.store.path)
            let read = try effective.map {
                try effectiveMidnight(
                    of: $0, inZone: calendarZone(terms.calendar, near: $0.timestamp, in: session),
                    of: "calendar \(terms.calendar)", flag: "--effective")
            }
            let from = try read?.instant ?? currentClock().now()
            // Instants in the calendar's zone, where the policy's dates are read, in its refusals too.
            let time = calendarTime(calendarZone(terms.calendar, near: from, in: session))
            try timesWritten(by: time.text(_:)) {
                try countingInput(terms) {
                    try session.app.directory.slaPolicy(
                        id, .define(DefineSLAPolicy(id: id, name: name, effectiveFrom: from, terms: terms)), as: options.actor.name,
                        commandId: options.write.commandId)
                }
            }
            read?.announce()
            warnOfPrioritiesOnThePolicysCalendar(terms, file: file)
            Terminal.out("defined SLA policy \(id) on calendar \(terms.calendar), in force from \(time.text(from))\n")
        }
    }
}

struct SLAPolicyAmend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amend", abstract: "New terms from an effective date; tickets already open keep theirs.")
    @OptionGroup var options: TicketWriteOptions
    @Argument(help: "The policy's id.") var id: String
    @Option(help: "The YAML or JSON file (- for stdin).") var file: String
    @Option(help: "When the new terms take effect (RFC 3339, or YYYY-MM-DD: midnight in its calendar's time zone).", transform: TimeArgument.parse)
    var effective: TimeArgument

    func run() throws {
        try reportingFailures(store: options.store.path) {
            let terms = try decodeFile(SLATerms.self, path: file, flag: "--file", keys: .slaPolicy)
            let session = try StoreAccess.open(options.store.path)
            let read = try effectiveMidnight(
                of: effective, inZone: calendarZone(terms.calendar, near: effective.timestamp, in: session),
                of: "calendar \(terms.calendar)", flag: "--effective")
            let from = read.instant
            // Instants in the calendar's zone, where the policy's dates are read, in its refusals too.
            let time = calendarTime(calendarZone(terms.calendar, near: from, in: session))
            let events = try timesWritten(by: time.text(_:)) {
                try countingInput(terms) {
                    try session.app.directory.slaPolicy(
                        id, .amend(effectiveFrom: from, terms: terms), as: options.actor.name, commandId: options.write.commandId)
                }
            }
            read.announce()
            warnOfPrioritiesOnThePolicysCalendar(terms, file: file)
            // Terms equal to the version in force then record nothing.
            Terminal.out(events.isEmpty ? "SLA policy \(id): nothing to change\n" : "amended SLA policy \(id), in force from \(time.text(from))\n")
        }
    }
}

/// Warns (on stderr, one line) of the priorities a policy file gives the policy's own calendar in `calendars`: the
/// definition is taken, without them (docs/sla.md, "Per-priority calendars").
func warnOfPrioritiesOnThePolicysCalendar(_ terms: SLATerms, file: String) {
    let repeated = terms.prioritiesGivenThePolicysCalendar.map(\.rawValue)
    guard !repeated.isEmpty else { return }
    let one = repeated.count == 1
    let names = repeated.joined(separator: ", ")
    Terminal.error(
        "docket: warning: --file \(file): calendars gives \(names) \(terms.calendar), the policy's own calendar, which "
            + "\(one ? names + " counts" : "they count") on anyway: the entr\(one ? "y is" : "ies are") dropped; leave "
            + "\(one ? names : "them") out of calendars")
}

/// A policy's terms as a table: one row per priority, with each priority's calendar when some have their own.
func targetRows(_ terms: SLATerms) -> [[String]] {
    Priority.allCases.map { priority in
        let target = terms.targets[priority]
        return [priority.rawValue, target.map { minutesText($0.responseMinutes) } ?? "—", target.map { minutesText($0.resolutionMinutes) } ?? "—"]
            + (terms.calendars.isEmpty ? [] : [terms.calendar(for: priority)])
    }
}

/// `90` → `1h30m` business time.
func minutesText(_ minutes: Int) -> String {
    let sign = minutes < 0 ? "-" : ""
    let m = abs(minutes)
    return sign + (m >= 60 ? "\(m / 60)h" + (m % 60 == 0 ? "" : "\(m % 60)m") : "\(m)m")
}

struct SLAPolicyShow: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a policy's terms in force at a time, and its versions.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The policy's id.") var id: String
    @Option(help: "The instant (RFC 3339, or YYYY-MM-DD: midnight in its calendar's time zone; default now).", transform: TimeArgument.parse) var at: TimeArgument?

    struct View: Encodable {
        let id: String
        let name: String
        let at: String
        let amendmentInForce: Int?
        let terms: SLATerms?
    }

    func run(in session: Session) throws {
        let state = try session.app.directory.slaPolicy(id)
        let read = at.map { typed in
            let calendar = policyCalendar(id, near: typed.timestamp, in: session)
            return midnight(
                of: typed, inZone: calendar.flatMap { calendarZone($0, near: typed.timestamp, in: session) },
                of: "calendar \(calendar ?? "")", flag: "--at")
        }
        read?.announce()
        let instant = read?.instant ?? session.app.clock.now()
        let inForce = state.terms(at: instant)
        if output.json {
            try printJSON(View(id: id, name: state.name, at: instant.iso8601, amendmentInForce: inForce?.amendment, terms: inForce?.terms))
            return
        }
        // Instants in the zone of the policy's calendar, where its dates are read (`--json` keeps RFC 3339 UTC).
        func time(_ calendar: String?, _ at: Timestamp) -> String {
            calendarTime(calendar.flatMap { calendarZone($0, near: at, in: session) }).text(at)
        }
        guard let (amendment, terms) = inForce else {
            Terminal.out("\(id)  \(state.name)\nno terms in force at \(time(policyCalendar(id, near: instant, in: session), instant))\n")
            return
        }
        var text = "\(id)  \(state.name)\nin force at \(time(terms.calendar, instant)): amendment \(amendment), calendar \(terms.calendar), warn at \(terms.warnAtPercent.map { "\($0)%" }.joined(separator: ", "))\n\n"
        text += Terminal.table(["PRIORITY", "RESPONSE", "RESOLUTION"] + (terms.calendars.isEmpty ? [] : ["CALENDAR"]), targetRows(terms))
        for rule in terms.escalations {
            text += "escalation \(rule.id): \(rule.priorities.map(\.rawValue).joined(separator: "/")) untouched \(minutesText(rule.untouchedMinutes)) → \(rule.action)\n"
        }
        text += "\nversions: "
            + state.versions.map { "amendment \($0.amendment) from \(time($0.terms.calendar, $0.effectiveFrom))" }.joined(separator: "; ") + "\n"
        Terminal.out(text)
    }
}

struct SLAPolicyList: ReadCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List SLA policies.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    /// One row of `--json`: the calendars of the terms in force now, `calendars` (each priority's own calendar, as
    /// `sla-policy show --json`'s `terms.calendars`) only when some priority has one.
    struct Row: Encodable {
        let id, name, versions, calendar: String
        let calendars: [String: String]?
    }

    func run(in session: Session) throws {
        let now = session.app.clock.now()
        let rows = try session.app.directory.slaPolicies().map { policy in
            // The terms in force now, as `sla-policy show` reads them; a policy not in force yet, its latest recorded.
            let terms = policy.terms(at: now)?.terms ?? policy.versions.last?.terms
            let own = terms?.calendars ?? [:]
            return Row(
                id: policy.id ?? "", name: policy.name, versions: String(policy.versions.count), calendar: terms?.calendar ?? "",
                calendars: own.isEmpty ? nil : Dictionary(uniqueKeysWithValues: own.map { ($0.key.rawValue, $0.value) }))
        }
        if output.json {
            try printJSON(rows)
        } else {
            // The policy's calendar, then each priority with its own, as `sla-policy show`'s CALENDAR column names it.
            let calendarText = { (row: Row) in
                row.calendar
                    + (row.calendars.map { own in " (" + own.keys.sorted().map { "\($0): \(own[$0] ?? "")" }.joined(separator: ", ") + ")" } ?? "")
            }
            Terminal.out(Terminal.table(["ID", "NAME", "VERSIONS", "CALENDAR"], rows.map { [$0.id, $0.name, $0.versions, calendarText($0)] }))
        }
    }
}
