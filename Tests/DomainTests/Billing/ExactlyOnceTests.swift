import BusinessTime
import DocketTime
import Domain
import Testing

/// docs/billing.md, "Exactly once": every billable minute lands on exactly one invoice line — no leakage, no double
/// billing. Thousands of seeded random histories (logging, corrections, voids, contract changes, interleaved runs,
/// finalizes, voids and discards) are driven through the pure API, then checked to the cent against ``Oracle``, an
/// independent and deliberately plain reading of the billing rules.
@Suite("Billing: exactly once, over seeded random histories")
struct ExactlyOnceTests {
    static let batches = 8
    static let historiesPerBatch = 300

    @Test(arguments: 0..<batches)
    func everyBillableMinuteIsBilledExactlyOnce(batch: Int) {
        var failures = 0
        for index in 0..<Self.historiesPerBatch {
            let seed = UInt64(batch * Self.historiesPerBatch + index)
            var history = RandomHistory(seed: seed)
            do {
                try history.play()
                try history.checkAgainstOracle()
            } catch let failure as PropertyFailure {
                Issue.record("seed \(seed), step \(history.step): \(failure.message)")
                failures += 1
                if failures >= 3 { return }
            } catch {
                Issue.record("seed \(seed), step \(history.step): refused: \(error)")
                failures += 1
                if failures >= 3 { return }
            }
        }
    }
}

// MARK: - Randomness

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough to pick test cases.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// A number from 0 to `bound - 1`.
    mutating func below(_ bound: Int) -> Int { int(0...(bound - 1)) }

    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

struct PropertyFailure: Error {
    let message: String
}

func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(PropertyFailure) {
    if !condition { throw PropertyFailure(message: message()) }
}

// MARK: - The world the oracle sees (its own model, not the implementation's types)

/// Milliseconds since the epoch; the world runs from 2026-01-01 to the end of June 2026.
typealias Instant = Int64

enum World {
    static let minute: Instant = 60_000
    static let day: Instant = 86_400_000
    static let start: Instant = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    static let workDays = 181  // January to June
    /// Month starts from January 2026 (index 0) to January 2027.
    static let monthStarts: [Instant] = {
        let days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var starts: [Instant] = [start]
        for length in days { starts.append(starts[starts.count - 1] + Instant(length) * day) }
        return starts
    }()
    /// Runs pick periods from January to July; the final run is through July.
    static let finalMonth = 6

    static func month(of instant: Instant) -> Int {
        var index = 0
        while index + 1 < monthStarts.count, monthStarts[index + 1] <= instant { index += 1 }
        return index
    }

    static func monthName(_ index: Int) -> String { index < 9 ? "2026-0\(index + 1)" : "2026-\(index + 1)" }

    static func period(_ index: Int) -> BillingPeriod { BillingPeriod(year: 2026, month: index + 1)! }

    static let workTypes = ["remote", "onsite", "travel"]
    static let categories: [String?] = ["network", "helpdesk", "warranty", nil]
}

struct OracleTerms {
    enum Model: String { case hourly, block, retainer }
    struct Block {
        var id: String
        var minutes: Int
        var price: Int64?
        var overage: Int64
        var expires: Instant?
    }
    struct Retainer {
        var fee: Int64
        var included: Int
        var covered: [String]
    }

    var model: Model
    var currency: String
    var rates: [String: Int64]
    var increment: Int?
    var ticketScope: Bool
    var minimum: Int
    /// `"minimumTopUp": "business-hours"`.
    var topUpInHours = false
    var afterHoursCalendar: String?
    var multiplier: Int
    var nonBillableWorkTypes: [String]
    var nonBillableCategories: [String]
    var tax: Int
    var block: Block?
    var retainer: Retainer?

