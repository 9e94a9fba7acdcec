import BusinessTime
import DocketTime
import Domain
import EventLog

/// Profitability of one client in the window (docs/billing.md, "Reports"). Money in minor units of `currency`.
public struct ProfitabilityRow: Sendable, Equatable, Encodable {
    public var client: String
    public var currency: String
    /// Final invoices finalized in the window, and credit notes issued in it.
    public var invoices: Int
    public var creditNotes: Int
    /// Line amounts (before tax) of those invoices, and of the invoices those credit notes cancel.
    public var invoicedMinor: Int64
    public var creditedMinor: Int64
    /// invoiced − credited, split by charge kind: time, and recurring fees (retainer fees, block purchases).
    public var timeRevenueMinor: Int64
    public var feeRevenueMinor: Int64
    public var revenueMinor: Int64
    /// Minutes logged (billable or not, not voided) on the client's tickets, work started in the window.
    public var loggedMinutes: Int64
    /// Of those, minutes with no cost rate in force for the tech (or one in another currency): not in the cost.
    public var unpricedMinutes: Int64
    /// Σ minutes × the tech's cost per hour in force at the entry's start / 60, rounded once per client.
    public var costMinor: Int64
    public var marginMinor: Int64
    /// margin / revenue in basis points (1234 = 12.34%); nil without revenue.
    public var marginBasisPoints: Int64?
    /// Minutes billed at the rate by the time lines counted in time revenue.
    public var billedMinutes: Int64
    /// time revenue × 60 / billed minutes, minor units per hour; nil without billed minutes.
    public var effectiveHourlyRateMinor: Int64?

    public init(client: String, currency: String, invoices: Int, creditNotes: Int, invoicedMinor: Int64, creditedMinor: Int64, timeRevenueMinor: Int64, feeRevenueMinor: Int64, revenueMinor: Int64, loggedMinutes: Int64, unpricedMinutes: Int64, costMinor: Int64, marginMinor: Int64, marginBasisPoints: Int64?, billedMinutes: Int64, effectiveHourlyRateMinor: Int64?) {
        self.client = client
        self.currency = currency
        self.invoices = invoices
        self.creditNotes = creditNotes
        self.invoicedMinor = invoicedMinor
        self.creditedMinor = creditedMinor
        self.timeRevenueMinor = timeRevenueMinor
        self.feeRevenueMinor = feeRevenueMinor
        self.revenueMinor = revenueMinor
        self.loggedMinutes = loggedMinutes
        self.unpricedMinutes = unpricedMinutes
        self.costMinor = costMinor
        self.marginMinor = marginMinor
        self.marginBasisPoints = marginBasisPoints
        self.billedMinutes = billedMinutes
        self.effectiveHourlyRateMinor = effectiveHourlyRateMinor
    }
}

/// Time logged versus billed for one client (or `TOTAL`), work started in the window.
public struct LeakageRow: Sendable, Equatable, Encodable {
    public var client: String
    public var billableMinutes: Int64
    /// Of the billable minutes, those on final (not voided) invoices: per entry, at most its minutes now.
    public var billedMinutes: Int64
    /// billable − billed: held back, not yet invoiced, only drafted, or corrected upwards after billing.
    public var unbilledMinutes: Int64
    /// Logged as billable, but the contract in force never bills it by the hour (a non-billable work type or
    /// category, a category the retainer covers): not leakage.
    public var contractNonBillableMinutes: Int64
    /// Logged as non-billable.
    public var nonBillableMinutes: Int64
    /// unbilled / billable in basis points; nil without billable minutes.
    public var leakageBasisPoints: Int64?

    public init(
        client: String, billableMinutes: Int64, billedMinutes: Int64, unbilledMinutes: Int64, contractNonBillableMinutes: Int64 = 0,
        nonBillableMinutes: Int64, leakageBasisPoints: Int64? = nil
    ) {
        self.client = client
        self.billableMinutes = billableMinutes
        self.billedMinutes = billedMinutes
        self.unbilledMinutes = unbilledMinutes
        self.contractNonBillableMinutes = contractNonBillableMinutes
        self.nonBillableMinutes = nonBillableMinutes
        self.leakageBasisPoints = leakageBasisPoints
    }
}

