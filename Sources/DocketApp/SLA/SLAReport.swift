import BusinessTime
import DocketTime
import Domain
import EventLog

/// How the SLA report groups tickets.
public enum SLAReportGrouping: String, CaseIterable, Sendable {
    case client
    case priority
    case month
}

/// One line of the SLA report.
public struct SLAReportLine: Sendable, Equatable, Encodable {
    public var group: String
    /// Tickets opened in the period with an SLA.
    public var tickets = 0
    /// Closed with both clocks met in time.
    public var met = 0
    /// With at least one clock breached, under its current target or an earlier one (a breach stays a breach
    /// after a priority change).
    public var breached = 0
    /// Of those, the tickets breached under a target that a later priority change replaced (counted separately:
    /// the new target's own outcome does not change them).
    public var breachedBeforePriorityChange = 0
    /// Neither yet: still running or paused within target.
    public var open = 0
    /// met / (met + breached), in per mille (so 987 is 98.7%); nil when nothing is decided yet.
    public var hitRatePerMille: Int?
    /// Medians of the business minutes each met clock ran, from the ticket's start to the reply (response) or the
    /// close (resolution), under every target it had (``SLATimer/countedMilliseconds``), over the clocks that were met.
    public var medianResponseMinutes: Int64?
    public var medianResolutionMinutes: Int64?
}

extension SLAService {
    /// The SLA report over tickets opened in the exact window `[from, to)`, grouped, as of `now`.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func slaReport(from: Timestamp, to: Timestamp, by grouping: SLAReportGrouping, now: Timestamp) throws -> [SLAReportLine] {
        try slaReport(ReportWindow(from: from, to: to), by: grouping, now: now)
    }

    /// The SLA report over tickets opened in `window`, grouped, as of `now`. A ticket is its client's row: a wall-clock
    /// end of the window, and the month of `--by month`, are read in the client's billing months (its time zone, a
    /// month already invoiced in the zone it was billed in), or in the window's zone.
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func slaReport(_ window: ReportWindow, by grouping: SLAReportGrouping, now: Timestamp) throws -> [SLAReportLine] {
        var groups: [String: (line: SLAReportLine, response: [Int64], resolution: [Int64])] = [:]
        var windows: [String: ResolvedReportWindow] = [:]
        try models.sla.all(in: store) { row in
            guard let clock = row.clock else { return }
            if windows[row.client] == nil {
                windows[row.client] = try (try? directory.client(row.client)).map { window.instants(forRowsOf: try shared.billingMonths(of: $0)) }
                    ?? window.instants(forRowsIn: nil)
            }
            guard let clientWindow = windows[row.client], clientWindow.contains(milliseconds: row.openedAt) else { return }
            let status = clock.status(at: now)
            let key: String
            switch grouping {
            case .client: key = row.client
            case .priority: key = clock.started.priority.rawValue
            case .month:
                key = clientWindow.months.period(containing: Timestamp(millisecondsSinceEpoch: row.openedAt)).description
            }
            var entry = groups[key] ?? (SLAReportLine(group: key), [], [])
            entry.line.tickets += 1
            if status.response.state == .breached || status.resolution.state == .breached {
                entry.line.breached += 1
                if status.response.earlierBreachAt != nil || status.resolution.earlierBreachAt != nil {
                    entry.line.breachedBeforePriorityChange += 1
                }
            } else if status.resolution.state == .met {
                entry.line.met += 1
            } else {
                entry.line.open += 1
            }
            // The whole time the clock ran: the time used against its current target alone leaves out everything
            // before a priority change.
            if clock.response.isMet { entry.response.append(clock.response.countedMilliseconds / 60_000) }
            if clock.resolution.isMet { entry.resolution.append(clock.resolution.countedMilliseconds / 60_000) }
            groups[key] = entry
        }
        return groups.keys.sorted().compactMap { key in
            guard let (found, response, resolution) = groups[key] else { return nil }
            var line = found
            let decided = line.met + line.breached
            line.hitRatePerMille = decided == 0 ? nil : line.met * 1000 / decided
            line.medianResponseMinutes = median(response)
            line.medianResolutionMinutes = median(resolution)
            return line
        }
    }

    /// The median, the lower middle for an even count.
    private func median(_ values: [Int64]) -> Int64? {
        guard !values.isEmpty else { return nil }
        return values.sorted()[(values.count - 1) / 2]
    }
}