    var json: JSONValue {
        var fields: [String: JSONValue] = ["model": .string(model.rawValue), "currency": .string(currency)]
        if !rates.isEmpty { fields["rates"] = .object(rates.mapValues { .integer($0) }) }
        if let increment {
            fields["rounding"] = ["incrementMinutes": .integer(Int64(increment)), "scope": ticketScope ? "ticket" : "entry"]
        }
        if minimum > 0 { fields["minimumMinutesPerTicket"] = .integer(Int64(minimum)) }
        if topUpInHours { fields["minimumTopUp"] = "business-hours" }
        if let afterHoursCalendar {
            fields["afterHours"] = ["calendar": .string(afterHoursCalendar), "multiplierPercent": .integer(Int64(multiplier))]
        }
        if !nonBillableWorkTypes.isEmpty { fields["nonBillableWorkTypes"] = .array(nonBillableWorkTypes.map { .string($0) }) }
        if !nonBillableCategories.isEmpty { fields["nonBillableCategories"] = .array(nonBillableCategories.map { .string($0) }) }
        if tax > 0 { fields["taxBasisPoints"] = .integer(Int64(tax)) }
        if let block {
            var object: [String: JSONValue] = [
                "id": .string(block.id), "minutes": .integer(Int64(block.minutes)), "overageRatePerHour": .integer(block.overage),
            ]
            if let price = block.price { object["priceMinor"] = .integer(price) }
            if let expires = block.expires { object["expiresAt"] = .string(Timestamp(millisecondsSinceEpoch: expires).iso8601) }
            fields["block"] = .object(object)
        }
        if let retainer {
            var object: [String: JSONValue] = ["monthlyFeeMinor": .integer(retainer.fee)]
            if retainer.included > 0 { object["includedMinutes"] = .integer(Int64(retainer.included)) }
            if !retainer.covered.isEmpty { object["coveredCategories"] = .array(retainer.covered.map { .string($0) }) }
            fields["retainer"] = .object(object)
        }
        return .object(fields)
    }
}

struct OracleVersion {
    var amendment: Int
    var from: Instant
    var terms: OracleTerms?
}

struct OracleContract {
    var id: String
    var client: String
    var versions: [OracleVersion]
    var end: Instant?

    /// The version in force at `instant`: the latest `from` at or before it, ties to the later amendment.
    func version(at instant: Instant) -> OracleVersion? {
        if let end, instant >= end { return nil }
        var best: OracleVersion?
        for version in versions where version.from <= instant {
            if let current = best, (current.from, current.amendment) > (version.from, version.amendment) { continue }
            best = version
        }
        return best
    }
}

struct OracleTicket {
    var number: String
    var client: String
    var category: String?
}

struct OracleEntry {
    var number: Int
    var ticket: String
    var minutes: Int
    var workType: String
    var billable: Bool
    var start: Instant
    var voided: Bool
    var position: UInt64

    var id: String { "TE-\(number)" }
}

// MARK: - The oracle

/// What a client owes, from docs/billing.md read plainly: loops over entries, its own rounding, minimum, drawdown and fees.
struct Oracle {
    struct Group {
        var key: String
        var ticket: String
        var category: String?
        var month: Int
        var contract: String
        var amendment: Int
        var terms: OracleTerms
        var rate: Int64
        var multiplier: Int
        var entries: [OracleEntry] = []
        var billed = 0
        var covered = 0
        /// A top-up at the business-hours rate has no entries: it stands where the work it tops up started.
        var topUpOf: OracleEntry?

        var first: OracleEntry { entries.first ?? topUpOf! }
        var amount: Int64 { Oracle.halfAwayFromZero(Int64(billed - covered) * rate * Int64(multiplier), 6_000) }
    }

    /// Time charges by key, fees by key (amount, currency), and what each entry became.
    var groups: [String: Group] = [:]
    var fees: [String: (amount: Int64, currency: String)] = [:]
    /// Entry id → key, for the entries that are priced.
    var keyOfEntry: [String: String] = [:]
    /// Entries never billed (non-billable) or voided.
    var unbilled: Set<String> = []

    static func halfAwayFromZero(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        numerator >= 0 ? (2 * numerator + denominator) / (2 * denominator) : -((-2 * numerator + denominator) / (2 * denominator))
    }

    /// Business hours of `utc-office`: 09:00–17:00 UTC, Monday to Friday.
    static func isBusinessTime(_ instant: Instant) -> Bool {
        let days = instant / World.day
        let weekday = (days + 3) % 7  // 1970-01-01 was a Thursday; 0 = Monday
        let minuteOfDay = (instant % World.day) / World.minute
        return weekday < 5 && minuteOfDay >= 9 * 60 && minuteOfDay < 17 * 60
    }

