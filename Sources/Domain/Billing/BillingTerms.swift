import DocketTime

/// A contract's billing terms, read from the `billingTerms` object of a contract version (docs/billing.md).
///
/// ```json
/// {"model": "hourly", "currency": "USD", "rates": {"remote": 12500, "onsite": 15000, "*": 12500},
///  "rounding": {"incrementMinutes": 15, "scope": "entry"}, "minimumMinutesPerTicket": 30, "minimumTopUp": "business-hours",
///  "afterHours": {"calendar": "ny-office", "multiplierPercent": 150},
///  "nonBillableWorkTypes": ["internal"], "nonBillableCategories": ["warranty"], "taxRate": "8.875"}
/// ```
/// Rates are minor units per hour; `"*"` prices any work type not listed. A `block` model adds
/// `"block": {"id": "2026-Q4", "minutes": 1200, "priceMinor": 180000, "overageRatePerHour": 15000, "expiresAt": "2027-01-01T00:00:00Z"}`;
/// a `retainer` model adds `"retainer": {"monthlyFeeMinor": 250000, "includedMinutes": 600, "coveredCategories": ["helpdesk"]}`.
public struct BillingTerms: Sendable, Equatable {
    /// How time turns into money.
    public enum Model: String, Sendable, CaseIterable {
        /// Time and materials: every billable minute at the work type's rate.
        case hourly
        /// A prepaid block of minutes drawn down in order of work; overage at the block's rate.
        case block
        /// A monthly flat fee covering some minutes and/or ticket categories; the rest hourly.
        case retainer
    }

    /// Whether rounding applies to each entry or to a ticket's total.
    public enum RoundingScope: String, Sendable, CaseIterable {
        case entry, ticket
    }

    /// Round billable minutes up to a multiple of `incrementMinutes`.
    public struct Rounding: Sendable, Equatable {
        public var incrementMinutes: Int
        public var scope: RoundingScope
    }

    /// At which rate a ticket's month below `minimumMinutesPerTicket` is topped up (docs/billing.md, step 5).
    public enum MinimumTopUp: String, Sendable, CaseIterable {
        /// At the rate of the month's first work on the ticket, after hours or not (the rule before the term existed).
        case firstWork = "first-work"
        /// At the business-hours rate: the ticket's first business-hours charge of the month is topped up, or, when all
        /// of its work that month was after hours, a charge of its own at the first work's rate without the multiplier.
        case businessHours = "business-hours"
    }

    /// Work started outside `calendar`'s business hours is billed at `multiplierPercent` (150 = ×1.5).
    public struct AfterHours: Sendable, Equatable {
        public var calendar: String
        public var multiplierPercent: Int
    }

    /// A prepaid block of minutes.
    public struct Block: Sendable, Equatable {
        /// Names the block: versions of the terms with the same id share one balance.
        public var id: String
        public var minutes: Int
        /// Charged once, on the first invoice run whose period reaches the block; nil when paid elsewhere.
        public var priceMinor: Int64?
        public var overageRatePerHour: Int64
        /// Work started at or after this instant is not covered.
        public var expiresAt: Timestamp?
    }

    /// A monthly retainer.
    public struct Retainer: Sendable, Equatable {
        public var monthlyFeeMinor: Int64
        /// Minutes per calendar month covered by the fee, drawn down in order of work.
        public var includedMinutes: Int
        /// Ticket categories whose work is covered in full.
        public var coveredCategories: [String]
    }

    /// A charge per unit every month (managed workstations, users, licences): `quantity` × `unitPriceMinor`, under any
    /// model, in force like the rest of the terms (docs/billing.md, "Recurring charges").
    public struct Recurring: Sendable, Equatable {
        /// Names the item (`workstations`): its monthly charge is keyed by it, and an amendment changes it by naming it.
        public var id: String
        /// What the client reads on the line (`Managed workstation`).
        public var description: String
        public var unitPriceMinor: Int64
        /// How many units; 0 bills nothing (an item kept for later).
        public var quantity: Int

        /// The month's amount: quantity × unit price.
        public var amountMinor: Int64 { Int64(quantity) * unitPriceMinor }
    }