/// One tech's time, work started in the window.
public struct UtilizationRow: Sendable, Equatable, Encodable {
    public var tech: String
    public var loggedMinutes: Int64
    public var billableMinutes: Int64
    /// capacity hours per week × 60 × weekday time in the window / 5 days.
    public var capacityMinutes: Int64
    /// billable / logged, billable / capacity and logged / capacity, in basis points (nil when the base is 0).
    public var billableOfLoggedBasisPoints: Int64?
    public var billableOfCapacityBasisPoints: Int64?
    public var loggedOfCapacityBasisPoints: Int64?

    public init(tech: String, loggedMinutes: Int64, billableMinutes: Int64, capacityMinutes: Int64, billableOfLoggedBasisPoints: Int64?, billableOfCapacityBasisPoints: Int64?, loggedOfCapacityBasisPoints: Int64?) {
        self.tech = tech
        self.loggedMinutes = loggedMinutes
        self.billableMinutes = billableMinutes
        self.capacityMinutes = capacityMinutes
        self.billableOfLoggedBasisPoints = billableOfLoggedBasisPoints
        self.billableOfCapacityBasisPoints = billableOfCapacityBasisPoints
        self.loggedOfCapacityBasisPoints = loggedOfCapacityBasisPoints
    }
}

/// Tickets opened and closed in the window for one client and category (the ticket's category now).
public struct VolumeRow: Sendable, Equatable, Encodable {
    public var client: String
    /// nil when the ticket has no category.
    public var category: String?
    public var opened: Int
    public var closed: Int

    public init(client: String, category: String?, opened: Int, closed: Int) {
        self.client = client
        self.category = category
        self.opened = opened
        self.closed = closed
    }

    private enum CodingKeys: String, CodingKey { case client, category, opened, closed }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(client, forKey: .client)
        try c.encode(category, forKey: .category)  // null rather than absent: every row has the same keys
        try c.encode(opened, forKey: .opened)
        try c.encode(closed, forKey: .closed)
    }
}

/// `part / whole` in basis points, rounded half away from zero; nil when `whole` is 0.
func basisPoints(_ part: Int64, of whole: Int64) -> Int64? {
    guard whole != 0 else { return nil }
    return whole > 0 ? Money.divide(part * 10_000, by: whole) : Money.divide(-part * 10_000, by: -whole)
}

// MARK: - The reports

extension BillingReportFold {
    /// The window read in each client's billing months (or the report's zone), by client id; `clientWindows.last` is
    /// for tickets of no known client (UTC, or the report's zone).
    private func clientWindows() -> [ResolvedReportWindow] {
        let window = window.window
        return clientMonths().map { window.instants(forRowsOf: $0) } + [window.instants(forRowsIn: nil)]
    }

    /// Live entries whose work started in the window: read in their ticket's client's zone (``clientWindows()``), or,
    /// given `window`, in that one window for every entry (a tech's rows).
    private func entriesInWindow(_ window: ResolvedReportWindow? = nil, _ body: (Entry, Int) -> Void) {
        let windows = window == nil ? clientWindows() : []
        for (number, entry) in entries.enumerated() where entry.exists && !entry.voided {
            guard (window ?? Self.window(of: client(of: entry), in: windows)).contains(milliseconds: entry.startedAt) else { continue }
            body(entry, number)
        }
    }

    /// Client `client`'s window in ``clientWindows()`` (the last one for no known client).
    private static func window(of client: Int32, in windows: [ResolvedReportWindow]) -> ResolvedReportWindow {
        windows[client >= 0 ? Int(client) : windows.count - 1]
    }

    private func client(of entry: Entry) -> Int32 {
        Int(entry.ticket) < tickets.count ? tickets[Int(entry.ticket)].client : -1
    }

