import ArgumentParser
import DocketApp
import Domain
import Foundation

extension TicketNumber: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument.uppercased()) }
}

extension Priority: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension TicketStatus: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension TicketSource: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Role: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// The `--at`/`--effective` style time argument: RFC 3339, or a plain date meaning midnight UTC.
struct TimeArgument {
    let timestamp: Timestamp
    /// As typed.
    let text: String
    /// Whether it was a date alone (`2026-11-01`), which `timestamp` reads as midnight UTC.
    var isDateOnly: Bool { Timestamp.typed(text) == nil }

    /// `text` as a time, or a usage error saying the forms a time takes (`2026-13-01` and `yesterday` were only
    /// "invalid for '--effective <effective>'").
    static func parse(_ text: String) throws -> TimeArgument {
        guard let time = TimeArgument(argument: text) else {
            throw ValidationError("a time is a date written YYYY-MM-DD (2026-11-01) or RFC 3339 with Z or an offset (2026-11-01T09:00:00Z)")
        }
        return time
    }

    init?(argument: String) {
        text = argument
        if let parsed = Timestamp.typed(argument) {
            timestamp = parsed
        } else if argument.count == 10, let parsed = Timestamp(iso8601: argument + "T00:00:00Z") {
            timestamp = parsed
        } else {
            return nil
        }
    }
}

/// A moment a person typed for the viewer (`replay --as-of`): with `Z` or an offset (RFC 3339) exactly that instant
/// (``exact``); a date (`2026-11-01`, its midnight) or a local time without a zone (`2026-11-01 08:00`) is read in the
/// viewer's zone once the store is open (``PeopleTime/parse(_:flag:)``). Anything else is a usage error (exit 64).
struct MomentArgument: ExpressibleByArgument {
    /// As typed.
    let text: String
    /// The instant, when the text names its zone; nil when it is a wall-clock reading for the viewer's zone.
    let exact: Timestamp?

    init?(argument: String) {
        text = argument
        exact = Timestamp.typed(argument)
        guard exact != nil || Timestamp.wallClockReading(argument) != nil else { return nil }
    }

    /// `text` as a moment, or a usage error saying the forms a moment takes (`yesterday` was only "invalid for
    /// '--as-of <time>'").
    static func parse(_ text: String) throws -> MomentArgument {
        guard let moment = MomentArgument(argument: text) else {
            throw ValidationError(
                "a moment is a date (2026-10-31), a local time (\"2026-10-31 18:00\") or RFC 3339 with Z or an offset (2026-10-31T23:59:59Z)")
        }
        return moment
    }
}

extension BillingDates {
    /// `instant` when it is in range (``BillingDates``); else a bad-input error (exit 65) naming `flag` and the `text`
    /// typed, and the `kind` of dates the range is for. The deciders refuse such a date for every caller (the server's
    /// HTTP API too, naming the instant in RFC 3339); this names the option and what was typed.
    static func check(_ instant: Timestamp, flag: String, text: String, kind: String = "billing dates") throws -> Timestamp {
        guard contains(instant) else {
            throw CLIError.badInput(
                "\(flag) \(text) is out of range: \(kind) run from 2000-01-01 to 2199-12-31 (UTC); check the year")
        }
        return instant
    }
}

/// Prints an `Encodable` value as JSON (sorted keys, indented) on stdout: its own encoding (``JSONText``); times
/// are RFC 3339 strings because the output types encode them so, never by rewriting fields afterwards.
func printJSON(_ value: some Encodable) throws {
    Terminal.out(try JSONText.of(value) + "\n")
}

/// Milliseconds since the epoch as RFC 3339 text.
func isoTime(_ milliseconds: Int64) -> String {
    Timestamp(millisecondsSinceEpoch: milliseconds).iso8601
}

/// A setting given by two opposite flags (`--billing` / `--no-billing`, `--billable` / `--non-billable`): true for
/// `on`, false for `off`, nil for neither (keep what is there). Both at once is refused as bad usage, naming the two:
/// an inverted flag took the last one given, silently undoing the first.
func eitherFlag(_ on: Bool, _ onName: String, or off: Bool, _ offName: String) throws -> Bool? {
    if on && off { throw ValidationError("give \(onName) or \(offName), not both") }
    return on ? true : off ? false : nil
}
