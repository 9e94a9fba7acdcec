import DocketTime

/// A time entry as billing sees it: the fold of its events plus where its latest event sits in the log.
public struct BillableEntry: Sendable, Equatable {
    public var entryId: String
    public var ticket: String
    public var tech: String
    public var minutes: Int
    public var workType: String
    public var billable: Bool
    public var startedAt: Timestamp
    public var voided: Bool
    /// The log position of the entry's latest event.
    public var position: UInt64

    public init(
        entryId: String, ticket: String, tech: String, minutes: Int, workType: String, billable: Bool, startedAt: Timestamp,
        voided: Bool, position: UInt64
    ) {
        self.entryId = entryId
        self.ticket = ticket
        self.tech = tech
        self.minutes = minutes
        self.workType = workType
        self.billable = billable
        self.startedAt = startedAt
        self.voided = voided
        self.position = position
    }
}

/// What billing needs of a ticket.
public struct BillableTicket: Sendable, Equatable {
    public var number: String
    public var client: String
    public var category: String?

    public init(number: String, client: String, category: String?) {
        self.number = number
        self.client = client
        self.category = category
    }
}

/// Everything one client's charges depend on.
public struct BillingInput: Sendable {
    public var client: String
    /// The client's contracts.
    public var contracts: [ContractState]
    /// Calendars by id, for after-hours multipliers.
    public var calendars: [String: CalendarState]
    /// The client's tickets by number.
    public var tickets: [String: BillableTicket]
    /// The time entries on those tickets (voided and non-billable ones too).
    public var entries: [BillableEntry]
    /// The client's billing months (calendar months in its time zone; see ``BillingMonths``).
    public var months: BillingMonths
    /// The client's one-off charges (voided ones too).
    public var oneOffCharges: [OneOffCharge]

    public init(
        client: String, contracts: [ContractState], calendars: [String: CalendarState], tickets: [String: BillableTicket],
        entries: [BillableEntry], months: BillingMonths = .utc, oneOffCharges: [OneOffCharge] = []
    ) {
        self.oneOffCharges = oneOffCharges
        self.client = client
        self.contracts = contracts
        self.calendars = calendars
        self.tickets = tickets
        self.entries = entries
        self.months = months
    }
}

/// The charges of a client through a period, plus the time that could not be priced and the time never billed.
public struct ChargeSheet: Sendable, Equatable {
    /// In key order.
    public var charges: [Charge]
    public var heldBack: [HeldBackEntry]
    public var excluded: [ExcludedEntry]
}