    /// Per-client profitability, in client order.
    public func profitability() -> [ProfitabilityRow] {
        struct Cost { var logged: Int64 = 0, unpriced: Int64 = 0, minutesTimesRate: Int64 = 0, currency: String? }
        var costs: [Int32: Cost] = [:]
        entriesInWindow { entry, _ in
            let client = client(of: entry)
            var cost = costs[client, default: Cost()]
            cost.logged += Int64(entry.minutes)
            let currency = revenue[client]?.currency.nonEmpty ?? clientCurrency[client]
            if let rate = costRates[entry.tech]?.costRate(at: Timestamp(millisecondsSinceEpoch: entry.startedAt)),
                currency == nil || rate.currency == currency
            {
                cost.minutesTimesRate += Int64(entry.minutes) * rate.costPerHourMinor
                cost.currency = rate.currency
            } else {
                cost.unpriced += Int64(entry.minutes)
            }
            costs[client] = cost
        }
        let ids = Set(costs.keys).union(revenue.keys).filter { $0 >= 0 }
        return ids.compactMap { id -> ProfitabilityRow? in
            guard let name = clients.name(id) else { return nil }
            let money = revenue[id] ?? Revenue()
            let cost = costs[id] ?? Cost()
            let costMinor = Money.divide(cost.minutesTimesRate, by: 60) + money.oneOffCost
            let revenueMinor = money.time + money.fees
            let margin = revenueMinor - costMinor
            return ProfitabilityRow(
                client: name, currency: money.currency.nonEmpty ?? clientCurrency[id] ?? cost.currency ?? "",
                invoices: money.invoices, creditNotes: money.creditNotes, invoicedMinor: money.invoiced, creditedMinor: money.credited,
                timeRevenueMinor: money.time, feeRevenueMinor: money.fees, revenueMinor: revenueMinor, loggedMinutes: cost.logged,
                unpricedMinutes: cost.unpriced, costMinor: costMinor, marginMinor: margin,
                // With no time priced at all the cost is unknown, not zero: no margin percentage rather than 100%.
                marginBasisPoints: cost.logged > 0 && cost.unpriced == cost.logged ? nil : basisPoints(margin, of: revenueMinor),
                billedMinutes: money.chargedMinutes,
                effectiveHourlyRateMinor: money.chargedMinutes > 0 ? Money.divide(money.time * 60, by: money.chargedMinutes) : nil)
        }.sorted { $0.client < $1.client }
    }

    /// Minutes billed per entry number. For every charge key, the latest charge (by run) on a final, not voided,
    /// invoice carries the key's whole state at its run, entries included; its entries are billed in full when the
    /// key's final, not voided lines add up to that charge, and in that share when they add up to less: an earlier
    /// invoice under the key was voided (or is still a draft) and what it billed is not billed again yet, so a later
    /// adjustment line alone does not make the key billed. Nothing when they add up to nothing or less.
    func billedMinutesByEntry() -> [Int: Int] {
        var keys: [String: (order: Int, line: ReportInvoiceLine, billed: Int)] = [:]
        for invoice in invoices.values where invoice.finalized && !invoice.voided {
            for line in invoice.data.timeLines {
                var key = keys[line.key] ?? (order: 0, line: line, billed: 0)
                key.billed += line.lineMinutes
                if invoice.draftOrder > key.order { (key.order, key.line) = (invoice.draftOrder, line) }
                keys[line.key] = key
            }
        }
        var billed: [Int: Int] = [:]
        for (_, key) in keys where key.billed > 0 && key.line.chargeMinutes > 0 {
            let share = min(key.billed, key.line.chargeMinutes)
            for entry in key.line.entries {
                billed[entry.entry, default: 0] += entry.minutes * share / key.line.chargeMinutes
            }
        }
        return billed
    }