    public var model: Model
    /// ISO 4217 code, e.g. `USD`.
    public var currency: String
    /// Minor units per hour by work type; `"*"` is the rate for other work types.
    public var rates: [String: Int64]
    public var rounding: Rounding?
    public var minimumMinutesPerTicket: Int
    /// How the minimum is topped up; `first-work` when the terms do not say.
    public var minimumTopUp: MinimumTopUp
    public var afterHours: AfterHours?
    public var nonBillableWorkTypes: [String]
    public var nonBillableCategories: [String]
    /// The tax rate on every line priced under these terms (0 when untaxed).
    public var taxRate: TaxRate
    public var block: Block?
    public var retainer: Retainer?
    /// The recurring charges per unit, by id.
    public var recurring: [Recurring]
    /// The client's purchase order for the work these terms price (`4500012345`), printed on the invoices that bill it
    /// (docs/billing.md, "Bill-to"); nil when the client issued none.
    public var purchaseOrder: String?

    /// The hourly rate for `workType`, if the terms price it.
    public func rate(for workType: String) -> Int64? {
        rates[workType] ?? rates["*"]
    }

    /// Whether the terms never bill such work by the hour: a non-billable work type or category, or a category
    /// the retainer covers in full. Such time is not leakage (docs/billing.md, "Reports").
    public func neverBillsByTheHour(workType: String, category: String?) -> Bool {
        if nonBillableWorkTypes.contains(workType) { return true }
        guard let category else { return false }
        return nonBillableCategories.contains(category) || (retainer?.coveredCategories.contains(category) ?? false)
    }
}

// MARK: - New terms

extension BillingTerms {
    /// What only new terms (a contract created or amended now) must satisfy, beyond what reading checks: every work type
    /// in `rates` (other than `"*"`) and in `nonBillableWorkTypes` is written as time entries record it, by the rule of
    /// ``TimeEntryDecider/checkWorkType(_:)`` (lower case, letters, digits and dashes), so it can match logged time.
    /// Terms stored before the check keep reading as they are.
    public func requireNewTermsRules() throws(DomainError) {
        for key in rates.keys.sorted() where key != "*" {
            try Self.requireWorkType(key, field: "billingTerms.rates", as: "key \"\(key)\"")
        }
        for name in nonBillableWorkTypes {
            try Self.requireWorkType(name, field: "billingTerms.nonBillableWorkTypes", as: "entry \"\(name)\"")
        }
    }

    private static func requireWorkType(_ name: String, field: String, as what: String) throws(DomainError) {
        let logged: String
        do throws(DomainError) {
            logged = try TimeEntryDecider.checkWorkType(name)
        } catch {
            throw DomainError(
                .invalid, "\(field) \(what) is not a work type (\(error.message)); name work types as `docket time log --work-type` takes them")
        }
        guard logged == name else {
            throw DomainError(
                .invalid,
                "\(field) \(what) would never match: time is logged with work type \"\(logged)\" (lower case); write \"\(logged)\"")
        }
    }
}

// MARK: - Reading