/// Turns logged time and contract terms into charges: a pure function of the history (docs/billing.md).
///
/// Months are the client's billing months (``BillingMonths``: calendar months in its time zone). Steps, for the work
/// started before the period ends:
/// 1. Each live, billable entry is priced under the contract version in force when the work started (the most
///    recently effective one with billing terms, when several are); after hours is decided at the start instant
///    on the terms' calendar.
/// 2. Entries group by ticket, month, work type, hours class and contract version; rounding applies per entry or
///    to the group's total; the per-ticket minimum is once per ticket, month and contract across its versions, and
///    tops up the ticket's first group of the month (or, under `minimumTopUp` `business-hours`, its first
///    business-hours group, or one of its own at the business-hours rate).
/// 3. Blocks and retainer allowances are drawn down by groups in order of work (first start, then entry number).
/// 4. Monthly retainer fees are due for every month through the period in which the contract is in force with a
///    retainer (terms at the later of the month's start and the contract's start); a block's price once.
/// 5. Each one-off charge not voided whose date is before the period's end is billed once, under the contract version
///    in force at its date (its tax rate), keyed `one-off:CH-7`; with none in force then it is held back.
///
/// A time charge whose price does not fit in `Int64` minor units is refused (Money rule 5), naming the client, the
/// contract and the charge.
public enum ChargeCalculator {
    public static func charges(_ input: BillingInput, through period: BillingPeriod) throws(DomainError) -> ChargeSheet {
        var terms = TermsCache()
        var heldBack: [HeldBackEntry] = []
        var excluded: [ExcludedEntry] = []
        var groups: [String: Group] = [:]

        let months = input.months
        let periodEnd = months.end(of: period)
        let entries = input.entries.filter { !$0.voided && $0.startedAt < periodEnd }
            .map { (entry: $0, number: entryNumber($0.entryId)) }
            .sorted { ($0.entry.startedAt, $0.number) < ($1.entry.startedAt, $1.number) }
            .map(\.entry)
        for entry in entries {
            func holdBack(_ reason: String) {
                heldBack.append(HeldBackEntry(entryId: entry.entryId, ticket: entry.ticket, minutes: entry.minutes, reason: reason))
            }
            func exclude(_ reason: String) {
                excluded.append(ExcludedEntry(entryId: entry.entryId, ticket: entry.ticket, minutes: entry.minutes, reason: reason))
            }
            guard entry.billable else {
                exclude("logged as non-billable")
                continue
            }
            guard let ticket = input.tickets[entry.ticket] else {
                holdBack("ticket \(entry.ticket) is not a ticket of client \(input.client)")
                continue
            }
            guard let (contract, version) = contractInForce(input.contracts, at: entry.startedAt) else {
                holdBack(noContractHeldBack(input.contracts, entry: entry, client: input.client))
                continue
            }
            let billing: BillingTerms
            switch terms.read(contract: contract, version: version) {
            case .success(let read): billing = read
            case .failure(let error):
                holdBack("contract \(contract) amendment \(version.amendment) has unreadable billing terms (\(error.message))")
                continue
            }
            if billing.nonBillableWorkTypes.contains(entry.workType) {
                exclude("work type \(entry.workType) is non-billable under contract \(contract)")
                continue
            }
            if let category = ticket.category, billing.nonBillableCategories.contains(category) {
                exclude("category \(category) is non-billable under contract \(contract)")
                continue
            }
            let rate: Int64
            if let block = billing.block {
                rate = block.overageRatePerHour
            } else if let workTypeRate = billing.rate(for: entry.workType) {
                rate = workTypeRate
            } else {
                holdBack(
                    "contract \(contract) has no rate for work type \(entry.workType); amend its rates (or add a \"*\" rate)")
                continue
            }
            var multiplier = 100
            if let afterHours = billing.afterHours {
                guard let calendar = input.calendars[afterHours.calendar]?.calendar(at: entry.startedAt)?.calendar else {
                    holdBack(calendarHeldBack(
                        afterHours, calendar: input.calendars[afterHours.calendar], contract: contract, version: version,
                        state: input.contracts.first { $0.id == contract }, at: entry.startedAt))
                    continue
                }
                if !calendar.isOpen(at: entry.startedAt) { multiplier = afterHours.multiplierPercent }
            }
            let month = months.period(containing: entry.startedAt)
            let afterHours = multiplier != 100
            let key = Group.key(
                ticket: entry.ticket, month: month, workType: entry.workType, afterHours: afterHours, contract: contract,
                amendment: version.amendment)
            // Entries come in order of work: a group is made for its first entry.
            groups[key, default: Group(
                key: key, ticket: ticket, month: month, workType: entry.workType, afterHours: afterHours, contract: contract,
                amendment: version.amendment, terms: billing, rate: rate, multiplier: multiplier,
                firstStart: entry.startedAt, firstEntryNumber: entryNumber(entry.entryId)
            )].entries.append(entry)
        }

        var ordered = groups.values.sorted { ($0.firstStart, $0.firstEntryNumber, $0.key) < ($1.firstStart, $1.firstEntryNumber, $1.key) }
        applyRounding(&ordered)
        applyMinimums(&ordered)
        applyCoverage(&ordered)
        var charges: [Charge] = []
        for group in ordered {
            guard let charge = group.charge() else {
                throw DomainError(
                    .invalid,
                    "the price of \(group.key) for client \(input.client) (\(group.loggedMinutes + group.roundingMinutes + group.minimumMinutes - group.coveredMinutes) minutes "
                        + "at \(group.rate) per hour ×\(group.multiplier)%) does not fit in 64-bit minor units; check the rates of "
                        + "contract \(group.contract) and the time logged on \(group.ticket.number)")
            }
            charges.append(charge)
        }
        charges = Self.tellingApart(charges)
        charges += fees(input.contracts, through: period, months: months, terms: &terms)
        let oneOff = try oneOffs(input, before: periodEnd, terms: &terms)
        charges += oneOff.charges
        heldBack += oneOff.heldBack
        charges.sort { $0.key < $1.key }
        return ChargeSheet(charges: charges, heldBack: heldBack, excluded: excluded)
    }

