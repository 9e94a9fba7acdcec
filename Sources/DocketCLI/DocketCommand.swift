import ArgumentParser
import Foundation
import DocketApp

#if canImport(Glibc)
import Glibc
#endif

/// The `docket` command: the root that lists every subcommand.
public struct DocketCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "docket",
        abstract: "Docket: a PSA ticketing engine on an append-only, hash-chained event log.",
        discussion: """
            Every action is an event in the store (default ./docket-data, or $DOCKET_STORE, or --store). \
            Start with `docket init`, then inspect the log with `docket log` and check it with `docket verify`.

            Exit codes: 0 ok; 1 unexpected failure; 2 store damaged; 3 conflict (stale expected version); \
            4 not found (ticket, client, user, …); 5 forbidden for your role; 6 refused by a rule (e.g. the \
            ticket is closed); 64 bad usage; 65 bad input data; 66 no store at the path; 73 destination not usable; 75 \
            temporary failure, nothing done: try again later (a server that stayed busy; `intake email` given a \
            report about mail not recorded as sent yet).
            """,
        subcommands: [
            InitCommand.self, TicketGroup.self, TimeGroup.self, QueueCommand.self, SLACommand.self, TickCommand.self, ScheduleGroup.self,
            InvoiceGroup.self, ChargeGroup.self, AuditGroup.self, ReportGroup.self, IntakeGroup.self, AlertGroup.self, OutboxGroup.self,
            CalendarGroup.self, SLAPolicyGroup.self, RulesGroup.self, FollowUpGroup.self, SurveyGroup.self,
            UserGroup.self, TokenGroup.self, HookGroup.self, NotifyGroup.self, ClientGroup.self, ContractGroup.self, TemplateGroup.self,
            EventCommand.self, LogCommand.self, VerifyCommand.self, AnchorCommand.self, BackupCommand.self, RestoreCommand.self, ReplayCommand.self,
            ExportCommand.self, ImportCommand.self, RebuildCommand.self, SnapshotGroup.self, StatsCommand.self, ServeCommand.self, LoginCommand.self,
        ]
    )

    public init() {}
}

extension DocketCommand {
    /// Runs the command line embedded, as `main()` does, but writes a failure's message the way `Terminal.error`
    /// does: on a terminal its control characters are shown, not obeyed (a usage error quotes the argument back, and
    /// an argument may be pasted from a mail). Exits with the command's exit code.
    public static func runEmbedded() -> Never {
        do {
            var command = try parse(Array(CommandLine.arguments.dropFirst()))
            try RefusalReader.$current.withValue(RefusalReader.reading(command)) {
                try RequestFingerprint.$current.withValue(requestFingerprint(Array(CommandLine.arguments.dropFirst()))) { try command.run() }
            }
            Glibc.exit(0)
        } catch {
            let (code, message) = failure(error, arguments: Array(CommandLine.arguments.dropFirst()))
            if !message.isEmpty {
                // As `main()` prints it: help and other clean exits to stdout, the rest to stderr, then a newline.
                if code == 0 { Terminal.outData(Data((message + "\n").utf8)) } else { Terminal.error(message) }
            }
            Glibc.exit(code)
        }
    }

    /// The exit code and message for `error` from running `arguments` (without a trailing newline; empty for none).
    /// ArgumentParser's usage errors ("Error: …", a help line, the usage, "See '… --help'") become one line in Docket's
    /// form, naming the help to read: `docket: error: The value 'P5' is invalid for '<priority>'. … (see `docket
    /// ticket priority --help`)`; an option typed before its subcommand gets the line with the subcommand first.
    /// Help and other clean exits keep ArgumentParser's text.
    static func failure(_ error: Error, arguments: [String]) -> (code: Int32, message: String) {
        if let negative = error as? NegativeTime { return (ExitCode.validationFailure.rawValue, "docket: error: \(negative)") }
        if let negative = error as? NegativeNumber { return (ExitCode.validationFailure.rawValue, "docket: error: \(negative)") }
        let code = exitCode(for: error).rawValue
        let message = fullMessage(for: error)
        let lines = message.split(separator: "\n")
        guard code != 0, let first = lines.first, first.hasPrefix("Error: ") else { return (code, message) }
        var line = "docket: error: " + first.dropFirst("Error: ".count)
        // Six values or more come as a bulleted list on the lines after ("one of the following:\n  - mon\n  - tue …"):
        // the one line names them as a shorter list is named ("one of 'mon', 'tue', … or 'sun'.").
        let bullets = lines.dropFirst().prefix { $0.hasPrefix("  - ") }.map { "'\($0.dropFirst("  - ".count))'" }
        if line.hasSuffix(" one of the following:"), let last = bullets.last {
            line = String(line.dropLast(" the following:".count)) + " " + bullets.dropLast().joined(separator: ", ") + " or \(last)."
        }
        if first.hasPrefix("Error: Unknown option"), let reordered = optionsAfterSubcommand(arguments) {
            line += "; options go after the subcommand: docket " + reordered.joined(separator: " ")
        } else if let see = lines.last(where: { $0.contains("See '") }), let start = see.range(of: "See '"),
            let end = see[start.upperBound...].firstIndex(of: "'")
        {
            line += " (see `\(see[start.upperBound..<end])`)"
        }
        return (code, line)
    }

