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
struct TimeArgument: ExpressibleByArgument {
    let timestamp: Timestamp

    init?(argument: String) {
        if let parsed = Timestamp(iso8601: argument) {
            timestamp = parsed
        } else if argument.count == 10, let parsed = Timestamp(iso8601: argument + "T00:00:00Z") {
            timestamp = parsed
        } else {
            return nil
        }
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
