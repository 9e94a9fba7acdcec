import DocketTime

/// What a user asks of a contract (stream `contract-<id>`). Terms change only through new, dated events.
public enum ContractCommand: Sendable, Equatable {
    /// Create a contract.
    case create(CreateContract)
    /// Add a version of the terms, in force from `effectiveFrom`; a nil field keeps the value in force then, and
    /// partial billing terms (no `model`) change only the fields they give.
    case amend(effectiveFrom: Timestamp, slaPolicy: String?, billingTerms: JSONValue?)
    /// End the contract: no terms are in force from `effectiveFrom` on. Given again, it moves the end, earlier or later,
    /// unless a final invoice billed a month the move would change: `billed` are the months final invoices billed under
    /// the contract (the application finds them; none are needed for a first end).
    case end(effectiveFrom: Timestamp, billed: [BilledMonth] = [])
}

/// A month a final invoice billed under a contract: what moving the contract's end must not change.
public struct BilledMonth: Sendable, Equatable {
    /// The invoice's number, `INV-2026-0007`.
    public var invoice: String
    /// `2026-11`.
    public var period: String
    /// The month's first instant and the first instant after it, in the client's billing months.
    public var start: Timestamp
    public var end: Timestamp

    /// A billed month.
    public init(invoice: String, period: String, start: Timestamp, end: Timestamp) {
        self.invoice = invoice
        self.period = period
        self.start = start
        self.end = end
    }
}

/// The input of ``ContractCommand/create(_:)``.
public struct CreateContract: Sendable, Equatable {
    /// 2 to 64 lower-case letters, digits and dashes, e.g. `acme-2026`.
    public var id: String
    /// The client's code.
    public var client: String
    /// The client as the application found it; nil when there is no such client.
    public var clientSnapshot: ClientSnapshot?
    /// The display name.
    public var name: String
    /// When the original terms take effect.
    public var effectiveFrom: Timestamp
    /// A reference to an SLA policy (defined by a later issue).
    public var slaPolicy: String?
    /// Free-form billing terms (defined by a later issue). `.null` counts as none.
    public var billingTerms: JSONValue?

    /// The input to create a contract.
    public init(
        id: String, client: String, clientSnapshot: ClientSnapshot?, name: String, effectiveFrom: Timestamp,
        slaPolicy: String? = nil, billingTerms: JSONValue? = nil
    ) {
        self.id = id
        self.client = client
        self.clientSnapshot = clientSnapshot
        self.name = name
        self.effectiveFrom = effectiveFrom
        self.slaPolicy = slaPolicy
        self.billingTerms = billingTerms
    }
}
