/// What a client owes for one billing key, computed from the whole history as it stands now.
///
/// A time charge groups a ticket's billable entries of one month, work type, hours class (business or after
/// hours) and contract version. Its key is stable, so a later run compares the charge with what invoices
/// already billed under the same key and bills only the difference (docs/billing.md, "Exactly once").
public struct Charge: Codable, Sendable, Equatable {
    /// What the charge is for.
    public enum Kind: String, Codable, Sendable {
        /// Logged time.
        case time
        /// A retainer's monthly fee.
        case retainerFee = "retainer-fee"
        /// A prepaid block's price.
        case blockPurchase = "block-purchase"
        /// A recurring charge per unit's monthly amount (``BillingTerms/Recurring``).
        case recurring
        /// A one-off charge (``OneOffCharge``): hardware, a licence, a trip fee, an expense, billed once.
        case oneOff = "one-off"
    }

    /// `time:T-1042:2026-11:remote:std:acme-msa#1`, `retainer-fee:acme-msa:2026-11`, `block-purchase:acme-msa:2026-Q4`,
    /// `recurring:acme-msa:workstations:2026-11`, `one-off:CH-7`.
    public var key: String
    public var kind: Kind
    /// The month of the work or of the fee, `2026-11`.
    public var period: String
    /// One line a client reads.
    public var description: String
    public var ticket: String?
    public var workType: String?
    /// Work started outside the contract's business calendar.
    public var afterHours: Bool
    /// The contract and the version of its terms (0 = as created, n = amendment n).
    public var contract: String
    public var amendment: Int
    public var currency: String
    /// The entries behind a time charge, in order of work.
    public var entries: [ChargedEntry]
    /// Minutes the techs logged.
    public var loggedMinutes: Int
    /// Minutes added by rounding up.
    public var roundingMinutes: Int
    /// Minutes added to reach the per-ticket minimum.
    public var minimumMinutes: Int
    /// Minutes covered by a block, a retainer's allowance or a covered category (billed at 0).
    public var coveredMinutes: Int
    /// What covered them: `block 2026-Q4`, `retainer allowance 2026-11`, `covered category helpdesk`.
    public var coverage: String?
    /// Minutes billed at the rate: logged + rounding + minimum − covered.
    public var chargedMinutes: Int
    /// Minor units per hour (the block's overage rate on block terms).
    public var ratePerHour: Int64
    /// 100, or the after-hours multiplier.
    public var multiplierPercent: Int
    /// Minor units: the price of the charged minutes (time), or the fee.
    public var amount: Int64
    /// The tax rate in whole basis points (825 = 8.25%), rounded down when `taxRateMillionths` is present.
    public var taxBasisPoints: Int
    /// The exact tax rate in millionths (88750 = 8.875%), present only when it is not a whole number of basis points;
    /// events written before fractional rates existed never have it.
    public var taxRateMillionths: Int?

    /// A charge with every field given.
    public init(
        key: String, kind: Kind, period: String, description: String, ticket: String?, workType: String?, afterHours: Bool,
        contract: String, amendment: Int, currency: String, entries: [ChargedEntry], loggedMinutes: Int, roundingMinutes: Int,
        minimumMinutes: Int, coveredMinutes: Int, coverage: String?, chargedMinutes: Int, ratePerHour: Int64, multiplierPercent: Int,
        amount: Int64, taxBasisPoints: Int, taxRateMillionths: Int? = nil
    ) {
        self.key = key
        self.kind = kind
        self.period = period
        self.description = description
        self.ticket = ticket
        self.workType = workType
        self.afterHours = afterHours
        self.contract = contract
        self.amendment = amendment
        self.currency = currency
        self.entries = entries
        self.loggedMinutes = loggedMinutes
        self.roundingMinutes = roundingMinutes
        self.minimumMinutes = minimumMinutes
        self.coveredMinutes = coveredMinutes
        self.coverage = coverage
        self.chargedMinutes = chargedMinutes
        self.ratePerHour = ratePerHour
        self.multiplierPercent = multiplierPercent
        self.amount = amount
        self.taxBasisPoints = taxBasisPoints
        self.taxRateMillionths = taxRateMillionths
    }

    /// The tax rate the charge is taxed at.
    public var taxRate: TaxRate { TaxRate(basisPoints: taxBasisPoints, exactMillionths: taxRateMillionths) }

    /// Minutes billed in total, before coverage.
    public var billedMinutes: Int { loggedMinutes + roundingMinutes + minimumMinutes }
}

/// One time entry behind a charge.
public struct ChargedEntry: Codable, Sendable, Equatable {
    public var entryId: String
    public var tech: String
    /// RFC 3339.
    public var startedAt: String
    public var minutes: Int
    public var workType: String
    /// The log position of the entry's latest event when the charge was computed.
    public var position: UInt64

    public init(entryId: String, tech: String, startedAt: String, minutes: Int, workType: String, position: UInt64) {
        self.entryId = entryId
        self.tech = tech
        self.startedAt = startedAt
        self.minutes = minutes
        self.workType = workType
        self.position = position
    }
}

/// Time the calculator could not price; it stays unbilled until the terms allow it.
public struct HeldBackEntry: Sendable, Equatable, Codable {
    public var entryId: String
    public var ticket: String
    public var minutes: Int
    /// One line: why, and the fix.
    public var reason: String
}

/// Time that is never billed, and why (marked non-billable, a non-billable work type or category).
public struct ExcludedEntry: Sendable, Equatable, Codable {
    public var entryId: String
    public var ticket: String
    public var minutes: Int
    public var reason: String
}