    init(
        client: String, contracts: [OracleContract], tickets: [OracleTicket], entries: [OracleEntry], calendarFrom: Instant?,
        throughMonth: Int
    ) {
        let periodEnd = World.monthStarts[throughMonth + 1]
        let mine = contracts.filter { $0.client == client }
        var categories: [String: String?] = [:]
        for ticket in tickets where ticket.client == client { categories[ticket.number] = ticket.category }

        for entry in entries where categories[entry.ticket] != nil && entry.start < periodEnd {
            if entry.voided || !entry.billable {
                unbilled.insert(entry.id)
                continue
            }
            let category = categories[entry.ticket] ?? nil
            // The contract: of those with terms in force, the most recently started (its first version's start, not
            // its latest amendment's), ties to the greater contract id.
            var chosen: (contract: String, start: Instant, version: OracleVersion, terms: OracleTerms)?
            for contract in mine {
                guard let version = contract.version(at: entry.start), let terms = version.terms, let start = contract.versions.map(\.from).min()
                else { continue }
                if let current = chosen, (current.start, current.contract) > (start, contract.id) { continue }
                chosen = (contract.id, start, version, terms)
            }
            guard let chosen else { continue }  // held back
            let terms = chosen.terms
            if terms.nonBillableWorkTypes.contains(entry.workType) || (category.map { terms.nonBillableCategories.contains($0) } ?? false) {
                unbilled.insert(entry.id)
                continue
            }
            let rate: Int64
            if terms.model == .block {
                rate = terms.block!.overage
            } else if let own = terms.rates[entry.workType] ?? terms.rates["*"] {
                rate = own
            } else {
                continue  // held back: no rate
            }
            var multiplier = 100
            if let calendar = terms.afterHoursCalendar {
                guard calendar == "utc-office", let calendarFrom, calendarFrom <= entry.start else { continue }  // held back
                if !Self.isBusinessTime(entry.start) { multiplier = terms.multiplier }
            }
            let month = World.month(of: entry.start)
            let key =
                "time:\(entry.ticket):\(World.monthName(month)):\(entry.workType):\(multiplier == 100 ? "std" : "after-hours"):"
                + "\(chosen.contract)#\(chosen.version.amendment)"
            if groups[key] == nil {
                groups[key] = Group(
                    key: key, ticket: entry.ticket, category: category, month: month, contract: chosen.contract,
                    amendment: chosen.version.amendment, terms: terms, rate: rate, multiplier: multiplier)
            }
            groups[key]!.entries.append(entry)
            keyOfEntry[entry.id] = key
        }

        // Entries in order of work within each group; groups in order of work.
        for key in groups.keys { groups[key]!.entries.sort { ($0.start, $0.number) < ($1.start, $1.number) } }
        var order = groups.keys.sorted {
            let a = groups[$0]!.first
            let b = groups[$1]!.first
            return (a.start, a.number) < (b.start, b.number)
        }

        // Rounding.
        for key in order {
            var group = groups[key]!
            let increment = group.terms.increment ?? 1
            if group.terms.ticketScope {
                var total = 0
                for entry in group.entries { total += entry.minutes }
                group.billed = (total + increment - 1) / increment * increment
            } else {
                for entry in group.entries { group.billed += (entry.minutes + increment - 1) / increment * increment }
            }
            groups[key] = group
        }

        // Minimum: per ticket, month and contract (across its versions), the first group's in order of work, added to it.
        var done: Set<String> = []
        var toppedUp: [(after: String, key: String)] = []
        for key in order {
            let group = groups[key]!
            let ticketMonth = "\(group.ticket) \(group.month) \(group.contract)"
            guard !done.contains(ticketMonth) else { continue }
            done.insert(ticketMonth)
            var total = 0
            for other in groups.values where other.ticket == group.ticket && other.month == group.month && other.contract == group.contract {
                total += other.billed
            }
            guard total < group.terms.minimum else { continue }
            let shortfall = group.terms.minimum - total
            guard group.multiplier != 100, group.terms.topUpInHours else {
                groups[key]!.billed += shortfall
                continue
            }
            // "business-hours": the month's first business-hours group on the ticket, else one of its own after this one.
            if let inHours = order.first(where: {
                let other = groups[$0]!
                return other.ticket == group.ticket && other.month == group.month && other.contract == group.contract && other.multiplier == 100
            }) {
                groups[inHours]!.billed += shortfall
            } else {
                var topUp = group
                var parts = key.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                parts[4] = "std"  // time:TICKET:MONTH:WORK-TYPE:HOURS-CLASS:CONTRACT#AMENDMENT
                topUp.key = parts.joined(separator: ":")
                topUp.multiplier = 100
                topUp.entries = []
                topUp.topUpOf = group.first
                topUp.billed = shortfall
                groups[topUp.key] = topUp
                toppedUp.append((after: key, key: topUp.key))
            }
        }
        for (after, key) in toppedUp { order.insert(key, at: order.firstIndex(of: after)! + 1) }

        // Coverage: blocks (per contract and block id) and retainer allowances (per contract and month), in order of work.
        var balances: [String: Int] = [:]
        for key in order {
            let group = groups[key]!
            var pool: String?
            var initial = 0
            var coverable = group.billed
            if group.terms.model == .block, let block = group.terms.block {
                var late = 0
                if let expires = block.expires {
                    if group.first.start >= expires { continue }
                    // Work started at or after the expiry is never covered, even in a group that began before it.
                    let increment = group.terms.ticketScope ? 1 : group.terms.increment ?? 1
                    for entry in group.entries where entry.start >= expires {
                        late += (entry.minutes + increment - 1) / increment * increment
                    }
                }
                pool = "block \(group.contract) \(block.id)"
                initial = block.minutes
                coverable = group.billed - late
            } else if group.terms.model == .retainer, let retainer = group.terms.retainer {
                if let category = group.category, retainer.covered.contains(category) {
                    groups[key]!.covered = group.billed
                    continue
                }
                pool = "retainer \(group.contract) \(group.month)"
                initial = retainer.included
            }
            guard let pool else { continue }
            let left = balances[pool] ?? initial
            let covered = min(left, coverable)
            balances[pool] = left - covered
            groups[key]!.covered = covered
        }

        // Fees: a retainer's fee for each month in force; a block's price once.
        for contract in mine {
            guard let start = contract.versions.map(\.from).min(), start < periodEnd else { continue }
            for month in World.month(of: start)...throughMonth {
                let instant = max(World.monthStarts[month], start)
                if let end = contract.end, instant >= end { break }
                if let terms = contract.version(at: instant)?.terms, terms.model == .retainer, let retainer = terms.retainer {
                    fees["retainer-fee:\(contract.id):\(World.monthName(month))"] = (retainer.fee, terms.currency)
                }
            }
            var priced: Set<String> = []
            for version in contract.versions.sorted(by: { ($0.from, $0.amendment) < ($1.from, $1.amendment) }) {
                guard version.from < periodEnd, let terms = version.terms, let block = terms.block, let price = block.price,
                    !priced.contains(block.id)
                else { continue }
                if let end = contract.end, version.from >= end { continue }
                priced.insert(block.id)
                fees["block-purchase:\(contract.id):\(block.id)"] = (price, terms.currency)
            }
        }
    }

