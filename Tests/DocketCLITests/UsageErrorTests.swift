import Foundation
import TestSupport
import Testing

/// Usage errors are one line in Docket's form that teaches the fix: the help to read, and for an option typed before
/// its subcommand (what ArgumentParser calls unknown) the line with the subcommand first. Nothing runs, nothing is
/// written.
@Suite struct UsageErrorTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    func docket(_ arguments: [String]) throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": "ann"])
    }

    @Test func anOptionBeforeItsSubcommandGetsTheReorderedLine() throws {
        let root = try docket(["--as", "bob", "queue", "--mine"])
        #expect(root.status == 64)
        #expect(root.stderr == "docket: error: Unknown option '--as'; options go after the subcommand: docket queue --as bob --mine\n")
        let nested = try docket(["ticket", "--json", "show", "T-1001"])
        #expect(nested.status == 64)
        #expect(nested.stderr == "docket: error: Unknown option '--json'; options go after the subcommand: docket ticket show --json T-1001\n")
        #expect(!FileManager.default.fileExists(atPath: store), "a usage error creates no store")
    }

    /// A negative number was read as an option: `user cost-rate bob -5` said `Missing expected argument
    /// '<cost-per-hour>'`, `charge add … --unit-price -5` `Missing value for '--unit-price <unit-price>'`. The line says
    /// the number is negative and what the command takes; exit 64, no store made. A line that parses is left alone.
    @Test func aNegativeNumberIsNamedAsOne() throws {
        for (arguments, message) in [
            (["user", "cost-rate", "bob", "-5", "--currency", "USD", "--effective", "2026-01-01"],
             "-5 is negative: a cost rate is 0 or more minor units per hour (4500 for 45.00)"),
            (["charge", "add", "acme", "--description", "Credit", "--unit-price", "-12.50"],
             "-12.50 is negative: a charge's --unit-price is 0 or more and its --quantity 1 or more; to take a charge back, void it (`docket charge void CH-n --reason \"…\"`)"),
            (["ticket", "list", "--limit", "-3"], "-3 is negative: `docket ticket list` takes no number below 0"),
        ] {
            let run = try docket(arguments)
            #expect(run.status == 64 && run.stderr == "docket: error: \(message)\n", "\(arguments): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: store), "a usage error creates no store")
    }

    @Test func anUnknownOptionAfterTheSubcommandGetsNoReordering() throws {
        let run = try docket(["queue", "--bogus"])
        #expect(run.status == 64)
        #expect(run.stderr == "docket: error: Unknown option '--bogus' (see `docket queue --help`)\n")
    }

    /// A time typed wrong (`--effective 2026-13-01`, `--at yesterday`, a report's `--from nope`) was only "The value
    /// '…' is invalid for '--effective <effective>'": the line did not say what a time looks like. It says the forms
    /// now, as a bad `--period` does; exit 64, nothing written, embedded and through `docket serve`.
    @Test(arguments: DocketMode.allCases) func aTimeTypedWrongSaysTheFormsATimeTakes(_ mode: DocketMode) throws {
        #expect(try docket(["init"]).status == 0)
        try mode.run {
            let before = try docket(["log", "--json"]).stdout
            let time = "a time is a date written YYYY-MM-DD (2026-11-01) or RFC 3339 with Z or an offset (2026-11-01T09:00:00Z)"
            for (arguments, option) in [
                (["contract", "add", "acme-x", "--client", "acme", "--name", "X", "--effective", "2026-13-01"], "--effective <effective>"),
                (["contract", "end", "acme-x", "--effective", "2026-11-01 08:00"], "--effective <effective>"),
                (["contract", "show", "acme-x", "--at", "yesterday"], "--at <at>"),
                (["client", "deactivate", "acme", "--end-contracts", "soon"], "--end-contracts <end-contracts>"),
                (["user", "cost-rate", "ann", "4500", "--currency", "USD", "--effective", "1/1/2027"], "--effective <effective>"),
            ] {
                let run = try docket(arguments)
                #expect(run.status == 64 && run.stdout.isEmpty, "\(arguments): \(run.stderr)")
                let value = arguments.last ?? ""
                #expect(
                    run.stderr == "docket: error: The value '\(value)' is invalid for '\(option)': \(time) (see `docket \(arguments[0]) \(arguments[1]) --help`)\n",
                    "\(run.stderr)")
            }
            let report = try docket(["report", "leakage", "--from", "nope", "--to", "2026-12-01"])
            #expect(report.status == 64)
            #expect(
                report.stderr == "docket: error: The value 'nope' is invalid for '--from <from>': a time is a date (2026-11-01), a local time "
                    + "(2026-11-01 08:00) or RFC 3339 with Z or an offset (2026-11-01T08:00:00Z) (see `docket report leakage --help`)\n", "\(report.stderr)")
            #expect(try docket(["log", "--json"]).stdout == before, "nothing written")
        }
    }

    @Test(arguments: DocketMode.allCases) func aBadValueIsOneLineNamingTheHelp(_ mode: DocketMode) throws {
        try mode.run(aBadValueIsOneLineNamingTheHelp)
    }
    func aBadValueIsOneLineNamingTheHelp() throws {
        #expect(try docket(["init"]).status == 0)
        let priority = try docket(["ticket", "priority", "T-1001", "P5"])
        #expect(priority.status == 64)
        #expect(priority.stderr == "docket: error: The value 'P5' is invalid for '<priority>'. Please provide one of 'P1', 'P2', 'P3' or 'P4'. (see `docket ticket priority --help`)\n")
        let close = try docket(["ticket", "close", "T-1001", "--no-time"])
        #expect(close.stderr == "docket: error: --no-time needs --reason \"why no time was spent\" (see `docket ticket close --help`)\n")
        #expect(try docket(["ticket", "bogus"]).stderr == "docket: error: Unexpected argument 'bogus' (see `docket ticket --help`)\n")
        // Six values or more: ArgumentParser lists them on lines of their own, which the one line lost ("Please provide
        // one of the following: (see …)").
        let weekday = try docket(["schedule", "add", "x1", "--client", "acme", "--subject", "Check", "--every", "week", "--weekday", "funday", "--at", "08:00"])
        #expect(weekday.status == 64)
        #expect(
            weekday.stderr == "docket: error: The value 'funday' is invalid for '--weekday <weekday>'. Please provide one of 'mon', 'tue', "
                + "'wed', 'thu', 'fri', 'sat' or 'sun'. (see `docket schedule add --help`)\n", "\(weekday.stderr)")
        #expect(try docket(["ticket", "--help"]).stdout.contains("USAGE: docket ticket <subcommand>"), "help is not an error")
    }

    /// Two opposite flags together (`--billing --no-billing`) took the last one silently: they are bad usage, one line
    /// naming both, and nothing is written, embedded or served.
    @Test(arguments: DocketMode.allCases) func oppositeFlagsTogetherAreBadUsage(_ mode: DocketMode) throws {
        #expect(try docket(["init"]).status == 0)
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"]).status == 0)
        #expect(try docket(["client", "contact", "add", "acme", "--name", "Carla", "--email", "carla@acme.example"]).status == 0)
        try mode.run {
            let before = try docket(["log", "--json", "--limit", "10000"]).stdout
            let contact = ["client", "contact", "update", "acme", "acme-1", "--name", "Carla", "--email", "carla@acme.example"]
            for flags in [["--billing", "--no-billing"], ["--no-billing", "--billing"]] {
                let run = try docket(contact + flags)
                #expect(run.status == 64, "\(flags): \(run.stderr)")
                #expect(run.stderr == "docket: error: give --billing or --no-billing, not both (see `docket client contact update --help`)\n")
            }
            let correct = try docket(["time", "correct", "TE-1", "--billable", "--non-billable", "--reason", "x"])
            #expect(correct.status == 64)
            #expect(correct.stderr == "docket: error: give --billable or --non-billable, not both (see `docket time correct --help`)\n")
            #expect(try docket(["log", "--json", "--limit", "10000"]).stdout == before, "nothing written")
            // One of them alone still does what it says.
            #expect(try docket(contact + ["--billing"]).status == 0)
            let shown = try JSONSerialization.jsonObject(with: Data(try docket(["client", "show", "acme", "--json"]).stdout.utf8)) as? [String: Any]
            #expect((shown?["contacts"] as? [[String: Any]])?.first?["billing"] as? Bool == true)
        }
    }

    /// An empty acting user is refused (64) instead of falling through to $DOCKET_USER or the OS user, who is often an
    /// admin: `--as ""`, and an empty $DOCKET_USER given explicitly. No message names an empty user.
    @Test func anEmptyActingUserIsBadUsage() throws {
        #expect(try DocketProcess.run(["init"], store: store).status == 0)
        let add = ["user", "add", "z1", "--name", "Z", "--email", "z1@msp.example", "--role", "admin"]
        let log = try docket(["log", "--json"]).stdout
        let flag = try docket(add + ["--as", ""])
        #expect(flag.status == 64, "\(flag.stderr)")
        #expect(flag.stderr.hasPrefix("docket: error: --as needs a login, e.g. --as bob"), "\(flag.stderr)")
        for environment in [["DOCKET_USER": ""], ["DOCKET_USER": "", "USER": "", "LOGNAME": ""]] {
            let run = try DocketProcess.run(add, store: store, environment: environment)
            #expect(run.status == 64, "\(environment): \(run.stderr)")
            #expect(run.stderr.hasPrefix("docket: error: $DOCKET_USER is set but empty"), "\(run.stderr)")
            #expect(!run.stderr.contains("unknown user ;"))
        }
        #expect(try docket(["log", "--json"]).stdout == log, "nothing written")
        #expect(try docket(add).status == 0, "ann, from $DOCKET_USER, may")
    }

    /// `docket --help` lists the exit codes a script can meet, and listed every one of docs/cli.md's table but 75
    /// (a temporary failure: `intake email`'s report that came too early, a server that stayed busy), which a mail
    /// server's pipe or a retrying script must tell from a failure. It lists each code of the table now.
    @Test func theRootHelpListsEveryExitCodeOfTheTable() throws {
        let help = try docket(["--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let listed = try #require(help.range(of: "Exit codes: ")).upperBound
        let docs = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/cli.md").path, encoding: .utf8)
        let table = try #require(docs.components(separatedBy: "## Exit codes").last)
        let codes = table.split(separator: "\n").compactMap { line -> String? in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return cells.count > 2 && Int(cells[1]) != nil ? cells[1] : nil
        }
        #expect(codes.contains("75") && codes.count >= 12, "\(codes)")
        for code in codes {
            #expect(help[listed...].contains(code == "0" ? "0 ok" : "; \(code) "), "exit code \(code) is not in `docket --help`: \(help[listed...])")
        }
    }
}
