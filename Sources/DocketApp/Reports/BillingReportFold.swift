import DocketTime
import Domain
import EventLog

/// How profitability dates revenue.
public enum RevenueDating: String, Sendable, CaseIterable {
    /// By the invoice's period: an invoice (and the credit note voiding it) counts when the first day of the month it
    /// bills falls in the window, whenever it was finalized or voided. The default: revenue meets the cost of its month.
    case period
    /// By issue: an invoice counts when it was finalized in the window, a credit note when it was issued in it.
    case issued
}

/// The window and settings of the billing reports.
public struct BillingReportWindow: Sendable, Equatable {
    /// `[from, to)`, its wall-clock ends read in each client's zone (docs/billing.md, "Reports").
    public var window: ReportWindow
    /// A tech's capacity per week, in hours (utilization).
    public var capacityHoursPerWeek: Int
    /// How profitability dates revenue.
    public var revenueBy: RevenueDating

    public init(_ window: ReportWindow, capacityHoursPerWeek: Int = 40, revenueBy: RevenueDating = .period) {
        self.window = window
        self.capacityHoursPerWeek = capacityHoursPerWeek
        self.revenueBy = revenueBy
    }

    /// The exact window `[from, to)`, the same for every row.
    public init(from: Timestamp, to: Timestamp, capacityHoursPerWeek: Int = 40, revenueBy: RevenueDating = .period) {
        self.init(ReportWindow(from: from, to: to), capacityHoursPerWeek: capacityHoursPerWeek, revenueBy: revenueBy)
    }

    /// Whether revenue of `invoice` dated at `issued` counts in the window: by the month it bills, in the zone its months
    /// are in (whatever offset the window was typed with), or, by issue, at `issued` read in that zone.
    func countsRevenue(of invoice: ReportInvoice, issued: Timestamp) -> Bool {
        switch revenueBy {
        case .issued: return window.instants(forRowsIn: invoice.monthZone).contains(issued)
        case .period:
            return BillingPeriod(invoice.period).map { window.countsMonth($0, zone: invoice.monthZone) }
                ?? window.instants(forRowsIn: invoice.monthZone).contains(issued)
        }
    }
}

/// The state the billing reports fold from the log, one event at a time (``apply(_:)`` is pure: state + event →
/// state). Tickets and time entries are kept in arrays indexed by their number, names are interned.
public struct BillingReportFold: Sendable {
    public let window: BillingReportWindow

    struct Ticket: Sendable {
        var client: Int32 = -1
        var category: Int32 = -1
        /// When it was opened (milliseconds since the epoch): in the window or not by its client's zone, once the
        /// scan has every client's zone.
        var openedAt: Int64 = 0
    }

    /// A close of ticket `ticket` (its number) at `at` (milliseconds since the epoch).
    struct Close: Sendable {
        var ticket: Int32
        var at: Int64
    }

    struct Entry: Sendable {
        var ticket: Int32 = -1
        var tech: Int32 = -1
        var minutes: Int32 = 0
        var billable = false
        var voided = false
        var startedAt: Int64 = 0
        var workType: Int32 = -1
        var exists: Bool { ticket >= 0 }
    }

    struct Invoice: Sendable {
        var data: ReportInvoice
        var client: Int32
        var finalized = false
        var voided = false
        var discarded = false
        /// Order of drafting: a later run's line under a key holds the key's later state.
        var draftOrder = 0
    }

    /// Money of one client in the window.
    struct Revenue: Sendable {
        var invoices = 0
        var creditNotes = 0
        var invoiced: Int64 = 0
        var credited: Int64 = 0
        var time: Int64 = 0
        var fees: Int64 = 0
        var chargedMinutes: Int64 = 0
        /// What the one-off charges the counted invoices bill cost the MSP (less those their credit notes or later
        /// lines bill back).
        var oneOffCost: Int64 = 0
        var currency = ""
    }

    private(set) var clients = Interner()
    private(set) var techs = Interner()
    private(set) var categories = Interner()
    private(set) var workTypes = Interner()
    /// Contracts by id, folded from their events (for the work their terms never bill by the hour).
    private(set) var contracts: [String: ContractState] = [:]
    private(set) var clientCurrency: [Int32: String] = [:]
    /// Each client's time zone as the log stands at the end of the scan (`client.registered`, `client.updated`): the
    /// zone of its months not yet invoiced.
    private(set) var clientZone: [Int32: String] = [:]
    private(set) var tickets: [Ticket] = []
    private(set) var closes: [Close] = []
    private(set) var entries: [Entry] = []
    private(set) var costRates: [Int32: UserState] = [:]
    private(set) var invoices: [String: Invoice] = [:]
    private(set) var revenue: [Int32: Revenue] = [:]
    /// The cost of each one-off charge with a unit cost, by its number (`CH-<n>`).
    private(set) var oneOffCosts: [Int: Int64] = [:]
    private var draftCount = 0

    public init(window: BillingReportWindow) { self.window = window }