    /// `arguments` parsed as a Docket command line; a `docket time …` line with a negative duration is refused first
    /// (``NegativeTime``).
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        if let negative = negativeDuration(arguments) { throw NegativeTime(argument: negative) }
        do {
            return try parseAsRoot(arguments)
        } catch {
            // A negative number is read as an option (`-5`: "Missing expected argument"): say what it is instead.
            let split = splitSubcommands(arguments)
            if let negative = split.rest.first(where: NegativeNumber.looksNegative) { throw NegativeNumber(argument: negative, command: split.path) }
            throw error
        }
    }

    /// The argument of a `docket time …` command line that is a negative duration (`time log T-1 -5m`), which
    /// ArgumentParser reads as short options (`-5m`: a missing duration; `-1h30m`: `-h`, the help, exit 0); nil when
    /// there is none.
    static func negativeDuration(_ arguments: [String]) -> String? {
        let split = splitSubcommands(arguments)
        guard split.path.first == "time" else { return nil }
        return split.rest.first { argument in
            argument.count > 1 && argument.hasPrefix("-") && argument.dropFirst().first.map { $0.isNumber || $0 == "." } == true
        }
    }

    /// `arguments` with the subcommand names first, when an option or value was typed before one of them
    /// (`docket --as bob queue`, `docket ticket --json show T-1`): ArgumentParser then calls the option unknown, and
    /// the reordered line is what was meant. Nil when every subcommand name already comes first.
    static func optionsAfterSubcommand(_ arguments: [String]) -> [String]? {
        let split = splitSubcommands(arguments)
        return split.misplaced ? split.path + split.rest : nil
    }

    /// What a command line with `--command-id` asks for (``RequestFingerprint``): its subcommands, then its other
    /// arguments as typed, without the ones that change only how it runs or prints (`--command-id`, `--as`, `--store`,
    /// `--json`). Nil without a command id. Another command line with the same id is refused instead of answered with
    /// the first one's outcome.
    static func requestFingerprint(_ arguments: [String]) -> RequestFingerprint? {
        let valued: Set = ["--command-id", "--as", "--store"]
        var commandId: String?
        var kept: [String] = []
        var skipNext = false
        for (index, argument) in arguments.enumerated() {
            if skipNext {
                skipNext = false
                continue
            }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if argument == "--command-id", index + 1 < arguments.count { commandId = arguments[index + 1] }
            if argument.hasPrefix("--command-id=") { commandId = String(argument.dropFirst("--command-id=".count)) }
            if argument == "--json" || (valued.contains(name) && argument.contains("=")) { continue }
            if valued.contains(argument) {
                skipNext = true
                continue
            }
            kept.append(argument)
        }
        guard let commandId else { return nil }
        let split = splitSubcommands(kept)
        return RequestFingerprint(commandId: commandId, request: (split.path + ["--"] + split.rest).joined(separator: "\u{0}"))
    }

    /// `arguments` split into the subcommand names (`ticket`, `close`) and the rest, in order, and whether some of the
    /// rest came before a subcommand name.
    private static func splitSubcommands(_ arguments: [String]) -> (path: [String], rest: [String], misplaced: Bool) {
        var command: any ParsableCommand.Type = DocketCommand.self
        var path: [String] = []
        var rest: [String] = []
        var misplaced = false
        for argument in arguments {
            let next = command.configuration.subcommands.first {
                $0.configuration.commandName == argument || $0.configuration.aliases.contains(argument)
            }
            if let next {
                misplaced = misplaced || !rest.isEmpty
                path.append(argument)
                command = next
            } else {
                rest.append(argument)
            }
        }
        return (path, rest, misplaced)
    }
}

/// A negative duration on a `docket time …` command line: time is not logged negative; an entry logged too long is
/// corrected or voided. Bad usage (exit 64), nothing written.
/// A negative number on a command line that parsed no further (ArgumentParser reads `-5` as an option): no amount,
/// rate, quantity or count Docket takes is below 0; the message names what the command takes instead.
struct NegativeNumber: Error, CustomStringConvertible {
    let argument: String
    /// The subcommands, e.g. `["user", "cost-rate"]`.
    let command: [String]

    /// `-5`, `-12.50`, `-1,249.00`: a minus and then digits (with `.` or `,`).
    static func looksNegative(_ argument: String) -> Bool {
        argument.count > 1 && argument.hasPrefix("-") && argument.dropFirst().first?.isNumber == true
            && argument.dropFirst().allSatisfy { $0.isNumber || $0 == "." || $0 == "," }
    }

    var description: String {
        let what =
            switch command {
            case ["user", "cost-rate"]: "a cost rate is 0 or more minor units per hour (4500 for 45.00)"
            case ["charge", "add"]:
                "a charge's --unit-price is 0 or more and its --quantity 1 or more; to take a charge back, void it (`docket charge void CH-n --reason \"…\"`)"
            default: "`docket \(command.joined(separator: " "))` takes no number below 0"
            }
        return "\(argument) is negative: \(what)"
    }
}

struct NegativeTime: Error, CustomStringConvertible {
    let argument: String

    var description: String {
        "\(argument) is negative time, which is not logged; to take time off an entry, correct it "
            + "(`docket time correct TE-n --minutes 30m --reason \"…\"`) or void it (`docket time void TE-n --reason \"…\"`)"
    }
}
