import Domain
import EventLog
import Foundation

/// What staff time costs the business (docs/security.md, "Who reads what"): cost rates (`user.cost-rate-set`) and the
/// cost and margin the profitability report prices with them are for billing and admins (``Action/readCosts``). A read
/// that is only about cost is refused to anyone else; one that mixes cost with what everyone reads (`docket log`) leaves
/// the cost out for them. Hours, utilization, leakage and volume hold no staff cost and stay readable by all.
public enum CostReaders {
    /// The way round a refusal, named after the role: `only billing or an admin may read cost rates and margins; bob
    /// is tech: <fix>`.
    public static let fix = "ask billing or an admin; `docket report utilization` and `docket report leakage` give the hours without cost"

    /// Whether a reader of `role` (nil: not a known, active user) may read cost rates and margins.
    public static func mayRead(_ role: Role?) -> Bool { role.map { Permissions.allows($0, to: .readCosts) } ?? false }

    /// The fields left out, by event type, for a reader who may not read cost: a cost rate's amount and its currency
    /// (the version and the date it takes effect say no more than that a rate was set), and what one unit of a one-off
    /// charge cost the MSP (the price the client pays stays).
    static let costFields: [String: [String]] = [
        UserCostRateSet.descriptor.type: ["costPerHourMinor", "currency"],
        ChargeAdded.descriptor.type: ["unitCostMinor"],
    ]

    /// `event` as a reader of `role` may see it: its cost fields (``costFields``) left out unless they may read cost
    /// (``mayRead(_:)``); any other event as it is. Only the copy shown changes, never the log.
    public static func readable(_ event: RecordedEvent, by role: Role?) -> RecordedEvent {
        guard !mayRead(role), let hidden = costFields[event.type] else { return event }
        var shown = event
        // A payload that does not parse as an object (only a damaged or hand-made one) is shown as `{}` rather than whole.
        var fields: [String: JSONValue] = [:]
        if case .object(let parsed)? = try? JSONDecoder().decode(JSONValue.self, from: Data(event.payload)) { fields = parsed }
        for key in hidden { fields[key] = nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        shown.payload = Array((try? encoder.encode(JSONValue.object(fields))) ?? Data("{}".utf8))
        return shown
    }

    /// `row` as a reader of `role` may see it: the charge's unit cost left out unless they may read cost.
    public static func readable(_ row: ChargeListRow, by role: Role?) -> ChargeListRow {
        guard !mayRead(role) else { return row }
        var shown = row
        shown.charge.unitCostMinor = nil
        return shown
    }
}