    /// Time charges whose descriptions read alike, told apart by the terms that priced them: a ticket's work of one
    /// month, work type and hours class before and after an amendment mid-month (a new rate or tax rate) is two
    /// charges, which read "T-1001 remote, 2026-10" twice on the invoice, as if billed twice. Each of those now ends
    /// with its contract version: ", terms of acme-msa" (as created) or ", terms of acme-msa amendment 1".
    static func tellingApart(_ charges: [Charge]) -> [Charge] {
        let alike = Dictionary(charges.map { ($0.description, 1) }, uniquingKeysWith: +)
        return charges.map { charge in
            guard charge.kind == .time, alike[charge.description, default: 0] > 1 else { return charge }
            var told = charge
            told.description += ", terms of \(charge.contract)" + (charge.amendment == 0 ? "" : " amendment \(charge.amendment)")
            return told
        }
    }

    /// The contract version with billing terms in force at `instant`: of the contracts with such a version, the most
    /// recently started (``ContractState/startsAt``, its first version; on the same start, the greatest id), the rule
    /// that picks a ticket's SLA (``SLAStartReaction``). An amendment is not a new start: amending an older contract
    /// (a new tax rate) does not take the work over from a contract started since.
    public static func contractInForce(_ contracts: [ContractState], at instant: Timestamp) -> (String, ContractTerms)? {
        var best: (start: Timestamp, id: String, version: ContractTerms)?
        for contract in contracts {
            guard let id = contract.id, let start = contract.startsAt, let version = contract.terms(at: instant), version.billingTerms != nil
            else { continue }
            if let current = best, (current.start, current.id) >= (start, id) { continue }
            best = (start, id, version)
        }
        return best.map { ($0.id, $0.version) }
    }

    /// Why invoice runs hold `entry` back when it started after the client's contract ended and no other contract with
    /// billing terms is in force then (step 2 of docs/billing.md, "How time becomes charges"), or nil otherwise: what
    /// `time log` tells the tech at once. (A client that never had a contract is not told on every entry.)
    public static func heldBackAfterTheContractEnded(_ contracts: [ContractState], entry: BillableEntry, client: String) -> String? {
        guard contractInForce(contracts, at: entry.startedAt) == nil, lastEnded(contracts, by: entry.startedAt) != nil else { return nil }
        return noContractHeldBack(contracts, entry: entry, client: client)
    }

    /// The contract with billing terms that ended last at or before `instant`, and its end.
    private static func lastEnded(_ contracts: [ContractState], by instant: Timestamp) -> (end: Timestamp, id: String)? {
        contracts.compactMap { contract -> (end: Timestamp, id: String)? in
            guard let id = contract.id, let end = contract.endsAt, end <= instant, contract.versions.contains(where: { $0.billingTerms != nil })
            else { return nil }
            return (end, id)
        }.max { ($0.end, $0.id) < ($1.end, $1.id) }
    }

    /// Why `entry` is held back when no contract with billing terms is in force at its start, with a fix that works.
    /// Work after the end of the client's contract (the latest to have ended by then, with billing terms) names the
    /// contract and its end: a contract cannot be amended from its end on, so the fixes are a new contract in force
    /// then, or the entry corrected to non-billable (or, when the end was a mistake, `docket contract end` again with
    /// the right date). (It said "create one, or amend one with an earlier --effective" there too, and the amendment is
    /// refused.)
    static func noContractHeldBack(_ contracts: [ContractState], entry: BillableEntry, client: String) -> String {
        guard let ended = lastEnded(contracts, by: entry.startedAt) else {
            return "no contract with billing terms is in force for client \(client) at \(entry.startedAt); "
                + "create one, or amend one with an earlier --effective"
        }
        return "contract \(ended.id) of client \(client) ended at \(ended.end), before this work (started \(entry.startedAt)), "
            + "and no other contract with billing terms is in force then; bill it under a new contract in force then "
            + "(`docket contract add … --client \(client) --effective …`), or, if it is not to be billed, "
            + "`docket time correct \(entry.entryId) --non-billable --reason …`"
    }