    /// What the client owes per currency.
    var totals: [String: Int64] {
        var totals: [String: Int64] = [:]
        for group in groups.values { totals[group.terms.currency, default: 0] += group.amount }
        for fee in fees.values { totals[fee.currency, default: 0] += fee.amount }
        return totals.filter { $0.value != 0 }
    }
}

// MARK: - A random history

struct RandomHistory {
    var rng: SplitMix64
    var step = 0
    var now: Instant = World.start + 200 * World.day
    var position: UInt64 = 0

    var clients: [String] = []
    var tickets: [OracleTicket] = []
    var contracts: [OracleContract] = []
    var contractStates: [String: ContractState] = [:]
    var entries: [OracleEntry] = []
    var calendarFrom: Instant?
    var blockSpecs: [String: OracleTerms.Block] = [:]

    var ledgers: [String: InvoiceLedger] = [:]
    /// Final invoices as they were when finalized.
    var finals: [String: Invoice] = [:]
    var invoiceNumbers = 0
    var creditNotes = 0

    static let officeHours: BusinessCalendar = {
        do {
            return try BusinessCalendar(
                timeZone: "UTC", weeklyHours: WeeklyHours([try BusinessSlot("09:00", "17:00")], on: [.mon, .tue, .wed, .thu, .fri]))
        } catch {
            preconditionFailure("bad test calendar: \(error)")
        }
    }()

