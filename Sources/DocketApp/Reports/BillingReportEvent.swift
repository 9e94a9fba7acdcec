import Foundation
import DocketTime
import Domain
import EventLog

/// The few facts of the log the billing reports fold, read from the events that carry them. Everything else in
/// the log is skipped by its type string before its payload is touched.
public enum BillingReportEvent: Sendable, Equatable {
    /// `client.registered`: the client's currency and time zone.
    case clientRegistered(client: String, currency: String, timeZone: String = "UTC")
    /// `client.updated` with a new time zone.
    case clientTimeZoneChanged(client: String, timeZone: String)
    /// `ticket.opened`.
    case ticketOpened(ticket: Int, client: String, category: String?, at: Timestamp)
    /// `ticket.category-changed`.
    case ticketCategoryChanged(ticket: Int, category: String)
    /// `ticket.closed`.
    case ticketClosed(ticket: Int, at: Timestamp)
    /// `time.logged` on stream `time-TE-<entry>`.
    case timeLogged(entry: Int, ticket: Int, tech: String, minutes: Int, billable: Bool, startedAt: Timestamp, workType: String = "")
    /// `time.corrected`: nil fields keep their value.
    case timeCorrected(entry: Int, minutes: Int?, billable: Bool?, startedAt: Timestamp?, workType: String? = nil)
    /// `contract.created`, `contract.amended`, `contract.ended` on stream `contract-<id>` (few: decoded in full).
    case contract(id: String, ContractEvent)
    /// `time.voided`.
    case timeVoided(entry: Int)
    /// `user.cost-rate-set` on stream `user-<tech>`.
    case costRateSet(tech: String, rate: UserCostRateSet)
    /// `invoice.drafted`, reduced to what the reports need (with the period it bills).
    case invoiceDrafted(ReportInvoice)
    /// `invoice.finalized`.
    case invoiceFinalized(invoice: String, at: Timestamp)
    /// `invoice.voided` (a credit note for the whole invoice).
    case invoiceVoided(invoice: String, at: Timestamp)
    /// `invoice.discarded`: a draft thrown away, which fixes no billing month's zone.
    case invoiceDiscarded(invoice: String)
    /// `charge.added` with a unit cost: what one-off charge `CH-<charge>` cost the MSP (quantity × unit cost).
    case chargeAdded(charge: Int, costMinor: Int64)
}

/// A drafted invoice as the reports see it: amounts by kind and, per charge key, the entries billed.
public struct ReportInvoice: Sendable, Equatable {
    public var invoice: String
    public var client: String
    public var currency: String
    /// The month the invoice bills, `2026-11` (the run's period); empty when unknown.
    public var period: String
    /// The time zone of the months it bills (`timeZone` on `invoice.drafted`); nil for invoices drafted before months
    /// followed the client's zone, whose months are UTC months.
    public var monthZone: String?
    /// Sum of the amounts of time lines (this invoice's difference, as on the invoice).
    public var timeAmount: Int64
    /// Sum of the amounts of retainer-fee and block-purchase lines.
    public var feeAmount: Int64
    /// Sum of the charged minutes of time lines (minutes billed at the rate by this invoice).
    public var chargedMinutes: Int64
    /// Time lines: the charge key and the entries behind the whole charge (entry number, minutes).
    public var timeLines: [ReportInvoiceLine]
    /// One-off lines: the charge's number (`CH-<n>`) and whether the line bills it (1) or bills it back (-1).
    public var oneOffLines: [ReportOneOffLine] = []

    public init(
        invoice: String, client: String, currency: String, period: String = "", monthZone: String? = nil, timeAmount: Int64, feeAmount: Int64,
        chargedMinutes: Int64, timeLines: [ReportInvoiceLine]
    ) {
        self.monthZone = monthZone
        self.invoice = invoice
        self.client = client
        self.currency = currency
        self.period = period
        self.timeAmount = timeAmount
        self.feeAmount = feeAmount
        self.chargedMinutes = chargedMinutes
        self.timeLines = timeLines
    }
}

