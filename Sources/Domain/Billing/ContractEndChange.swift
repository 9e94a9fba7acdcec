import DocketTime

/// A contract's end as it was when a draft was priced and as it is now, where the change reaches the months the draft
/// bills. Moving a contract's end (or giving it one) changes which work it prices: a draft priced before would bill
/// work the contract no longer covers, or leave out work it now covers, so ``BillingDecider`` refuses to finalize it.
public struct ContractEndChange: Sendable, Equatable {
    /// The contract's id.
    public var contract: String
    /// Its end when the draft was priced; nil when it had none.
    public var then: Timestamp?
    /// Its end now; nil when it has none.
    public var now: Timestamp?

    /// A change with every field given.
    public init(contract: String, then: Timestamp?, now: Timestamp?) {
        self.contract = contract
        self.then = then
        self.now = now
    }

    /// A contract's end as one `contract.ended` event gave it, with the event's position in the log.
    public struct End: Sendable, Equatable {
        public var position: UInt64
        public var end: Timestamp

        public init(position: UInt64, end: Timestamp) {
            self.position = position
            self.end = end
        }
    }

    /// The change of `contract`'s end since the draft recorded at log position `drafted`, given every end the contract
    /// was given (`ends`, in log order): nil when its end then and now are the same, or when both are at or after
    /// `through` (the end of the draft's last billing month), where no month the draft bills, nor any before it, moves
    /// into or out of the contract.
    public static func since(drafted: UInt64, contract: String, ends: [End], through: Timestamp) -> ContractEndChange? {
        let then = ends.last { $0.position < drafted }?.end
        let now = ends.last?.end
        guard then != now else { return nil }
        // No end is later than any end.
        let earlier = [then, now].compactMap { $0 }.min()
        guard let earlier, earlier < through else { return nil }
        return ContractEndChange(contract: contract, then: then, now: now)
    }
}