    /// Why work at `instant` under `contract`'s `version` is held back when its after-hours calendar has no hours
    /// then, with a fix that works. An unknown calendar is defined from the version's start. A calendar that starts
    /// after the work cannot be defined again nor amended before its start: a new calendar in force from the
    /// version's start is defined, the contract's after-hours terms use it from then (an amendment at the version's
    /// start outranks the version), and, when the version is still in force once the old calendar starts, go back
    /// to it from its start.
    static func calendarHeldBack(
        _ afterHours: BillingTerms.AfterHours, calendar: CalendarState?, contract: String, version: ContractTerms, state: ContractState?,
        at instant: Timestamp
    ) -> String {
        let id = afterHours.calendar
        let from = commandTime(version.effectiveFrom)
        guard let calendar, calendar.id != nil, let start = calendar.startsAt else {
            return "calendar \(id) of contract \(contract) does not exist; define it in force from the contract's terms "
                + "(`docket calendar define \(id) --name … --file HOURS --effective \(from)`)"
        }
        let early = String(id.prefix(58)) + "-early"
        func amend(_ calendar: String, from: String) -> String {
            "`docket contract amend \(contract) --effective \(from) --terms "
                + "'{\"afterHours\":{\"calendar\":\"\(calendar)\",\"multiplierPercent\":\(afterHours.multiplierPercent)}}'`"
        }
        var reason = "calendar \(id) of contract \(contract) has no hours at \(instant): it starts at \(start), and a calendar cannot "
            + "be moved earlier; define one in force then (`docket calendar define \(early) --name … --file HOURS --effective \(from)`) "
            + "and have the contract use it from its terms' start (\(amend(early, from: from)))"
        let nextVersion = state?.versions.map(\.effectiveFrom).filter { $0 > version.effectiveFrom }.min()
        if nextVersion.map({ start < $0 }) ?? true, state?.endsAt.map({ start < $0 }) ?? true {
            reason += ", then go back to \(id) once it starts (\(amend(id, from: commandTime(start))))"
        }
        return reason
    }

    /// `instant` as a CLI's `--effective`: `2026-01-01` at midnight UTC, else RFC 3339.
    /// `instant` for an `--effective` in a suggested command: RFC 3339, which the CLI reads exactly. (A midnight UTC
    /// was written as a date alone, which `calendar define` reads as midnight in the calendar's zone and `contract
    /// amend` in the client's: in New York five hours after the instant meant, so the fix left that work held back.)
    private static func commandTime(_ instant: Timestamp) -> String { instant.iso8601 }

    // MARK: - Steps

    private static func applyRounding(_ groups: inout [Group]) {
        for index in groups.indices {
            let rounding = groups[index].terms.rounding
            let increment = rounding?.incrementMinutes ?? 1
            let logged = groups[index].entries.reduce(0) { $0 + $1.minutes }
            let billed: Int
            switch rounding?.scope ?? .entry {
            case .entry: billed = groups[index].entries.reduce(0) { $0 + roundUp($1.minutes, to: increment) }
            case .ticket: billed = roundUp(logged, to: increment)
            }
            groups[index].loggedMinutes = logged
            groups[index].roundingMinutes = billed - logged
        }
    }

    /// One minimum per ticket, month and contract, whatever amendments take effect in the month: when the ticket's
    /// billed minutes there (its groups under every version) are below the minimum of the terms in force at the
    /// month's first work on it, that work's group is topped up, at its rate. (Per version, a rate change mid-month
    /// started a second minimum: 75 minutes billed as 120.) Under terms with `minimumTopUp` `business-hours`, when
    /// that first work was after hours, the top-up goes to the ticket's first business-hours group of the month, or,
    /// when it has none, to a group of its own at the first work's rate without the multiplier, placed right after it
    /// in order of work.
    private static func applyMinimums(_ groups: inout [Group]) {
        var firstOfTicket: [String: Int] = [:]
        var firstInHours: [String: Int] = [:]
        var totals: [String: Int] = [:]
        for (index, group) in groups.enumerated() {
            let key = "\(group.ticket.number):\(group.month):\(group.contract)"
            if firstOfTicket[key] == nil { firstOfTicket[key] = index }
            if !group.afterHours, firstInHours[key] == nil { firstInHours[key] = index }
            totals[key, default: 0] += group.loggedMinutes + group.roundingMinutes
        }
        var topUps: [Group] = []
        for (key, index) in firstOfTicket {
            let first = groups[index]
            let shortfall = first.terms.minimumMinutesPerTicket - (totals[key] ?? 0)
            guard shortfall > 0 else { continue }
            guard first.afterHours, first.terms.minimumTopUp == .businessHours else {
                groups[index].minimumMinutes = shortfall
                continue
            }
            if let inHours = firstInHours[key] {
                groups[inHours].minimumMinutes = shortfall
            } else {
                topUps.append(first.businessHoursTopUp(shortfall))
            }
        }
        guard !topUps.isEmpty else { return }
        groups = (groups + topUps).sorted {
            ($0.firstStart, $0.firstEntryNumber, $0.isTopUp ? 1 : 0, $0.key) < ($1.firstStart, $1.firstEntryNumber, $1.isTopUp ? 1 : 0, $1.key)
        }
    }

