import Foundation
import TestSupport
import Testing

/// Contract terms and invoice runs at their edges, end to end: huge amounts, work-type keys, partial amendments,
/// dates out of range. Exit codes: bad input 65, unknown contract 4, refused by a rule 6.
@Suite struct BillingTermsCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann", now: String = "2026-12-02T12:00:00Z") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user, "DOCKET_NOW": now])
    }

    @discardableResult
    func ok(_ arguments: [String], as user: String = "ann") throws -> String {
        let run = try docket(arguments, as: user)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        return run.stdout
    }

    func json(_ arguments: [String]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try ok(arguments + ["--json"]).utf8))
    }

    func eventCount() throws -> Int {
        try docket(["log", "--json", "--limit", "100000"]).stdout.components(separatedBy: "\"position\"").count - 1
    }

    /// ann (admin), bob (tech), and client `code` billed in USD in `zone`.
    func setUp(clients: [String] = ["acme"], zone: String = "UTC") throws {
        try ok(["init"])
        try ok(["user", "add", "bob", "--name", "Bob", "--email", "bob@msp.example", "--role", "tech"])
        for code in clients {
            try ok(["client", "add", code, "--name", code.capitalized, "--time-zone", zone, "--currency", "USD"])
        }
    }

    /// (description, amount) of each line of `invoice`, in order.
    func lines(_ invoice: String) throws -> [String] {
        let shown = try #require(try json(["invoice", "show", invoice]) as? [String: Any])
        let lines = try #require(shown["lines"] as? [[String: Any]])
        return lines.map { line in
            let charge = line["charge"] as? [String: Any]
            return "\(charge?["description"] as? String ?? "?") = \(line["amount"] as? Int ?? 0)"
        }
    }

    /// Recurring charges per unit (managed workstations, licences): quantity × unit price for each month, under the
    /// terms in force at the month's start; a back-dated change of the quantity bills the difference on the next run,
    /// an item removed is billed back to zero; a bad item is refused with its path, exit 65, nothing written.
    @Test(arguments: DocketMode.allCases) func recurringChargesPerUnitAreBilledMonthByMonth(_ mode: DocketMode) throws {
        try setUp()
        try mode.run {
            try ok([
                "contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-10-01", "--terms",
                #"{"model":"hourly","currency":"USD","rates":{"*":12500},"recurring":{"#
                    + #""workstations":{"description":"Managed workstation","unitPriceMinor":4500,"quantity":25},"#
                    + #""m365":{"description":"Microsoft 365","unitPriceMinor":2200,"quantity":12}}}"#,
            ])
            try ok(["contract", "amend", "acme-msa", "--effective", "2026-11-01", "--terms", #"{"recurring":{"workstations":{"quantity":27}}}"#])
            try ok(["invoice", "run", "--period", "2026-11"])
            #expect(try lines("acme-D1") == [
                "Microsoft 365, 12 × 22.00, 2026-10 = 26400", "Microsoft 365, 12 × 22.00, 2026-11 = 26400",
                "Managed workstation, 25 × 45.00, 2026-10 = 112500", "Managed workstation, 27 × 45.00, 2026-11 = 121500",
            ])
            try ok(["invoice", "finalize", "acme-D1"])
            try ok([
                "contract", "amend", "acme-msa", "--effective", "2026-11-01", "--terms",
                #"{"recurring":{"workstations":{"quantity":26},"m365":null}}"#,
            ])
            try ok(["invoice", "run", "--period", "2026-11"])
            #expect(try lines("acme-D2") == [
                "Microsoft 365, 12 × 22.00, 2026-11 (no longer billable) = -26400", "Managed workstation, 26 × 45.00, 2026-11 = -4500",
            ])

            let before = try eventCount()
            let bad = try docket([
                "contract", "amend", "acme-msa", "--effective", "2026-12-01", "--terms", #"{"recurring":{"workstations":{"quantity":-1}}}"#,
            ])
            #expect(bad.status == 65 && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
            #expect(bad.stderr.contains("billingTerms.recurring.workstations.quantity must be a whole number from 0 to 1000000"), "\(bad.stderr)")
            #expect(try eventCount() == before)
        }
    }

    /// The run must refuse, not trap; a product past Int64 (a fee of 10,000,000,000.00 taxed at 100%, eleven months)
    /// is computed in 128 bits, so this run bills exactly, for every client.
    @Test func aRunOverHugeFeesTaxedAt100PercentBillsExactlyForEveryClient() throws {
        try setUp(clients: ["aaa", "big"])
        try ok([
            "contract", "add", "aaa-c", "--client", "aaa", "--name", "A", "--effective", "2026-01-01", "--terms",
            #"{"model":"retainer","currency":"USD","retainer":{"monthlyFeeMinor":1000}}"#,
        ])
        try ok([
            "contract", "add", "big-c", "--client", "big", "--name", "B", "--effective", "2026-01-01", "--terms",
            #"{"model":"retainer","currency":"USD","retainer":{"monthlyFeeMinor":1000000000000},"taxRate":"100"}"#,
        ])
        let run = try docket(["invoice", "run", "--period", "2026-11"])
        #expect(run.status == 0, "\(run.stderr)")
        let big = try #require(try json(["invoice", "show", "big-D1"]) as? [String: Any])
        #expect(big["subtotal"] as? Int == 11_000_000_000_000)
        #expect(big["total"] as? Int == 22_000_000_000_000)
        let small = try #require(try json(["invoice", "show", "aaa-D1"]) as? [String: Any])
        #expect(small["total"] as? Int == 11_000)
    }

    /// Time is logged with lower-case work types, so rates and non-billable work types with capitals never matched.
    @Test func workTypesWithCapitalsInTermsAreRefusedAtAddAndAmend() throws {
        try setUp()
        let before = try eventCount()
        let add = try docket([
            "contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01", "--terms",
            #"{"model":"hourly","currency":"USD","rates":{"*":10000,"Onsite":20000},"nonBillableWorkTypes":["Internal"]}"#,
        ])
        #expect(add.status == 65)
        #expect(add.stderr.contains(#"billingTerms.rates key "Onsite" would never match"#), "\(add.stderr)")
        #expect(add.stderr.contains(#"write "onsite""#))
        #expect(add.stderr.split(separator: "\n").count == 1)
        #expect(try eventCount() == before)
        try ok([
            "contract", "add", "acme-msa", "--client", "acme", "--name", "MSA", "--effective", "2026-01-01", "--terms",
            #"{"model":"hourly","currency":"USD","rates":{"*":10000,"onsite":20000},"nonBillableWorkTypes":["internal"]}"#,
        ])
        let amended = try eventCount()
        let amend = try docket(["contract", "amend", "acme-msa", "--effective", "2026-11-01", "--terms", #"{"nonBillableWorkTypes":["Internal"]}"#])
        #expect(amend.status == 65)
        #expect(amend.stderr.contains(#"billingTerms.nonBillableWorkTypes entry "Internal""#), "\(amend.stderr)")
        #expect(try eventCount() == amended)
    }

    /// Partial terms on amend keep the sibling fields of the nested objects they touch.
    @Test func partialTermsKeepTheSiblingsOfNestedFields() throws {
        try setUp()
        try ok([
            "contract", "add", "acme-r", "--client", "acme", "--name", "R", "--effective", "2026-01-01", "--terms",
            #"{"model":"retainer","currency":"USD","rates":{"*":10000},"rounding":{"incrementMinutes":15,"scope":"ticket"},"retainer":{"monthlyFeeMinor":100000,"includedMinutes":600,"coveredCategories":["helpdesk"]}}"#,
        ])
        try ok(["contract", "amend", "acme-r", "--effective", "2026-11-01", "--terms", #"{"retainer":{"monthlyFeeMinor":150000}}"#])
        try ok(["contract", "amend", "acme-r", "--effective", "2026-11-01", "--terms", #"{"rounding":{"incrementMinutes":30}}"#])
        let shown = try ok(["contract", "show", "acme-r", "--at", "2026-11-15"])
        #expect(shown.contains(#""retainer":{"coveredCategories":["helpdesk"],"includedMinutes":600,"monthlyFeeMinor":150000}"#), "\(shown)")
        #expect(shown.contains(#""rounding":{"incrementMinutes":30,"scope":"ticket"}"#), "\(shown)")
    }

    /// A year typed as 0026 billed two thousand years of monthly fees; billing dates run from 2000 through 2199.
    @Test(arguments: [
        ["contract", "add", "acme-r", "--client", "acme", "--name", "R", "--effective", "0026-01-01", "--terms", Self.retainer],
        ["contract", "add", "acme-r", "--client", "acme", "--name", "R", "--effective", "2200-01-01T00:00:00Z", "--terms", Self.retainer],
        ["contract", "amend", "acme-c", "--effective", "2226-01-01", "--terms", #"{"taxRate":"19"}"#],
        ["contract", "end", "acme-c", "--effective", "3026-01-01"],
        ["time", "log", "T-1001", "1h", "--at", "1999-12-31T23:59:59Z"],
        ["time", "log", "T-1001", "1h", "--at", "0026-11-03 10:00"],
    ])
    func datesOutOfRangeAreRefused(_ arguments: [String]) throws {
        try setUp()
        try ok(["contract", "add", "acme-c", "--client", "acme", "--name", "C", "--effective", "2000-01-01", "--terms", Self.retainer])
        try ok(["ticket", "open", "--client", "acme", "--subject", "x"], as: "bob")
        let before = try eventCount()
        let run = try docket(arguments, as: arguments[0] == "time" ? "bob" : "ann")
        #expect(run.status == 65, "\(run.stderr)")
        let flag = arguments[0] == "time" ? "--at" : "--effective"
        #expect(run.stderr.contains("\(flag) "), "\(run.stderr)")
        #expect(run.stderr.contains("is out of range: billing dates run from 2000-01-01 to 2199-12-31"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").filter { !$0.contains("read as") }.count == 1, "\(run.stderr)")
        #expect(try eventCount() == before)
    }

    static let retainer = #"{"model":"retainer","currency":"USD","retainer":{"monthlyFeeMinor":1000}}"#

    /// Partial terms need a version in force to complete; an unknown contract or a date outside the contract is
    /// refused as such first, as complete terms are.
    @Test(arguments: [#"{"taxRate":"19"}"#, #"{"model":"hourly","currency":"USD","rates":{"*":10000},"taxRate":"19"}"#])
    func amendingOutsideAContractGivesTheContractsRefusal(_ terms: String) throws {
        try setUp()
        try ok([
            "contract", "add", "acme-c", "--client", "acme", "--name", "C", "--effective", "2026-03-01", "--terms",
            #"{"model":"hourly","currency":"USD","rates":{"*":10000}}"#,
        ])
        try ok(["contract", "end", "acme-c", "--effective", "2026-12-01"])
        let before = try eventCount()
        let unknown = try docket(["contract", "amend", "no-such", "--effective", "2026-11-01", "--terms", terms])
        #expect(unknown.status == 4)
        #expect(unknown.stderr == "docket: error: unknown contract no-such; list contracts with `docket contract list`\n")
        let late = try docket(["contract", "amend", "acme-c", "--effective", "2026-12-15", "--terms", terms])
        #expect(late.status == 6)
        #expect(late.stderr.contains("contract acme-c ends at 2026-12-01"), "\(late.stderr)")
        let early = try docket(["contract", "amend", "acme-c", "--effective", "2026-01-15", "--terms", terms])
        #expect(early.status == 65)
        #expect(early.stderr.contains("before contract acme-c starts at 2026-03-01"), "\(early.stderr)")
        let end = try docket(["contract", "end", "no-such", "--effective", "2026-11-01"])
        #expect(end.status == 4 && end.stderr.contains("unknown contract no-such"), "\(end.stderr)")
        #expect(try eventCount() == before)
    }

    /// `"*"` twice was accepted and the first rate kept.
    @Test func termsWithAKeyGivenTwiceAreRefused() throws {
        try setUp()
        let before = try eventCount()
        let add = try docket([
            "contract", "add", "acme-c", "--client", "acme", "--name", "C", "--effective", "2026-01-01", "--terms",
            #"{"model":"hourly","currency":"USD","rates":{"*":10000,"*":15000}}"#,
        ])
        #expect(add.status == 65)
        #expect(add.stderr == "docket: error: --terms: the key \"*\" is given twice in rates; give each key once\n")
        #expect(try eventCount() == before)
    }

    /// Billing months are the client's: a date alone on --effective is midnight in the client's zone, so a New York
    /// contract from 1 October owes no September fee, and a Berlin contract ended on 1 December owes no December fee.
    @Test func aDateAloneOnEffectiveIsMidnightInTheClientsTimeZone() throws {
        try ok(["init"])
        try ok(["client", "add", "nyc", "--name", "NYC", "--time-zone", "America/New_York", "--currency", "USD"])
        try ok(["client", "add", "ber", "--name", "Berlin", "--time-zone", "Europe/Berlin", "--currency", "USD"])
        let added = try docket([
            "contract", "add", "nyc-r", "--client", "nyc", "--name", "R", "--effective", "2026-10-01", "--terms", Self.retainer,
        ])
        #expect(added.stdout == "added contract nyc-r for nyc, in force from 2026-10-01 00:00 EDT\n", "in the client's zone, as contract show gives it")
        #expect(
            added.stderr
                == "--effective 2026-10-01 read as midnight in client nyc's time zone, America/New_York = 2026-10-01T04:00:00.000Z\n")
        #expect(try ok(["invoice", "charges", "nyc", "--period", "2026-10"]).split(separator: "\n").dropFirst().map { $0.prefix(26) }
            == ["retainer-fee:nyc-r:2026-10"])
        try ok(["contract", "add", "ber-r", "--client", "ber", "--name", "R", "--effective", "2026-10-01", "--terms", Self.retainer])
        #expect(try ok(["contract", "end", "ber-r", "--effective", "2026-12-01"]) == "contract ber-r ends at 2026-12-01 00:00 CET\n")
        #expect(try ok(["contract", "amend", "ber-r", "--effective", "2026-11-01", "--terms", #"{"taxRate":"19"}"#])
            == "contract ber-r: amendment 1, in force from 2026-11-01 00:00 CET\n")
        let charges = try ok(["invoice", "charges", "ber", "--period", "2026-12"]).split(separator: "\n").dropFirst().map { $0.prefix(26) }
        #expect(charges == ["retainer-fee:ber-r:2026-10", "retainer-fee:ber-r:2026-11"])
        // A time with a zone means exactly that.
        try ok(["client", "add", "lax", "--name", "LA", "--time-zone", "America/Los_Angeles", "--currency", "USD"])
        let exact = try docket([
            "contract", "add", "lax-r", "--client", "lax", "--name", "R", "--effective", "2026-10-01T00:00:00Z", "--terms", Self.retainer,
        ])
        #expect(exact.stdout == "added contract lax-r for lax, in force from 2026-09-30 17:00 PDT\n" && exact.stderr.isEmpty)
    }

    /// `contract add`, `amend` and `end` confirmed their instant in RFC 3339 (`in force from 2026-10-01T04:00:00Z`)
    /// while `contract show` gives it in the client's zone: they give it as `contract show` does, embedded or served.
    @Test(arguments: DocketMode.allCases) func contractConfirmationsGiveTheInstantInTheClientsZone(_ mode: DocketMode) throws {
        try setUp(clients: ["nyc"], zone: "America/New_York")
        try mode.run {
            let added = try ok(["contract", "add", "nyc-r", "--client", "nyc", "--name", "R", "--effective", "2026-10-01", "--terms", Self.retainer])
            #expect(added == "added contract nyc-r for nyc, in force from 2026-10-01 00:00 EDT\n")
            #expect(try ok(["contract", "amend", "nyc-r", "--effective", "2026-11-15T15:00:00Z", "--terms", #"{"taxRate":"8.875"}"#])
                == "contract nyc-r: amendment 1, in force from 2026-11-15 10:00 EST\n")
            #expect(try ok(["contract", "end", "nyc-r", "--effective", "2027-01-01"]) == "contract nyc-r ends at 2027-01-01 00:00 EST\n")
            let shown = try ok(["contract", "show", "nyc-r", "--at", "2026-12-01"])
            #expect(shown.contains("2026-10-01 00:00 EDT") && shown.contains("2027-01-01 00:00 EST"), "\(shown)")
        }
    }

    /// A refused command prints only its error: an amendment before the contract starts, or after its end, said how
    /// its date was read first ("--effective 2026-09-01 read as midnight in client nyc's time zone, …", then the
    /// error: two lines on stderr). The note is for a command that did something.
    @Test func aRefusedDateCommandPrintsOnlyItsError() throws {
        try ok(["init"])
        try ok(["client", "add", "nyc", "--name", "NYC", "--time-zone", "America/New_York", "--currency", "USD"])
        try ok(["contract", "add", "nyc-r", "--client", "nyc", "--name", "R", "--effective", "2026-10-01", "--terms", Self.retainer])
        try ok(["contract", "end", "nyc-r", "--effective", "2027-01-01"])
        let before = try eventCount()
        for effective in ["2026-09-01", "2027-02-01"] {
            let refused = try docket(["contract", "amend", "nyc-r", "--effective", effective, "--terms", #"{"taxRate":"19"}"#])
            #expect(refused.status != 0, "\(refused.stderr)")
            #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
            #expect(refused.stderr.hasPrefix("docket: error: "), "\(refused.stderr)")
            #expect(!refused.stderr.contains("read as midnight"))
        }
        // An end before the start (a later end moves the end: `contract end` given again is no refusal now).
        let ended = try docket(["contract", "end", "nyc-r", "--effective", "2026-09-01"])
        #expect(ended.status != 0 && ended.stderr.split(separator: "\n").count == 1, "\(ended.stderr)")
        #expect(try eventCount() == before)
        // A command that succeeds still says how it read the date.
        let amended = try docket(["contract", "amend", "nyc-r", "--effective", "2026-11-01", "--terms", #"{"taxRate":"19"}"#])
        #expect(amended.status == 0)
        #expect(amended.stderr == "--effective 2026-11-01 read as midnight in client nyc's time zone, America/New_York = 2026-11-01T04:00:00.000Z\n")
    }

    /// `contract show --at` reads a date alone the way --effective does: "the terms on 1 November" in New York is the
    /// amendment in force from New York's midnight, not the one before it (which a midnight-UTC reading showed).
    @Test func contractShowAtADateAloneIsMidnightInTheClientsTimeZone() throws {
        try ok(["init"])
        try ok(["client", "add", "nyc", "--name", "NYC", "--time-zone", "America/New_York", "--currency", "USD"])
        try ok(["contract", "add", "nyc-r", "--client", "nyc", "--name", "R", "--effective", "2026-10-01", "--terms", Self.retainer])
        try ok(["contract", "amend", "nyc-r", "--effective", "2026-11-01", "--terms", #"{"taxRate":"19"}"#])
        let shown = try docket(["contract", "show", "nyc-r", "--at", "2026-11-01", "--json"])
        #expect(shown.status == 0)
        let view = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let inForce = try #require(view["inForce"] as? [String: Any])
        #expect(inForce["amendment"] as? Int == 1, "\(shown.stdout)")
        #expect(shown.stderr == "--at 2026-11-01 read as midnight in client nyc's time zone, America/New_York = 2026-11-01T04:00:00.000Z\n")
        let outOfRange = try docket(["contract", "show", "nyc-r", "--at", "0026-11-01"])
        #expect(outOfRange.status == 65 && outOfRange.stderr.contains("--at 0026-11-01 is out of range"))
    }
}
