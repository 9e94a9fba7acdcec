import DocketTime
import Domain
import EventLog

/// How the satisfaction report groups closes.
public enum SatisfactionReportGrouping: String, CaseIterable, Sendable {
    /// By the ticket's client.
    case client
    /// By who closed the ticket (the close's actor: a tech, or `system`/a service account for automatic closes).
    case tech
    /// By the month of the close, in the client's billing months (its time zone).
    case month
}

/// One line of the satisfaction report: the closes of a group in the window and how their contacts rated them.
public struct SatisfactionReportLine: Sendable, Equatable, Encodable {
    /// The client's code, the closer's login, or the month (`2026-11`).
    public var group: String
    /// Closes (`ticket.closed`) in the window.
    public var closes = 0
    /// Of those, the closes rated (by now, or the `--as-of` moment; a rating after the window counts for its close).
    public var rated = 0
    /// The ratings in force (a later rating of a close replaces an earlier one), by kind.
    public var good = 0
    public var okay = 0
    public var bad = 0
    /// rated / closes in per mille (so 375 is 37.5%); nil when there were no closes.
    public var responseRatePerMille: Int?
    /// good / rated in per mille; nil when nothing was rated.
    public var goodPerMille: Int?

    private enum CodingKeys: String, CodingKey { case group, closes, rated, good, okay, bad, responseRatePerMille, goodPerMille }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group, forKey: .group)
        try c.encode(closes, forKey: .closes)
        try c.encode(rated, forKey: .rated)
        try c.encode(good, forKey: .good)
        try c.encode(okay, forKey: .okay)
        try c.encode(bad, forKey: .bad)
        // null rather than absent: every row has the same keys.
        try c.encode(responseRatePerMille, forKey: .responseRatePerMille)
        try c.encode(goodPerMille, forKey: .goodPerMille)
    }
}

/// The fold behind the satisfaction report: each ticket's client and close count, each close in the window (with its
/// closer and group), and the rating in force of each close. Pure over the events it is given.
public struct SatisfactionFold: Sendable {
    private struct Close {
        var ticket: String
        var client: String
        var closer: String
        var at: Timestamp
    }

    private let window: ReportWindow
    private let months: [String: BillingMonths]
    private var resolved: [String: ResolvedReportWindow] = [:]
    private var clients: [String: String] = [:]
    private var closeCounts: [String: Int] = [:]
    /// Closes in the window by ticket and close number.
    private var closes: [String: [Int: Close]] = [:]
    private var ratings: [String: [Int: SatisfactionRating]] = [:]

    /// The fold for `window`, read in each client's billing months from `months` (by code).
    public init(window: ReportWindow, months: [String: BillingMonths]) {
        self.window = window
        self.months = months
    }

    /// Takes the next event of the log; only ticket openings, closes and ratings matter.
    public mutating func apply(_ event: RecordedEvent) throws {
        guard event.stream.hasPrefix("ticket-") else { return }
        let type = event.type
        guard type == TicketOpened.descriptor.type || type == TicketClosed.descriptor.type || type == TicketRated.descriptor.type else { return }
        let ticket = String(event.stream.dropFirst("ticket-".count))
        switch try TicketEvent.decode(type: type, schemaVersion: event.schemaVersion, payload: event.payload) {
        case .opened(let opened):
            clients[ticket] = opened.client
        case .closed:
            let number = (closeCounts[ticket] ?? 0) + 1
            closeCounts[ticket] = number
            let client = clients[ticket] ?? ""
            guard instants(for: client).contains(event.recordedAt) else { return }
            closes[ticket, default: [:]][number] = Close(ticket: ticket, client: client, closer: event.actor, at: event.recordedAt)
        case .rated(let rated):
            ratings[ticket, default: [:]][rated.close] = rated.rating
        default:
            return
        }
    }

    /// The report's lines, by group in order.
    public func lines(by grouping: SatisfactionReportGrouping) -> [SatisfactionReportLine] {
        var groups: [String: SatisfactionReportLine] = [:]
        for (ticket, byNumber) in closes {
            for (number, close) in byNumber {
                let key: String
                switch grouping {
                case .client: key = close.client
                case .tech: key = close.closer
                case .month: key = monthText((months[close.client] ?? BillingMonths(current: "UTC")), close.at)
                }
                var line = groups[key] ?? SatisfactionReportLine(group: key)
                line.closes += 1
                switch ratings[ticket]?[number] {
                case .good?: line.good += 1
                case .okay?: line.okay += 1
                case .bad?: line.bad += 1
                case nil: break
                }
                groups[key] = line
            }
        }
        return groups.keys.sorted().compactMap { key in
            guard var line = groups[key] else { return nil }
            line.rated = line.good + line.okay + line.bad
            line.responseRatePerMille = line.closes == 0 ? nil : line.rated * 1000 / line.closes
            line.goodPerMille = line.rated == 0 ? nil : line.good * 1000 / line.rated
            return line
        }
    }

    private func monthText(_ months: BillingMonths, _ at: Timestamp) -> String {
        let months = window.zone.map { BillingMonths(current: $0) } ?? months
        return months.period(containing: at).description
    }

    private mutating func instants(for client: String) -> ResolvedReportWindow {
        if let found = resolved[client] { return found }
        let found = months[client].map { window.instants(forRowsOf: $0) } ?? window.instants(forRowsIn: nil)
        resolved[client] = found
        return found
    }
}

extension TicketService {
    /// The satisfaction report (`docket report satisfaction`): the closes in `window` (a wall-clock end read in each
    /// client's billing months, as the other reports), grouped, with the ratings in force of each — whenever they were
    /// given, up to now (a close on the 30th rated on the 2nd counts in the window of the close).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func satisfactionReport(_ window: ReportWindow, by grouping: SatisfactionReportGrouping) throws -> [SatisfactionReportLine] {
        let months = Dictionary(
            try directory.clients().compactMap { client in try client.code.map { ($0, try shared.billingMonths(of: client)) } },
            uniquingKeysWith: { _, last in last })
        var fold = SatisfactionFold(window: window, months: months)
        try store.scan { event in
            try fold.apply(event)
            return true
        }
        return fold.lines(by: grouping)
    }
}