/// One time line of a drafted invoice: its key, the entries of the charge as computed at the run, and how many of the
/// charge's minutes the line bills.
public struct ReportInvoiceLine: Sendable, Equatable {
    public var key: String
    /// (entry number of `TE-<n>`, minutes) for every entry behind the charge.
    public var entries: [ReportBilledEntry]
    /// The whole charge's minutes at the run, charged and covered: what live invoices bill under the key once this
    /// line is billed.
    public var chargeMinutes: Int
    /// The minutes this line adds to what live invoices had billed under the key before it (negative for a reduction).
    public var lineMinutes: Int

    /// A line of a charge; by default its first billing: the charge's minutes are its entries', all billed by the line.
    public init(key: String, entries: [ReportBilledEntry], chargeMinutes: Int? = nil, lineMinutes: Int? = nil) {
        self.key = key
        self.entries = entries
        self.chargeMinutes = chargeMinutes ?? entries.reduce(0) { $0 + $1.minutes }
        self.lineMinutes = lineMinutes ?? self.chargeMinutes
    }
}

/// A one-off charge's line on a drafted invoice: the charge's number and whether the line bills it (1) or bills it
/// back (-1, after a void).
public struct ReportOneOffLine: Sendable, Equatable {
    public var charge: Int
    public var sign: Int64

    public init(charge: Int, sign: Int64) {
        self.charge = charge
        self.sign = sign
    }
}

/// An entry behind a billed charge.
public struct ReportBilledEntry: Sendable, Equatable {
    public var entry: Int
    public var minutes: Int

    public init(entry: Int, minutes: Int) {
        self.entry = entry
        self.minutes = minutes
    }
}

// MARK: - Reading events from the log

extension BillingReportEvent {
    /// The report event in a stored event, or nil for the types the reports ignore. Dispatches on the type
    /// bytes before reading the payload, and reads payloads with ``CanonicalJSONReader``.
    public static func read(_ event: RawEventView) throws -> BillingReportEvent? {
        let type = event.type
        // Every type the reports read is at least 11 bytes and starts with one of four letters.
        guard type.count >= 11 else { return nil }
        switch type[0] {
        case UInt8(ascii: "t"):
            if event.typeIs("time.logged") { return try timeLogged(event) }
            if event.typeIs("time.corrected") { return try timeCorrected(event) }
            if event.typeIs("time.voided") {
                guard let entry = number(event.stream, after: "time-TE-") else { return nil }
                return .timeVoided(entry: entry)
            }
            if event.typeIs("ticket.opened") { return try ticketOpened(event) }
            if event.typeIs("ticket.category-changed") {
                guard let ticket = number(event.stream, after: "ticket-T-") else { return nil }
                var category: String?
                try members(event) { key, json in
                    if CanonicalJSONReader.key(key, is: "category") { category = try json.string() } else { try json.skipValue() }
                }
                guard let category else { return nil }
                return .ticketCategoryChanged(ticket: ticket, category: category)
            }
            if event.typeIs("ticket.closed") {
                guard let ticket = number(event.stream, after: "ticket-T-") else { return nil }
                return .ticketClosed(ticket: ticket, at: Timestamp(millisecondsSinceEpoch: event.recordedAtMilliseconds))
            }
            return nil
        case UInt8(ascii: "i"):
            if event.typeIs("invoice.drafted") { return try invoiceDrafted(event) }
            let at = Timestamp(millisecondsSinceEpoch: event.recordedAtMilliseconds)
            if event.typeIs("invoice.finalized") { return .invoiceFinalized(invoice: try invoiceId(event), at: at) }
            if event.typeIs("invoice.voided") { return .invoiceVoided(invoice: try invoiceId(event), at: at) }
            if event.typeIs("invoice.discarded") { return .invoiceDiscarded(invoice: try invoiceId(event)) }
            return nil
        case UInt8(ascii: "u"):
            guard event.typeIs("user.cost-rate-set"), event.streamHasPrefix("user-") else { return nil }
            let tech = String(decoding: UnsafeRawBufferPointer(rebasing: event.stream[5...]), as: UTF8.self)
            var version = 0
            var cost: Int64 = 0
            var currency = ""
            var effective: Timestamp?
            try members(event) { key, json in
                if CanonicalJSONReader.key(key, is: "version") {
                    version = Int(try json.int())
                } else if CanonicalJSONReader.key(key, is: "costPerHourMinor") {
                    cost = try json.int()
                } else if CanonicalJSONReader.key(key, is: "currency") {
                    currency = try json.string()
                } else if CanonicalJSONReader.key(key, is: "effectiveFrom") {
                    effective = try timestamp(&json)
                } else {
                    try json.skipValue()
                }
            }
            guard let effective else { throw malformed(event, "no effectiveFrom") }
            return .costRateSet(
                tech: tech, rate: UserCostRateSet(version: version, costPerHourMinor: cost, currency: currency, effectiveFrom: effective))
        case UInt8(ascii: "c"):
            if event.typeIs("charge.added") { return try chargeAdded(event) }
            if event.streamHasPrefix("contract-") {
                let type = String(decoding: event.type, as: UTF8.self)
                guard type.hasPrefix("contract.") else { return nil }
                let id = String(decoding: UnsafeRawBufferPointer(rebasing: event.stream[9...]), as: UTF8.self)
                return .contract(id: id, try ContractEvent.decode(type: type, schemaVersion: event.schemaVersion, payload: Array(event.payload)))
            }
            if event.typeIs("client.updated") {
                guard event.streamHasPrefix("client-") else { return nil }
                var timeZone: String?
                try members(event) { key, json in
                    if CanonicalJSONReader.key(key, is: "timeZone") {
                        timeZone = json.null() ? nil : try json.string()
                    } else {
                        try json.skipValue()
                    }
                }
                guard let timeZone else { return nil }
                let client = String(decoding: UnsafeRawBufferPointer(rebasing: event.stream[7...]), as: UTF8.self)
                return .clientTimeZoneChanged(client: client, timeZone: timeZone)
            }
            guard event.typeIs("client.registered") else { return nil }
            var client = ""
            var currency = ""
            var timeZone = "UTC"
            try members(event) { key, json in
                if CanonicalJSONReader.key(key, is: "code") {
                    client = try json.string()
                } else if CanonicalJSONReader.key(key, is: "currency") {
                    currency = try json.string()
                } else if CanonicalJSONReader.key(key, is: "timeZone") {
                    timeZone = try json.string()
                } else {
                    try json.skipValue()
                }
            }
            return .clientRegistered(client: client, currency: currency, timeZone: timeZone)
        default:
            return nil
        }
    }