extension BillingTerms {
    /// Reads and checks terms; the error names the field and the fix.
    public init(_ value: JSONValue) throws(DomainError) {
        let root = try TermsReader(value, path: "billingTerms")
        try root.allowOnly([
            "model", "currency", "rates", "rounding", "minimumMinutesPerTicket", "minimumTopUp", "afterHours", "nonBillableWorkTypes",
            "nonBillableCategories", "taxBasisPoints", "taxRate", "taxRateMillionths", "block", "retainer", "recurring", "purchaseOrder",
        ])
        let modelName = try root.string("model")
        guard let model = Model(rawValue: modelName) else {
            throw root.error("model", "must be one of hourly, block or retainer, not \(modelName)")
        }
        self.model = model
        currency = try root.string("currency")
        guard currency.count == 3, currency.utf8.allSatisfy({ (65...90).contains($0) }) else {
            throw root.error("currency", "must be an ISO 4217 code such as USD, not \(currency)")
        }
        var rates: [String: Int64] = [:]
        if let table = try root.optionalObject("rates") {
            for (workType, _) in table.fields {
                rates[workType] = try table.integer(workType, in: 0...100_000_000)
            }
        }
        self.rates = rates
        if let rounding = try root.optionalObject("rounding") {
            try rounding.allowOnly(["incrementMinutes", "scope"])
            let scopeName = try rounding.optionalString("scope") ?? "entry"
            guard let scope = RoundingScope(rawValue: scopeName) else {
                throw rounding.error("scope", "must be entry or ticket, not \(scopeName)")
            }
            self.rounding = Rounding(incrementMinutes: Int(try rounding.integer("incrementMinutes", in: 1...480)), scope: scope)
        } else {
            rounding = nil
        }
        minimumMinutesPerTicket = Int(try root.optionalInteger("minimumMinutesPerTicket", in: 0...1_440) ?? 0)
        let topUpName = try root.optionalString("minimumTopUp") ?? MinimumTopUp.firstWork.rawValue
        guard let minimumTopUp = MinimumTopUp(rawValue: topUpName) else {
            throw root.error("minimumTopUp", "must be first-work or business-hours, not \(topUpName)")
        }
        self.minimumTopUp = minimumTopUp
        if let afterHours = try root.optionalObject("afterHours") {
            try afterHours.allowOnly(["calendar", "multiplierPercent"])
            self.afterHours = AfterHours(
                calendar: try afterHours.string("calendar"),
                multiplierPercent: Int(try afterHours.integer("multiplierPercent", in: 100...1_000)))
        } else {
            afterHours = nil
        }
        nonBillableWorkTypes = try root.optionalStrings("nonBillableWorkTypes") ?? []
        nonBillableCategories = try root.optionalStrings("nonBillableCategories") ?? []
        taxRate = try root.taxRate()
        if let block = try root.optionalObject("block") {
            try block.allowOnly(["id", "minutes", "priceMinor", "overageRatePerHour", "expiresAt"])
            var expiresAt: Timestamp?
            if let text = try block.optionalString("expiresAt") {
                guard let instant = Timestamp(iso8601: text) else {
                    throw block.error("expiresAt", "must be an RFC 3339 time such as 2027-01-01T00:00:00Z, not \(text)")
                }
                expiresAt = instant
            }
            self.block = Block(
                id: try block.string("id"), minutes: Int(try block.integer("minutes", in: 1...10_000_000)),
                priceMinor: try block.optionalInteger("priceMinor", in: 0...1_000_000_000_000),
                overageRatePerHour: try block.integer("overageRatePerHour", in: 0...100_000_000), expiresAt: expiresAt)
        } else {
            block = nil
        }
        if let retainer = try root.optionalObject("retainer") {
            try retainer.allowOnly(["monthlyFeeMinor", "includedMinutes", "coveredCategories"])
            self.retainer = Retainer(
                monthlyFeeMinor: try retainer.integer("monthlyFeeMinor", in: 0...1_000_000_000_000),
                includedMinutes: Int(try retainer.optionalInteger("includedMinutes", in: 0...1_000_000) ?? 0),
                coveredCategories: try retainer.optionalStrings("coveredCategories") ?? [])
        } else {
            retainer = nil
        }
        recurring = try root.optionalObject("recurring").map(Self.recurring) ?? []
        if let order = try root.optionalString("purchaseOrder") {
            guard (1...64).contains(order.count), OneLine.firstControl(in: order) == nil, order.first?.isWhitespace == false,
                order.last?.isWhitespace == false
            else {
                throw root.error("purchaseOrder", "must be the client's purchase order number, 1 to 64 characters on one line, such as \"4500012345\"")
            }
            purchaseOrder = order
        } else {
            purchaseOrder = nil
        }
        switch model {
        case .hourly:
            guard block == nil, retainer == nil else {
                throw root.error("model", "hourly terms take no block or retainer; use model block or retainer")
            }
            guard !rates.isEmpty else { throw root.error("rates", "hourly terms need at least one rate, e.g. {\"*\": 12500}") }
        case .block:
            guard block != nil, retainer == nil else {
                throw root.error("block", "block terms need a block object and no retainer")
            }
        case .retainer:
            guard retainer != nil, block == nil else {
                throw root.error("retainer", "retainer terms need a retainer object and no block")
            }
        }
    }
}