    /// The state after `event`.
    public mutating func apply(_ event: BillingReportEvent) {
        switch event {
        case .clientRegistered(let client, let currency, let timeZone):
            let id = clients.id(client)
            clientCurrency[id] = currency
            clientZone[id] = timeZone
        case .clientTimeZoneChanged(let client, let timeZone):
            clientZone[clients.id(client)] = timeZone
        case .ticketOpened(let number, let client, let category, let at):
            guard Self.grow(&tickets, to: number) else { return }
            tickets[number] = Ticket(
                client: clients.id(client), category: category.map { categories.id($0) } ?? -1, openedAt: at.millisecondsSinceEpoch)
        case .ticketCategoryChanged(let number, let category):
            guard number >= 0, number < tickets.count else { return }
            tickets[number].category = categories.id(category)
        case .ticketClosed(let number, let at):
            guard number >= 0, number < tickets.count else { return }
            closes.append(Close(ticket: Int32(number), at: at.millisecondsSinceEpoch))
        case .timeLogged(let entry, let ticket, let tech, let minutes, let billable, let startedAt, let workType):
            guard Self.grow(&entries, to: entry) else { return }
            entries[entry] = Entry(
                ticket: Int32(clamping: ticket), tech: techs.id(tech), minutes: Int32(clamping: minutes), billable: billable, voided: false,
                startedAt: startedAt.millisecondsSinceEpoch, workType: workTypes.id(workType))
        case .timeCorrected(let entry, let minutes, let billable, let startedAt, let workType):
            guard entry >= 0, entry < entries.count, entries[entry].exists else { return }
            if let minutes { entries[entry].minutes = Int32(clamping: minutes) }
            if let workType { entries[entry].workType = workTypes.id(workType) }
            if let billable { entries[entry].billable = billable }
            if let startedAt { entries[entry].startedAt = startedAt.millisecondsSinceEpoch }
        case .timeVoided(let entry):
            guard entry >= 0, entry < entries.count else { return }
            entries[entry].voided = true
        case .contract(let id, let event):
            contracts[id] = ContractDecider.evolve(contracts[id] ?? ContractDecider.initialState, event)
        case .costRateSet(let tech, let rate):
            costRates[techs.id(tech), default: UserState()].costRates.append(rate)
        case .invoiceDrafted(let data):
            let client = clients.id(data.client)
            draftCount += 1
            invoices[data.invoice] = Invoice(data: data, client: client, draftOrder: draftCount)
        case .invoiceFinalized(let id, let at):
            guard var invoice = invoices[id], !invoice.finalized else { return }
            invoice.finalized = true
            invoices[id] = invoice
            guard window.countsRevenue(of: invoice.data, issued: at) else { return }
            var money = revenue[invoice.client, default: Revenue()]
            money.invoices += 1
            money.invoiced += invoice.data.timeAmount + invoice.data.feeAmount
            money.time += invoice.data.timeAmount
            money.fees += invoice.data.feeAmount
            money.chargedMinutes += invoice.data.chargedMinutes
            money.oneOffCost += oneOffCost(of: invoice.data)
            money.currency = invoice.data.currency
            revenue[invoice.client] = money
        case .invoiceVoided(let id, let at):
            guard var invoice = invoices[id], invoice.finalized, !invoice.voided else { return }
            invoice.voided = true
            invoices[id] = invoice
            guard window.countsRevenue(of: invoice.data, issued: at) else { return }
            var money = revenue[invoice.client, default: Revenue()]
            money.creditNotes += 1
            money.credited += invoice.data.timeAmount + invoice.data.feeAmount
            money.time -= invoice.data.timeAmount
            money.fees -= invoice.data.feeAmount
            money.chargedMinutes -= invoice.data.chargedMinutes
            money.oneOffCost -= oneOffCost(of: invoice.data)
            money.currency = invoice.data.currency
            revenue[invoice.client] = money
        case .invoiceDiscarded(let id):
            invoices[id]?.discarded = true
        case .chargeAdded(let charge, let cost):
            oneOffCosts[charge] = cost
        }
    }

    /// What the one-off charges `invoice` bills cost, less those it bills back.
    private func oneOffCost(of invoice: ReportInvoice) -> Int64 {
        invoice.oneOffLines.reduce(0) { $0 + $1.sign * (oneOffCosts[$1.charge] ?? 0) }
    }

    /// Each client's billing months (by client id), as its invoice runs fixed them: months through an invoice's period
    /// keep the zone it recorded, later ones follow the client's zone at the end of the scan (``BillingMonths``).
    func clientMonths() -> [BillingMonths] {
        var billed = [[Invoice]](repeating: [], count: clients.names.count)
        for invoice in invoices.values where !invoice.discarded && invoice.client >= 0 { billed[Int(invoice.client)].append(invoice) }
        return billed.enumerated().map { client, invoices in
            BillingMonths(
                billed: invoices.sorted { $0.draftOrder < $1.draftOrder }.map { (period: $0.data.period, zone: $0.data.monthZone) },
                current: clientZone[Int32(client)] ?? "UTC")
        }
    }

    /// Makes `array[index]` exist; false for numbers no store hands out (negative or absurdly large).
    private static func grow<T: DefaultInit>(_ array: inout [T], to index: Int) -> Bool {
        guard index >= 0, index < 1 << 31 else { return false }
        if index >= array.count {
            // Grow geometrically: asking for `count * 2` on every append would reallocate every time.
            if index >= array.capacity { array.reserveCapacity(Swift.max(index + 1, array.capacity * 2)) }
            while array.count <= index { array.append(T()) }
        }
        return true
    }
}

protocol DefaultInit { init() }
extension BillingReportFold.Ticket: DefaultInit {}
extension BillingReportFold.Entry: DefaultInit {}

/// Strings to small integer ids and back.
struct Interner: Sendable {
    private var ids: [String: Int32] = [:]
    private(set) var names: [String] = []

    mutating func id(_ name: String) -> Int32 {
        if let id = ids[name] { return id }
        let id = Int32(names.count)
        ids[name] = id
        names.append(name)
        return id
    }

    func name(_ id: Int32) -> String? { id >= 0 && Int(id) < names.count ? names[Int(id)] : nil }
}