    /// Per-client leakage, in client order, then a `TOTAL` row.
    public func leakage() -> [LeakageRow] {
        let billed = billedMinutesByEntry()
        var neverBilled = ContractExclusions(contracts: contracts.values)
        var rows: [Int32: LeakageRow] = [:]
        entriesInWindow { entry, number in
            let client = client(of: entry)
            var row = rows[client] ?? LeakageRow(client: clients.name(client) ?? "?", billableMinutes: 0, billedMinutes: 0, unbilledMinutes: 0, nonBillableMinutes: 0)
            let minutes = Int64(entry.minutes)
            let category = Int(entry.ticket) < tickets.count ? categories.name(tickets[Int(entry.ticket)].category) : nil
            if entry.billable,
                neverBilled.excludes(
                    client: clients.name(client) ?? "", workType: workTypes.name(entry.workType) ?? "", category: category,
                    at: Timestamp(millisecondsSinceEpoch: entry.startedAt))
            {
                row.contractNonBillableMinutes += minutes
            } else if entry.billable {
                let onInvoice = min(minutes, Int64(billed[number] ?? 0))
                row.billableMinutes += minutes
                row.billedMinutes += onInvoice
                row.unbilledMinutes += minutes - onInvoice
            } else {
                row.nonBillableMinutes += minutes
            }
            rows[client] = row
        }
        var result = rows.values.sorted { $0.client < $1.client }
        var total = LeakageRow(client: "TOTAL", billableMinutes: 0, billedMinutes: 0, unbilledMinutes: 0, nonBillableMinutes: 0)
        for index in result.indices {
            result[index].leakageBasisPoints = basisPoints(result[index].unbilledMinutes, of: result[index].billableMinutes)
            total.billableMinutes += result[index].billableMinutes
            total.billedMinutes += result[index].billedMinutes
            total.unbilledMinutes += result[index].unbilledMinutes
            total.contractNonBillableMinutes += result[index].contractNonBillableMinutes
            total.nonBillableMinutes += result[index].nonBillableMinutes
        }
        total.leakageBasisPoints = basisPoints(total.unbilledMinutes, of: total.billableMinutes)
        return result + [total]
    }

    /// Per-tech utilization, in login order. A tech's rows are no client's: their window is read in the report's zone,
    /// else UTC, for the entries and the capacity alike.
    public func utilization() -> [UtilizationRow] {
        let techWindow = window.window.instants(forRowsIn: nil)
        let capacity = Self.capacityMinutes(techWindow, hoursPerWeek: window.capacityHoursPerWeek)
        var logged: [Int32: (Int64, Int64)] = [:]
        entriesInWindow(techWindow) { entry, _ in
            var value = logged[entry.tech] ?? (0, 0)
            value.0 += Int64(entry.minutes)
            if entry.billable { value.1 += Int64(entry.minutes) }
            logged[entry.tech] = value
        }
        return logged.compactMap { id, value -> UtilizationRow? in
            guard let tech = techs.name(id) else { return nil }
            return UtilizationRow(
                tech: tech, loggedMinutes: value.0, billableMinutes: value.1, capacityMinutes: capacity,
                billableOfLoggedBasisPoints: basisPoints(value.1, of: value.0), billableOfCapacityBasisPoints: basisPoints(value.1, of: capacity),
                loggedOfCapacityBasisPoints: basisPoints(value.0, of: capacity))
        }.sorted { $0.tech < $1.tech }
    }

    /// `hours per week × 60 × (milliseconds of Monday–Friday in the window, local days of its zone) / (5 × 86,400,000)`,
    /// rounded down. A local day is counted as 24 hours' worth of its share, so a weekday of 23 or 25 hours (a clock
    /// change) still counts as one day.
    static func capacityMinutes(_ window: ResolvedReportWindow, hoursPerWeek: Int) -> Int64 {
        let day: Int64 = 86_400_000
        let zone = LocalTimeZone(window.zone.identifier) ?? .utc
        var weekdayMilliseconds: Int64 = 0
        var start = window.from
        let end = window.to
        while start < end {
            let date = zone.localDate(containing: start)
            let dayStart = zone.startOfDay(date)
            let nextDay = zone.startOfDay(LocalDate(daysSinceEpoch: date.daysSinceEpoch + 1))
            // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
            let weekday = ((date.daysSinceEpoch + 3) % 7 + 7) % 7
            let length = nextDay.millisecondsSinceEpoch - dayStart.millisecondsSinceEpoch
            if weekday < 5, length > 0 {
                let inside = min(nextDay, end).millisecondsSinceEpoch - start.millisecondsSinceEpoch
                weekdayMilliseconds += inside * day / length
            }
            start = nextDay
        }
        return Int64(hoursPerWeek) * 60 * weekdayMilliseconds / (5 * day)
    }

