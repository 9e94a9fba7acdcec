import ArgumentParser
import DocketApp
import DocketServer
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

/// Prints an `Encodable` value as JSON (sorted keys) on stdout.
///
/// Times are RFC 3339 strings: read models keep some as epoch milliseconds (``RFC3339Times`` names the fields),
/// and those are converted here, so no `--json` output prints epoch milliseconds.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
    let parsed = try JSONSerialization.jsonObject(with: try encoder.encode(value), options: [.fragmentsAllowed])
    let data = try JSONSerialization.data(
        withJSONObject: RFC3339Times.convert(parsed), options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted, .fragmentsAllowed])
    // JSONSerialization prints an empty array or object over three lines; JSONEncoder printed `[]` and `{}`.
    let text = String(decoding: data, as: UTF8.self).replacing(/([\[{])\n\n\s*([\]}])/) { "\($0.1)\($0.2)" }
    Terminal.out(text + "\n")
}

/// Milliseconds since the epoch as RFC 3339 text.
func isoTime(_ milliseconds: Int64) -> String {
    Timestamp(millisecondsSinceEpoch: milliseconds).iso8601
}