    private static func applyCoverage(_ groups: inout [Group]) {
        var pools: [String: Int] = [:]
        for index in groups.indices {
            let group = groups[index]
            let billed = group.loggedMinutes + group.roundingMinutes + group.minimumMinutes
            switch group.terms.model {
            case .hourly:
                continue
            case .retainer:
                guard let retainer = group.terms.retainer else { continue }
                if let category = group.ticket.category, retainer.coveredCategories.contains(category) {
                    groups[index].coveredMinutes = billed
                    groups[index].coverage = "covered category \(category)"
                    continue
                }
                let pool = "\(group.contract):retainer:\(group.month)"
                let left = pools[pool] ?? retainer.includedMinutes
                let covered = min(left, billed)
                pools[pool] = left - covered
                if covered > 0 {
                    groups[index].coveredMinutes = covered
                    groups[index].coverage = "retainer allowance \(group.month)"
                }
            case .block:
                guard let block = group.terms.block else { continue }
                var coverable = billed
                if let expiry = block.expiresAt {
                    if group.firstStart >= expiry { continue }
                    // Work started at or after the expiry is not covered, even in a group (a month) that began before it:
                    // its minutes (rounded up per entry under entry rounding) stay charged.
                    let rounding = group.terms.rounding
                    let increment = rounding?.scope == .entry ? rounding?.incrementMinutes ?? 1 : 1
                    let late = group.entries.filter { $0.startedAt >= expiry }.reduce(0) { $0 + roundUp($1.minutes, to: increment) }
                    coverable = billed - late
                }
                let pool = "\(group.contract):block:\(block.id)"
                let left = pools[pool] ?? block.minutes
                let covered = min(left, coverable)
                pools[pool] = left - covered
                if covered > 0 {
                    groups[index].coveredMinutes = covered
                    groups[index].coverage = "block \(block.id)"
                }
            }
        }
    }

    private static func fees(
        _ contracts: [ContractState], through period: BillingPeriod, months: BillingMonths, terms: inout TermsCache
    ) -> [Charge] {
        var charges: [Charge] = []
        let periodEnd = months.end(of: period)
        for contract in contracts.sorted(by: { ($0.id ?? "") < ($1.id ?? "") }) {
            guard let id = contract.id, let start = contract.startsAt, start < periodEnd else { continue }
            var month = months.period(containing: start)
            while month <= period {
                let instant = max(months.start(of: month), start)
                if let end = contract.endsAt, instant >= end { break }
                if let version = contract.terms(at: instant), case .success(let billing)? = version.billingTerms.map({ _ in terms.read(contract: id, version: version) }) {
                    if let retainer = billing.retainer {
                        charges.append(
                            fee(
                                .retainerFee, key: "retainer-fee:\(id):\(month)", period: month, description: "Monthly retainer, \(month)",
                                contract: id, amendment: version.amendment, billing: billing, amount: retainer.monthlyFeeMinor))
                    }
                    // A quantity of 0 charges nothing: a month already billed for the item is billed back to zero.
                    for item in billing.recurring where item.quantity > 0 {
                        let price = Money.format(item.unitPriceMinor, currency: billing.currency)
                        charges.append(
                            fee(
                                .recurring, key: "recurring:\(id):\(item.id):\(month)", period: month,
                                description: "\(item.description), \(item.quantity) × \(price), \(month)", contract: id,
                                amendment: version.amendment, billing: billing, amount: item.amountMinor))
                    }
                }
                month = month.next
            }
            var blocks: Set<String> = []
            for version in contract.versions.sorted(by: { ($0.effectiveFrom, $0.amendment) < ($1.effectiveFrom, $1.amendment) }) {
                guard version.effectiveFrom < periodEnd, version.billingTerms != nil,
                    case .success(let billing) = terms.read(contract: id, version: version), let block = billing.block,
                    let price = block.priceMinor, !blocks.contains(block.id)
                else { continue }
                if let end = contract.endsAt, version.effectiveFrom >= end { continue }
                blocks.insert(block.id)
                charges.append(
                    fee(
                        .blockPurchase, key: "block-purchase:\(id):\(block.id)", period: months.period(containing: version.effectiveFrom),
                        description: "Prepaid block \(block.id), \(Money.hours(block.minutes)) h", contract: id,
                        amendment: version.amendment, billing: billing, amount: price))
            }
        }
        return charges
    }