    /// Tickets opened and closed in the window, by client and category, in that order.
    public func volume() -> [VolumeRow] {
        struct Key: Hashable { var client: Int32, category: Int32 }
        let windows = clientWindows()
        var closed = Set<Int32>()
        for close in closes where tickets[Int(close.ticket)].client >= 0 {
            if windows[Int(tickets[Int(close.ticket)].client)].contains(milliseconds: close.at) { closed.insert(close.ticket) }
        }
        var counts: [Key: (opened: Int, closed: Int)] = [:]
        for (number, ticket) in tickets.enumerated() where ticket.client >= 0 {
            let opened = windows[Int(ticket.client)].contains(milliseconds: ticket.openedAt)
            guard opened || closed.contains(Int32(number)) else { continue }
            let key = Key(client: ticket.client, category: ticket.category)
            var value = counts[key] ?? (0, 0)
            if opened { value.opened += 1 }
            if closed.contains(Int32(number)) { value.closed += 1 }
            counts[key] = value
        }
        return counts.map { key, value in
            VolumeRow(client: clients.name(key.client) ?? "?", category: categories.name(key.category), opened: value.opened, closed: value.closed)
        }.sorted { ($0.client, $0.category ?? "") < ($1.client, $1.category ?? "") }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}

/// Which billable-logged work the contracts never bill by the hour, with each version's terms read once.
private struct ContractExclusions {
    private let byClient: [String: [ContractState]]
    private var terms: [String: BillingTerms?] = [:]

    init(contracts: some Sequence<ContractState>) {
        byClient = Dictionary(grouping: contracts, by: \.client)
    }

    /// Whether the contract in force at `instant` never bills `workType` on a ticket in `category` by the hour.
    mutating func excludes(client: String, workType: String, category: String?, at instant: Timestamp) -> Bool {
        guard let contracts = byClient[client], let (id, version) = ChargeCalculator.contractInForce(contracts, at: instant) else {
            return false
        }
        let key = "\(id)#\(version.amendment)"
        if terms[key] == nil { terms[key] = .some(version.billingTerms.flatMap { try? BillingTerms($0) }) }
        return terms[key]??.neverBillsByTheHour(workType: workType, category: category) ?? false
    }
}

// MARK: - Rebuilding from the log

/// The billing reports rebuilt by one sequential scan of the log.
public enum BillingReportBuilder {
    /// Folds every event of `store` (through `last`, default the head) into a ``BillingReportFold``.
    /// `progress(done, total)` is called every 1M events.
    public static func build(
        from store: EventStore, window: BillingReportWindow, through last: UInt64? = nil,
        progress: ((UInt64, UInt64) -> Void)? = nil
    ) throws -> BillingReportFold {
        var fold = BillingReportFold(window: window)
        let total = try last ?? store.head().position
        var seen: UInt64 = 0
        try store.scanRaw(through: total) { event in
            if let decoded = try BillingReportEvent.read(event) { fold.apply(decoded) }
            seen += 1
            if seen % 1_000_000 == 0 { progress?(seen, total) }
            return true
        }
        if seen >= 1_000_000 { progress?(total, total) }
        return fold
    }
}

extension BillingService {
    /// The billing reports' fold over the whole log as it stands now (docs/billing.md, "Reports").
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func billingReports(_ window: BillingReportWindow, progress: ((UInt64, UInt64) -> Void)? = nil) throws -> BillingReportFold {
        try BillingReportBuilder.build(from: store, window: window, progress: progress)
    }
}