    /// `charge.added`: its cost, quantity × unit cost; nil without a unit cost (or one past 64 bits), which costs nothing.
    private static func chargeAdded(_ event: RawEventView) throws -> BillingReportEvent? {
        guard let charge = number(event.stream, after: "charge-CH-") else { return nil }
        var quantity: Int64 = 0
        var unitCost: Int64?
        try members(event) { key, json in
            if CanonicalJSONReader.key(key, is: "quantity") {
                quantity = try json.int()
            } else if CanonicalJSONReader.key(key, is: "unitCostMinor") {
                unitCost = try json.int()
            } else {
                try json.skipValue()
            }
        }
        guard let unitCost else { return nil }
        let (cost, overflow) = unitCost.multipliedReportingOverflow(by: quantity)
        return overflow ? nil : .chargeAdded(charge: charge, costMinor: cost)
    }

    private static func timeLogged(_ event: RawEventView) throws -> BillingReportEvent? {
        guard let entry = number(event.stream, after: "time-TE-") else { return nil }
        var ticket: Int?
        var tech = ""
        var minutes = 0
        var billable = true
        var startedAt: Timestamp?
        var workType = ""
        try members(event) { key, json in
            switch key.count {
            case 4 where CanonicalJSONReader.key(key, is: "tech"): tech = try json.string()
            case 8 where CanonicalJSONReader.key(key, is: "workType"): workType = try json.string()
            case 6 where CanonicalJSONReader.key(key, is: "ticket"):
                if let plain = try json.plainString() { ticket = number(plain, after: "T-") } else { ticket = Int(try json.string().dropFirst(2)) }
            case 7 where CanonicalJSONReader.key(key, is: "minutes"): minutes = Int(try json.int())
            case 8 where CanonicalJSONReader.key(key, is: "billable"): billable = try json.bool()
            case 9 where CanonicalJSONReader.key(key, is: "startedAt"): startedAt = try timestamp(&json)
            default: try json.skipValue()
            }
        }
        guard let ticket, let startedAt else { throw malformed(event, "no ticket or startedAt") }
        return .timeLogged(
            entry: entry, ticket: ticket, tech: tech, minutes: minutes, billable: billable, startedAt: startedAt, workType: workType)
    }