    /// The one-off charges due before `periodEnd` (step 5), and those held back for want of terms at their date.
    private static func oneOffs(
        _ input: BillingInput, before periodEnd: Timestamp, terms: inout TermsCache
    ) throws(DomainError) -> (charges: [Charge], heldBack: [HeldBackEntry]) {
        var charges: [Charge] = []
        var heldBack: [HeldBackEntry] = []
        for charge in input.oneOffCharges where !charge.voided && charge.client == input.client {
            guard let date = Timestamp(iso8601: charge.date), date < periodEnd else { continue }
            func holdBack(_ reason: String) {
                heldBack.append(HeldBackEntry(entryId: charge.id, ticket: charge.ticket ?? "", minutes: 0, reason: reason))
            }
            guard let (contract, version) = contractInForce(input.contracts, at: date) else {
                var reason = "no contract with billing terms is in force for client \(input.client) at \(date), the date of charge \(charge.id)"
                if let ended = lastEnded(input.contracts, by: date) { reason += " (contract \(ended.id) ended at \(ended.end))" }
                holdBack(
                    reason + "; bill it under a contract in force then (`docket contract add … --client \(input.client) --effective …`), "
                        + "or void it and add it again dated when one is (`docket charge void \(charge.id) --reason …`)")
                continue
            }
            let billing: BillingTerms
            switch terms.read(contract: contract, version: version) {
            case .success(let read): billing = read
            case .failure(let error):
                holdBack("contract \(contract) amendment \(version.amendment) has unreadable billing terms (\(error.message))")
                continue
            }
            guard billing.currency == charge.currency else {
                holdBack(
                    "charge \(charge.id) is in \(charge.currency) and contract \(contract) bills in \(billing.currency) at its date; "
                        + "void it and add it again in the contract's currency (`docket charge void \(charge.id) --reason …`)")
                continue
            }
            guard let amount = charge.amountMinor else {
                throw DomainError(
                    .invalid,
                    "the price of one-off charge \(charge.id) for client \(input.client) (\(charge.lineText)) does not fit in 64-bit minor units; void it")
            }
            var line = fee(
                .oneOff, key: "one-off:\(charge.id)", period: input.months.period(containing: date), description: charge.lineText,
                contract: contract, amendment: version.amendment, billing: billing, amount: amount)
            line.ticket = charge.ticket
            charges.append(line)
        }
        return (charges, heldBack)
    }

    private static func fee(
        _ kind: Charge.Kind, key: String, period: BillingPeriod, description: String, contract: String, amendment: Int,
        billing: BillingTerms, amount: Int64
    ) -> Charge {
        Charge(
            key: key, kind: kind, period: period.description, description: description, ticket: nil, workType: nil, afterHours: false,
            contract: contract, amendment: amendment, currency: billing.currency, entries: [], loggedMinutes: 0, roundingMinutes: 0,
            minimumMinutes: 0, coveredMinutes: 0, coverage: nil, chargedMinutes: 0, ratePerHour: 0, multiplierPercent: 100,
            amount: amount, taxBasisPoints: billing.taxRate.wholeBasisPoints,
            taxRateMillionths: billing.taxRate.fractionalMillionths)
    }

    static func roundUp(_ minutes: Int, to increment: Int) -> Int {
        (minutes + increment - 1) / increment * increment
    }