extension BillingTerms {
    /// `{"workstations": {"description": "Managed workstation", "unitPriceMinor": 4500, "quantity": 25}, …}`, by id.
    fileprivate static func recurring(_ table: TermsReader) throws(DomainError) -> [Recurring] {
        var items: [Recurring] = []
        for id in table.fields.keys.sorted() {
            guard (1...32).contains(id.count), id.utf8.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }) else {
                throw table.error(
                    id, "is not an item id: 1 to 32 lower-case letters, digits and dashes, such as \"workstations\" or \"m365-users\"")
            }
            guard let item = try table.optionalObject(id) else { continue }
            try item.allowOnly(["description", "unitPriceMinor", "quantity"])
            let description = try item.string("description")
            guard description.count <= 100, OneLine.firstControl(in: description) == nil, description.first?.isWhitespace == false,
                description.last?.isWhitespace == false
            else {
                throw item.error("description", "must be one line of 1 to 100 characters the client reads, such as \"Managed workstation\"")
            }
            items.append(
                Recurring(
                    id: id, description: description, unitPriceMinor: try item.integer("unitPriceMinor", in: 0...1_000_000_000_000),
                    quantity: Int(try item.integer("quantity", in: 0...1_000_000, hint: "how many units: 25"))))
        }
        return items
    }
}

/// Reads one JSON object of the terms, with the path for error messages.
private struct TermsReader {
    /// The tax rate from at most one of `taxRate` (a percentage string), `taxRateMillionths` or `taxBasisPoints`.
    func taxRate() throws(DomainError) -> TaxRate {
        let given = ["taxBasisPoints", "taxRate", "taxRateMillionths"].filter { fields[$0] != nil && fields[$0] != .null }
        guard given.count <= 1 else {
            throw error(given[1], "gives the tax rate a second time (with \(given[0])); keep one of them")
        }
        switch fields["taxRate"] {
        case nil, .null?: break
        case .string(let text)?:
            guard let rate = TaxRate(percent: text) else {
                throw error("taxRate", "must be a percentage from 0 to 100 with at most four decimals, such as \"8.875\", not \"\(text)\"")
            }
            return rate
        default:
            throw error("taxRate", "must be a percentage in a string, such as \"8.875\" for 8.875%")
        }
        if let millionths = try optionalInteger("taxRateMillionths", in: 0...1_000_000, hint: "88750 for 8.875%") {
            return TaxRate(millionths: Int(millionths))
        }
        let basisPoints = try optionalInteger(
            "taxBasisPoints", in: 0...10_000, hint: "825 for 8.25%; a finer rate goes in \"taxRate\": \"8.875\"")
        return TaxRate(basisPoints: Int(basisPoints ?? 0))
    }

    let fields: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(DomainError) {
        guard case .object(let fields) = value else {
            throw DomainError(.invalid, "\(path) must be a JSON object; see docs/billing.md for the shape")
        }
        self.fields = fields
        self.path = path
    }

    func error(_ key: String, _ problem: String) -> DomainError {
        DomainError(.invalid, "\(path).\(key) \(problem); see docs/billing.md")
    }

    func allowOnly(_ keys: Set<String>) throws(DomainError) {
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw error(unknown, "is not a billing term; known terms: \(keys.sorted().joined(separator: ", "))")
        }
    }

    func string(_ key: String) throws(DomainError) -> String {
        guard let value = try optionalString(key) else { throw error(key, "is required") }
        return value
    }

    func optionalString(_ key: String) throws(DomainError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let text)?:
            guard !text.isEmpty else { throw error(key, "must not be empty") }
            return text
        default: throw error(key, "must be a string")
        }
    }

    func integer(_ key: String, in range: ClosedRange<Int64>, hint: String? = nil) throws(DomainError) -> Int64 {
        guard let value = try optionalInteger(key, in: range, hint: hint) else { throw error(key, "is required") }
        return value
    }

    /// An integer in `range`; `hint` shows what the number means in the error (by default, money in minor units).
    func optionalInteger(_ key: String, in range: ClosedRange<Int64>, hint: String? = nil) throws(DomainError) -> Int64? {
        switch fields[key] {
        case nil, .null?: return nil
        case .integer(let value)?:
            guard range.contains(value) else {
                let example = hint.map { " (\($0))" } ?? ""
                throw error(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(value)\(example)")
            }
            return value
        default: throw error(key, "must be a whole number (\(hint ?? "money in minor units: 12500 for 125.00"))")
        }
    }

    func optionalObject(_ key: String) throws(DomainError) -> TermsReader? {
        switch fields[key] {
        case nil, .null?: return nil
        case let value?: return try TermsReader(value, path: "\(path).\(key)")
        }
    }

    func optionalStrings(_ key: String) throws(DomainError) -> [String]? {
        switch fields[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item, !text.isEmpty else { throw error(key, "must be a list of names") }
                strings.append(text)
            }
            return strings
        default: throw error(key, "must be a list of names")
        }
    }
}