    private static func timeCorrected(_ event: RawEventView) throws -> BillingReportEvent? {
        guard let entry = number(event.stream, after: "time-TE-") else { return nil }
        var minutes: Int?
        var billable: Bool?
        var startedAt: Timestamp?
        var workType: String?
        try members(event) { key, json in
            if json.null() { return }
            if CanonicalJSONReader.key(key, is: "minutes") {
                minutes = Int(try json.int())
            } else if CanonicalJSONReader.key(key, is: "workType") {
                workType = try json.string()
            } else if CanonicalJSONReader.key(key, is: "billable") {
                billable = try json.bool()
            } else if CanonicalJSONReader.key(key, is: "startedAt") {
                startedAt = try timestamp(&json)
            } else {
                try json.skipValue()
            }
        }
        return .timeCorrected(entry: entry, minutes: minutes, billable: billable, startedAt: startedAt, workType: workType)
    }

    private static func ticketOpened(_ event: RawEventView) throws -> BillingReportEvent? {
        guard let ticket = number(event.stream, after: "ticket-T-") else { return nil }
        var client = ""
        var category: String?
        try members(event) { key, json in
            if CanonicalJSONReader.key(key, is: "client") {
                client = try json.string()
            } else if CanonicalJSONReader.key(key, is: "category") {
                category = json.null() ? nil : try json.string()
            } else {
                try json.skipValue()
            }
        }
        return .ticketOpened(ticket: ticket, client: client, category: category, at: Timestamp(millisecondsSinceEpoch: event.recordedAtMilliseconds))
    }

    private static func invoiceId(_ event: RawEventView) throws -> String {
        var invoice = ""
        try members(event) { key, json in
            if CanonicalJSONReader.key(key, is: "invoice") { invoice = try json.string() } else { try json.skipValue() }
        }
        return invoice
    }

    private static func invoiceDrafted(_ event: RawEventView) throws -> BillingReportEvent? {
        var invoice = ReportInvoice(invoice: "", client: "", currency: "", timeAmount: 0, feeAmount: 0, chargedMinutes: 0, timeLines: [])
        try members(event) { key, json in
            if CanonicalJSONReader.key(key, is: "invoice") {
                invoice.invoice = try json.string()
            } else if CanonicalJSONReader.key(key, is: "client") {
                invoice.client = try json.string()
            } else if CanonicalJSONReader.key(key, is: "currency") {
                invoice.currency = try json.string()
            } else if CanonicalJSONReader.key(key, is: "period") {
                invoice.period = try json.string()
            } else if CanonicalJSONReader.key(key, is: "timeZone") {
                invoice.monthZone = json.null() ? nil : try json.string()
            } else if CanonicalJSONReader.key(key, is: "lines") {
                try json.forEachElement { line in try readLine(&line, into: &invoice) }
            } else {
                try json.skipValue()
            }
        }
        return .invoiceDrafted(invoice)
    }