    /// The number in an id such as `TE-7` or `acme-D3` (0 when there is none), for ordering ids numerically.
    public static func entryNumber(_ id: String) -> Int {
        // Called inside sort comparators: read the trailing digits in place, without allocating.
        var value = 0
        var scale = 1
        for byte in id.utf8.reversed() {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), scale <= 1_000_000_000_000 else { break }
            value += Int(byte - UInt8(ascii: "0")) * scale
            scale *= 10
        }
        return value
    }
}

/// One time charge being built.
private struct Group {
    let key: String
    let ticket: BillableTicket
    let month: BillingPeriod
    let workType: String
    let afterHours: Bool
    let contract: String
    let amendment: Int
    let terms: BillingTerms
    let rate: Int64
    let multiplier: Int
    /// Where the group sits in order of work: its first entry's start and number (for a top-up without entries, those
    /// of the work it tops up).
    let firstStart: Timestamp
    let firstEntryNumber: Int
    var entries: [BillableEntry] = []
    var loggedMinutes = 0
    var roundingMinutes = 0
    var minimumMinutes = 0
    var coveredMinutes = 0
    var coverage: String?

    /// A time charge's key: `time:T-1042:2026-11:remote:std:acme-msa#1`.
    static func key(ticket: String, month: BillingPeriod, workType: String, afterHours: Bool, contract: String, amendment: Int) -> String {
        "time:\(ticket):\(month):\(workType):\(afterHours ? "after-hours" : "std"):\(contract)#\(amendment)"
    }

    /// Whether the group only tops the ticket's month up to its minimum (it has no entries).
    var isTopUp: Bool { entries.isEmpty }

    /// The top-up of this after-hours group's ticket and month to the minimum at the business-hours rate, when the
    /// month has no business-hours work on it: the same work type, contract version and rate, without the multiplier.
    func businessHoursTopUp(_ minutes: Int) -> Group {
        var topUp = Group(
            key: Self.key(ticket: ticket.number, month: month, workType: workType, afterHours: false, contract: contract, amendment: amendment),
            ticket: ticket, month: month, workType: workType, afterHours: false, contract: contract, amendment: amendment, terms: terms,
            rate: rate, multiplier: 100, firstStart: firstStart, firstEntryNumber: firstEntryNumber)
        topUp.minimumMinutes = minutes
        return topUp
    }

    /// The charge, or nil when its price does not fit in `Int64`.
    func charge() -> Charge? {
        let charged = loggedMinutes + roundingMinutes + minimumMinutes - coveredMinutes
        guard let amount = Money.price(minutes: charged, ratePerHour: rate, multiplierPercent: multiplier) else { return nil }
        var description = "\(ticket.number) \(workType), \(month)"
        if afterHours { description += ", after hours ×\(multiplier)%" }
        return Charge(
            key: key, kind: .time, period: month.description, description: description, ticket: ticket.number, workType: workType,
            afterHours: afterHours, contract: contract, amendment: amendment, currency: terms.currency,
            entries: entries.map {
                ChargedEntry(
                    entryId: $0.entryId, tech: $0.tech, startedAt: $0.startedAt.iso8601, minutes: $0.minutes, workType: $0.workType,
                    position: $0.position)
            },
            loggedMinutes: loggedMinutes, roundingMinutes: roundingMinutes, minimumMinutes: minimumMinutes,
            coveredMinutes: coveredMinutes, coverage: coverage, chargedMinutes: charged, ratePerHour: rate, multiplierPercent: multiplier,
            amount: amount, taxBasisPoints: terms.taxRate.wholeBasisPoints, taxRateMillionths: terms.taxRate.fractionalMillionths)
    }
}

/// Parsed billing terms by contract version, so each version is read once.
private struct TermsCache {
    private var parsed: [String: Result<BillingTerms, DomainError>] = [:]

    mutating func read(contract: String, version: ContractTerms) -> Result<BillingTerms, DomainError> {
        let key = "\(contract)#\(version.amendment)"
        if let known = parsed[key] { return known }
        let result: Result<BillingTerms, DomainError>
        if let value = version.billingTerms {
            do throws(DomainError) { result = .success(try BillingTerms(value)) } catch { result = .failure(error) }
        } else {
            result = .failure(DomainError(.invalid, "no billing terms"))
        }
        parsed[key] = result
        return result
    }
}