    init(seed: UInt64) { rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 1) }

    var context: DecisionContext { DecisionContext(actor: Fixture.billing, now: Timestamp(millisecondsSinceEpoch: now)) }

    // MARK: Generating

    mutating func randomInstant() -> Instant {
        World.start + Instant(rng.int(0...(World.workDays * 1_440 - 1))) * World.minute
    }

    /// A month start (Jan–Jul), a midnight or any minute.
    mutating func randomEffectiveDate() -> Instant {
        switch rng.int(0...2) {
        case 0: World.monthStarts[rng.int(0...6)]
        case 1: World.start + Instant(rng.int(0...(World.workDays - 1))) * World.day
        default: randomInstant()
        }
    }

    mutating func randomRates(required: Bool) -> [String: Int64] {
        var rates: [String: Int64] = [:]
        for workType in World.workTypes where rng.chance(50) { rates[workType] = Int64(rng.int(1...400)) * 50 }
        if rng.chance(60) { rates["*"] = Int64(rng.int(1...400)) * 50 + Int64(rng.int(0...49)) }
        if required, rates.isEmpty { rates["*"] = 10_000 }
        return rates
    }

    mutating func randomTerms(currency: String) -> OracleTerms {
        let model = rng.pick([OracleTerms.Model.hourly, .hourly, .block, .retainer])
        var terms = OracleTerms(
            model: model, currency: currency, rates: randomRates(required: model == .hourly), increment: nil, ticketScope: false,
            minimum: 0, afterHoursCalendar: nil, multiplier: 100, nonBillableWorkTypes: [], nonBillableCategories: [],
            tax: rng.pick([0, 0, 825, 2_000, 1]), block: nil, retainer: nil)
        if model == .retainer, rng.chance(15) { terms.rates = [:] }
        if rng.chance(50) {
            terms.increment = rng.pick([5, 6, 10, 15, 30])
            terms.ticketScope = rng.chance(50)
        }
        if rng.chance(30) {
            terms.minimum = rng.pick([15, 30, 60])
            terms.topUpInHours = rng.chance(50)
        }
        if rng.chance(35) {
            terms.afterHoursCalendar = rng.chance(85) ? "utc-office" : "nowhere"
            terms.multiplier = rng.pick([125, 150, 200, 133])
        }
        if rng.chance(20) { terms.nonBillableWorkTypes = ["travel"] }
        if rng.chance(20) { terms.nonBillableCategories = ["warranty"] }
        switch model {
        case .hourly: break
        case .block:
            let id = rng.pick(["B1", "B2"])
            if blockSpecs[id] == nil {
                blockSpecs[id] = OracleTerms.Block(
                    id: id, minutes: rng.int(30...600), price: rng.chance(70) ? Int64(rng.int(1_000...100_000)) : nil, overage: 0,
                    expires: rng.chance(40) ? (rng.chance(50) ? World.monthStarts[rng.int(1...6)] : randomInstant()) : nil)
            }
            var block = blockSpecs[id]!
            block.overage = Int64(rng.int(0...400)) * 50 + Int64(rng.int(0...1)) * 33
            terms.block = block
        case .retainer:
            terms.retainer = OracleTerms.Retainer(
                fee: Int64(rng.int(1_000...300_000)), included: rng.chance(70) ? rng.int(30...600) : 0,
                covered: rng.chance(40) ? ["helpdesk"] : [])
        }
        return terms
    }

    mutating func createContract(for client: String) throws {
        let id = "\(client)-k\(contracts.filter { $0.client == client }.count + 1)"
        let start = rng.chance(50) ? World.start : randomEffectiveDate()
        let currency = rng.pick(["USD", "USD", "EUR", "JPY"])
        let terms = rng.chance(10) ? nil : randomTerms(currency: currency)
        let snapshot = ClientSnapshot(code: client, name: client, isActive: true, contactIDs: [])
        let events = try ContractDecider.decide(
            .create(
                CreateContract(
                    id: id, client: client, clientSnapshot: snapshot, name: id, effectiveFrom: Timestamp(millisecondsSinceEpoch: start),
                    slaPolicy: "gold", billingTerms: terms?.json)), state: ContractDecider.initialState, context: context)
        contractStates[id] = events.reduce(ContractDecider.initialState) { ContractDecider.evolve($0, $1) }
        contracts.append(
            OracleContract(id: id, client: client, versions: [OracleVersion(amendment: 0, from: start, terms: terms)], end: nil))
    }

    mutating func amendContract(_ index: Int) throws {
        let contract = contracts[index]
        let start = contract.versions[0].from
        var from = max(start, randomEffectiveDate())
        if let end = contract.end, from >= end { from = start }
        let currency = rng.chance(15) ? rng.pick(["USD", "EUR", "JPY"]) : contract.versions.compactMap(\.terms).last?.currency ?? "USD"
        let terms = randomTerms(currency: currency)
        let state = contractStates[contract.id]!
        let events = try ContractDecider.decide(
            .amend(effectiveFrom: Timestamp(millisecondsSinceEpoch: from), slaPolicy: nil, billingTerms: terms.json), state: state,
            context: context)
        guard !events.isEmpty else { return }
        contractStates[contract.id] = events.reduce(state) { ContractDecider.evolve($0, $1) }
        contracts[index].versions.append(OracleVersion(amendment: state.nextAmendment, from: from, terms: terms))
    }

    mutating func endContract(_ index: Int) throws {
        let contract = contracts[index]
        guard contract.end == nil else { return }
        let end = max(contract.versions[0].from + World.day, randomEffectiveDate())
        let state = contractStates[contract.id]!
        let events = try ContractDecider.decide(.end(effectiveFrom: Timestamp(millisecondsSinceEpoch: end)), state: state, context: context)
        contractStates[contract.id] = events.reduce(state) { ContractDecider.evolve($0, $1) }
        contracts[index].end = end
    }

    mutating func logTime() {
        position += 1
        let ticket = rng.pick(tickets)
        entries.append(
            OracleEntry(
                number: entries.count + 1, ticket: ticket.number, minutes: rng.chance(20) ? rng.int(1...14) : rng.int(1...240),
                workType: rng.pick(World.workTypes), billable: rng.chance(88), start: randomInstant(), voided: false, position: position))
    }

    mutating func correctTime() {
        guard !entries.isEmpty else { return }
        let index = rng.int(0...(entries.count - 1))
        guard !entries[index].voided else { return }
        position += 1
        entries[index].position = position
        switch rng.int(0...4) {
        case 0, 1: entries[index].minutes = rng.int(1...240)
        case 2: entries[index].workType = rng.pick(World.workTypes)
        case 3: entries[index].start = rng.chance(50) ? randomInstant() : entries[index].start + Instant(rng.int(-600...600)) * World.minute
        default: entries[index].billable.toggle()
        }
        entries[index].start = min(max(entries[index].start, World.start), World.monthStarts[6] - World.minute)
    }

    mutating func voidTime() {
        guard !entries.isEmpty else { return }
        let index = rng.int(0...(entries.count - 1))
        position += 1
        entries[index].voided = true
        entries[index].position = position
    }

    func input(for client: String) -> BillingInput {
        var calendars: [String: CalendarState] = [:]
        if let calendarFrom {
            calendars["utc-office"] = CalendarState(
                id: "utc-office", name: "UTC office",
                versions: [
                    CalendarVersion(
                        amendment: 0, effectiveFrom: Timestamp(millisecondsSinceEpoch: calendarFrom), calendar: Self.officeHours)
                ])
        }
        var billable: [String: BillableTicket] = [:]
        for ticket in tickets where ticket.client == client {
            billable[ticket.number] = BillableTicket(number: ticket.number, client: client, category: ticket.category)
        }
        let mine = entries.filter { billable[$0.ticket] != nil }.map {
            BillableEntry(
                entryId: $0.id, ticket: $0.ticket, tech: "alice", minutes: $0.minutes, workType: $0.workType, billable: $0.billable,
                startedAt: Timestamp(millisecondsSinceEpoch: $0.start), voided: $0.voided, position: $0.position)
        }
        return BillingInput(
            client: client, contracts: contracts.filter { $0.client == client }.compactMap { contractStates[$0.id] }, calendars: calendars,
            tickets: billable, entries: mine)
    }

    // MARK: Invoices

    mutating func apply(_ events: [InvoiceEvent], to client: String) {
        ledgers[client] = events.reduce(ledgers[client] ?? BillingDecider.initialState) { BillingDecider.evolve($0, $1) }
    }

    @discardableResult
    mutating func run(_ client: String, month: Int) throws -> ChargeSheet {
        let period = World.period(month)
        let sheet = try ChargeCalculator.charges(input(for: client), through: period)
        let before = ledgers[client] ?? BillingDecider.initialState
        let events = try BillingDecider.decide(
            .draft(client: client, period: period, charges: sheet.charges), state: before, context: context)
        apply(events, to: client)
        try checkDrafts(events, client: client, before: before)
        // After any run, live lines under each due key (and currency) add up to the charge as computed now.
        let billed = ledgers[client]!.billedByCurrency()
        var due: Set<String> = []
        for charge in sheet.charges where charge.period <= period.description {
            due.insert("\(charge.currency) \(charge.key)")
            let live = billed[charge.key]?[charge.currency]
            try require(
                live?.amount ?? 0 == charge.amount && live?.chargedMinutes ?? 0 == charge.chargedMinutes
                    && live?.coveredMinutes ?? 0 == charge.coveredMinutes,
                "after the \(period) run of \(client), \(charge.key) is billed \(live?.amount ?? 0), charge is \(charge.amount)")
        }
        for (key, byCurrency) in billed {
            for (currency, live) in byCurrency where !due.contains("\(currency) \(key)") && live.last.period <= period.description {
                try require(
                    live.amount == 0 && live.chargedMinutes == 0 && live.coveredMinutes == 0,
                    "\(key) in \(currency) is gone but still billed \(live.amount)")
            }
        }
        return sheet
    }

    mutating func finalizeSomeDraft() throws {
        guard let (client, invoice) = pickInvoice(.draft) else { return }
        invoiceNumbers += 1
        let number = "INV-2026-" + String(String(invoiceNumbers + 10_000).dropFirst())
        apply(
            try BillingDecider.decide(.finalize(invoice: invoice.id, number: number), state: ledgers[client]!, context: context), to: client
        )
        finals[invoice.id] = ledgers[client]!.invoice(invoice.id)
    }

    mutating func voidSomeFinal() throws {
        guard let (client, invoice) = pickInvoice(.final) else { return }
        creditNotes += 1
        apply(
            try BillingDecider.decide(
                .void(invoice: invoice.id, creditNote: "CN-2026-\(creditNotes)", reason: "wrong"), state: ledgers[client]!, context: context
            ),
            to: client)
    }

    mutating func discardSomeDraft() throws {
        guard let (client, invoice) = pickInvoice(.draft) else { return }
        apply(
            try BillingDecider.decide(.discard(invoice: invoice.id, reason: "redo"), state: ledgers[client]!, context: context), to: client)
    }

    mutating func pickInvoice(_ status: Invoice.Status) -> (String, Invoice)? {
        var candidates: [(String, Invoice)] = []
        for client in clients {
            for invoice in ledgers[client]?.invoices ?? [] where invoice.status == status { candidates.append((client, invoice)) }
        }
        return candidates.isEmpty ? nil : rng.pick(candidates)
    }

    // MARK: Playing

    mutating func play() throws {
        for index in 0..<rng.int(1...3) {
            let client = "c\(index + 1)"
            clients.append(client)
            for _ in 0..<rng.int(1...4) {
                tickets.append(OracleTicket(number: "T-\(1_001 + tickets.count)", client: client, category: rng.pick(World.categories)))
            }
            if rng.chance(90) { try createContract(for: client) }
        }
        if rng.chance(60) { calendarFrom = rng.chance(70) ? World.start - World.day : randomEffectiveDate() }

        let steps = rng.int(20...60)
        var lastRun: [String: Int] = [:]
        while step < steps {
            step += 1
            now += Instant(rng.int(1...120)) * World.minute
            let roll = rng.int(0...99)
            switch roll {
            case 0..<34: logTime()
            case 34..<46: correctTime()
            case 46..<50: voidTime()
            case 50..<56:
                let client = rng.pick(clients)
                let mine = contracts.indices.filter { contracts[$0].client == client }
                if mine.isEmpty || (mine.count < 2 && rng.chance(30)) {
                    try createContract(for: client)
                } else {
                    try amendContract(rng.pick(mine))
                }
            case 56..<57:
                if !contracts.isEmpty { try endContract(rng.int(0...(contracts.count - 1))) }
            case 57..<59:
                if calendarFrom == nil { calendarFrom = randomEffectiveDate() }
            case 59..<76:
                let client = rng.pick(clients)
                // Reruns of the same period and runs of earlier periods happen on purpose.
                let month = rng.chance(25) ? (lastRun[client] ?? rng.int(0...6)) : rng.int(0...6)
                lastRun[client] = month
                try run(client, month: month)
            case 76..<86: try finalizeSomeDraft()
            case 86..<90: try voidSomeFinal()
            default: try discardSomeDraft()
            }
            try checkInvariants()
        }
        for client in clients {
            try run(client, month: World.finalMonth)
            try checkInvariants()
        }
    }

    // MARK: Checking

    /// Every line bills a difference; totals and taxes add up; numbering of drafts is sequential.
    func checkDrafts(_ events: [InvoiceEvent], client: String, before: InvoiceLedger) throws {
        var currencies: [String] = []
        for (offset, event) in events.enumerated() {
            guard case .drafted(let draft) = event else { throw PropertyFailure(message: "a run produced \(event)") }
            try require(draft.invoice == "\(client)-D\(before.invoices.count + offset + 1)", "draft id \(draft.invoice)")
            try require(!draft.lines.isEmpty, "empty draft \(draft.invoice)")
            currencies.append(draft.currency)
            var subtotal: Int64 = 0
            var bases: [Int: Int64] = [:]
            var keys: Set<String> = []
            for line in draft.lines {
                try require(line.amount != 0 || line.chargedMinutes != 0 || line.coveredMinutes != 0, "all-zero line \(line.charge.key)")
                try require(
                    line.charge.currency == draft.currency,
                    "line \(line.charge.key) in \(line.charge.currency) on a \(draft.currency) draft")
                try require(keys.insert(line.charge.key).inserted, "key \(line.charge.key) twice on \(draft.invoice)")
                subtotal += line.amount
                if line.charge.taxBasisPoints > 0 { bases[line.charge.taxBasisPoints, default: 0] += line.amount }
            }
            let taxes = bases.keys.sorted().map {
                TaxLine(basisPoints: $0, base: bases[$0]!, tax: Oracle.halfAwayFromZero(bases[$0]! * Int64($0), 10_000))
            }
            try require(draft.subtotal == subtotal, "subtotal of \(draft.invoice)")
            try require(draft.taxes == taxes, "taxes of \(draft.invoice): \(draft.taxes) ≠ \(taxes)")
            try require(draft.total == subtotal + taxes.reduce(0) { $0 + $1.tax }, "total of \(draft.invoice)")
        }
        try require(currencies == Array(Set(currencies)).sorted(), "one draft per currency, in order: \(currencies)")
    }

    /// Finals never change; numbers and credit notes are gapless and unique.
    func checkInvariants() throws {
        var numbers: [String] = []
        for client in clients {
            for invoice in ledgers[client]?.invoices ?? [] {
                if let frozen = finals[invoice.id] {
                    try require(
                        invoice.lines == frozen.lines && invoice.subtotal == frozen.subtotal && invoice.taxes == frozen.taxes
                            && invoice.total == frozen.total && invoice.number == frozen.number
                            && invoice.finalizedAt == frozen.finalizedAt,
                        "final invoice \(invoice.id) changed")
                    try require(
                        invoice.status == .final || invoice.status == .voided, "final invoice \(invoice.id) became \(invoice.status)")
                } else {
                    try require(
                        invoice.status == .draft || invoice.status == .discarded, "\(invoice.id) is \(invoice.status) without a finalize")
                }
                if let number = invoice.number { numbers.append(number) }
            }
        }
        let expected = (0..<invoiceNumbers).map { "INV-2026-" + String(String($0 + 1 + 10_000).dropFirst()) }
        try require(numbers.sorted() == expected, "invoice numbers \(numbers.sorted()) are not 1…\(invoiceNumbers)")
    }

    /// After the final run: live lines against the oracle, per currency, per key, per entry.
    func checkAgainstOracle() throws {
        for client in clients {
            let oracle = Oracle(
                client: client, contracts: contracts, tickets: tickets, entries: entries, calendarFrom: calendarFrom,
                throughMonth: World.finalMonth)
            let ledger = ledgers[client] ?? BillingDecider.initialState
            let live = ledger.invoices.filter(\.isLive)

            // (a) per currency, to the cent.
            var totals: [String: Int64] = [:]
            for invoice in live { for line in invoice.lines { totals[invoice.currency, default: 0] += line.amount } }
            try require(totals.filter { $0.value != 0 } == oracle.totals, "\(client) billed \(totals), oracle says \(oracle.totals)")

            // (b) per key (and currency: a fee's currency may change under terms amended in the past): minutes and amount.
            var byKey: [String: (minutes: Int, amount: Int64)] = [:]
            for invoice in live {
                for line in invoice.lines {
                    try require(line.charge.currency == invoice.currency, "\(line.charge.key) in \(line.charge.currency) on \(invoice.id)")
                    var sum = byKey["\(invoice.currency) \(line.charge.key)"] ?? (0, 0)
                    sum.minutes += line.chargedMinutes + line.coveredMinutes
                    sum.amount += line.amount
                    byKey["\(invoice.currency) \(line.charge.key)"] = sum
                }
            }
            var expected: [String: (minutes: Int, amount: Int64)] = [:]
            for (key, group) in oracle.groups { expected["\(group.terms.currency) \(key)"] = (group.billed, group.amount) }
            for (key, fee) in oracle.fees { expected["\(fee.currency) \(key)"] = (0, fee.amount) }
            for (key, want) in expected {
                let sum = byKey[key] ?? (0, 0)
                try require(
                    sum.minutes == want.minutes && sum.amount == want.amount,
                    "\(key): billed \(sum.minutes) min / \(sum.amount), oracle \(want.minutes) min / \(want.amount)")
            }
            for (key, sum) in byKey where expected[key] == nil {
                try require(
                    sum.minutes == 0 && sum.amount == 0,
                    "\(key) is billed \(sum.minutes) min / \(sum.amount), the oracle has no such charge")
            }

            // (c) every entry the oracle prices is in exactly one charge of the final run, under the oracle's key; unbilled ones in none.
            let sheet = try ChargeCalculator.charges(input(for: client), through: World.period(World.finalMonth))
            var seen: [String: String] = [:]
            for charge in sheet.charges {
                for entry in charge.entries {
                    try require(seen[entry.entryId] == nil, "\(entry.entryId) is under \(seen[entry.entryId]!) and \(charge.key)")
                    seen[entry.entryId] = charge.key
                }
            }
            for (entry, key) in oracle.keyOfEntry {
                try require(seen[entry] == key, "\(entry) should be under \(key), is under \(seen[entry] ?? "nothing")")
            }
            for entry in oracle.unbilled {
                try require(seen[entry] == nil, "\(entry) is voided or non-billable but charged under \(seen[entry]!)")
            }
            try require(
                seen.count == oracle.keyOfEntry.count, "the final run prices \(seen.count) entries, the oracle \(oracle.keyOfEntry.count)")
        }
    }
}