    /// One `InvoiceLine`: the line's amount is `charge.amount − previousAmount`, its minutes
    /// `charge.chargedMinutes − previousChargedMinutes` (``InvoiceLine/amount``); what it bills of the charge, charged and
    /// covered minutes together, `charge.chargedMinutes + charge.coveredMinutes − previous ones`.
    private static func readLine(_ json: inout CanonicalJSONReader, into invoice: inout ReportInvoice) throws {
        var amount: Int64 = 0
        var charged: Int64 = 0
        var covered: Int64 = 0
        var previousAmount: Int64 = 0
        var previousCharged: Int64 = 0
        var previousCovered: Int64 = 0
        var isTime = false
        var isOneOff = false
        var key = ""
        var entries: [ReportBilledEntry] = []
        try json.forEachMember { name, json in
            if CanonicalJSONReader.key(name, is: "charge") {
                try json.forEachMember { name, json in
                    if CanonicalJSONReader.key(name, is: "amount") {
                        amount = try json.int()
                    } else if CanonicalJSONReader.key(name, is: "chargedMinutes") {
                        charged = try json.int()
                    } else if CanonicalJSONReader.key(name, is: "coveredMinutes") {
                        covered = try json.int()
                    } else if CanonicalJSONReader.key(name, is: "kind") {
                        let kind = try json.string()
                        isTime = kind == Charge.Kind.time.rawValue
                        isOneOff = kind == Charge.Kind.oneOff.rawValue
                    } else if CanonicalJSONReader.key(name, is: "key") {
                        key = try json.string()
                    } else if CanonicalJSONReader.key(name, is: "entries") {
                        try json.forEachElement { json in
                            var entry = 0
                            var minutes = 0
                            try json.forEachMember { name, json in
                                if CanonicalJSONReader.key(name, is: "entryId") {
                                    let id = try json.string()
                                    entry = Int(id.utf8.starts(with: "TE-".utf8) ? id.dropFirst(3) : "") ?? 0
                                } else if CanonicalJSONReader.key(name, is: "minutes") {
                                    minutes = Int(try json.int())
                                } else {
                                    try json.skipValue()
                                }
                            }
                            entries.append(ReportBilledEntry(entry: entry, minutes: minutes))
                        }
                    } else {
                        try json.skipValue()
                    }
                }
            } else if CanonicalJSONReader.key(name, is: "previousAmount") {
                previousAmount = try json.int()
            } else if CanonicalJSONReader.key(name, is: "previousChargedMinutes") {
                previousCharged = try json.int()
            } else if CanonicalJSONReader.key(name, is: "previousCoveredMinutes") {
                previousCovered = try json.int()
            } else {
                try json.skipValue()
            }
        }
        if isTime {
            invoice.timeAmount += amount - previousAmount
            invoice.chargedMinutes += charged - previousCharged
            let state = charged + covered
            invoice.timeLines.append(ReportInvoiceLine(
                key: key, entries: entries, chargeMinutes: Int(clamping: state),
                lineMinutes: Int(clamping: state - previousCharged - previousCovered)))
        } else {
            invoice.feeAmount += amount - previousAmount
            if isOneOff, key.utf8.starts(with: "one-off:CH-".utf8), let charge = Int(key.dropFirst("one-off:CH-".count)), amount != previousAmount {
                invoice.oneOffLines.append(ReportOneOffLine(charge: charge, sign: amount > previousAmount ? 1 : -1))
            }
        }
    }

    // MARK: - Helpers

    private static func members(
        _ event: RawEventView, _ body: (UnsafeRawBufferPointer, inout CanonicalJSONReader) throws -> Void
    ) throws {
        var json = CanonicalJSONReader(event.payload)
        do {
            try json.forEachMember(body)
        } catch let error as CanonicalJSONReader.Malformed {
            throw malformed(event, error.description)
        }
    }

    private static func timestamp(_ json: inout CanonicalJSONReader) throws -> Timestamp {
        let text = try json.string()
        guard let instant = Timestamp(iso8601: text) else {
            throw CanonicalJSONReader.Malformed(offset: json.offset, what: "bad time \(text)")
        }
        return instant
    }

    private static func malformed(_ event: RawEventView, _ detail: String) -> EventDecodingError {
        EventDecodingError(
            type: String(decoding: event.type, as: UTF8.self), schemaVersion: event.schemaVersion,
            reason: .malformedPayload("\(detail), position \(event.position)"))
    }

    /// The decimal number after `prefix` in `bytes` (`time-TE-42` → 42), or nil.
    static func number(_ bytes: UnsafeRawBufferPointer, after prefix: StaticString) -> Int? {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count > count, bytes.count - count <= 18, memcmp(bytes.baseAddress!, prefix.utf8Start, count) == 0 else { return nil }
        var value = 0
        for index in count..<bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}
