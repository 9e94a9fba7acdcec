import Foundation
import TestSupport
import Testing

/// Techs taking tickets, and changes made only on the version a tech saw. Four techs running `ticket assign --to self`
/// on one ticket at once all got "assigned to X" (exit 0), the last silently won and the history showed four
/// reassignments; nothing let a tech change a ticket only if nobody had changed it since they looked.
@Suite struct TicketTakeTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    static let techs = ["bob", "tia", "max", "eve"]

    @discardableResult
    func docket(_ arguments: [String], as user: String = "ann") throws -> DocketRun {
        try DocketProcess.run(arguments, store: store, environment: ["DOCKET_USER": user])
    }

    /// ann (admin), dora (dispatcher), four techs, client acme and `tickets` tickets (T-1001…).
    func setUp(tickets: Int = 1) throws {
        try docket(["init"])
        try StoreSetUp.addUsers([("dora", "dispatcher")] + Self.techs.map { ($0, "tech") }) { try docket($0) }
        #expect(try docket(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"], as: "dora").status == 0)
        for index in 1...tickets {
            #expect(try docket(["ticket", "open", "--client", "acme", "--subject", "Printer \(index)"], as: "dora").status == 0)
        }
    }

    func eventCount() throws -> Int {
        try docket(["log", "--json", "--limit", "100000"]).stdout.components(separatedBy: "\"position\"").count - 1
    }

    func version(_ number: String) throws -> Int {
        let show = try docket(["ticket", "show", number, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], "\(show.stderr)")
        return try #require(object["version"] as? Int)
    }

    /// Four techs take each of three tickets at once (separate processes; through a server, each with their own
    /// token): exactly one gets each ticket (exit 0, "assigned to" them), the others are refused naming the winner
    /// (exit 3) and write nothing: the ticket's history holds one assignment.
    @Test(arguments: DocketMode.allCases) func fourTechsTakingOneTicketAtOnceGiveExactlyOneOwner(_ mode: DocketMode) throws {
        try setUp(tickets: 3)
        let scope = ServerScope()
        defer { scope.stopAll() }
        var environments: [String: [String: String]] = [:]
        for tech in Self.techs {
            environments[tech] = ["DOCKET_USER": tech]
            if mode == .server {
                let server = try scope.server(for: store)
                let token = try DocketProcess.runEmbedded(["token", "create", "--user", tech, "--name", "take"], store: store)
                environments[tech] = ["DOCKET_SERVER": server.address, "DOCKET_TOKEN": token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
            }
        }
        for number in ["T-1001", "T-1002", "T-1003"] {
            let children = try Self.techs.map { tech in
                (tech, try DocketProcess.start(["ticket", "take", number], store: store, environment: environments[tech] ?? [:]))
            }
            var outcomes: [(tech: String, status: Int32, out: String, err: String)] = []
            for (tech, child) in children {
                try child.1.fileHandleForWriting.close()
                let out = String(decoding: child.2.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let err = String(decoding: child.3.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                child.0.waitUntilExit()
                outcomes.append((tech, child.0.terminationStatus, out, err))
            }
            let winners = outcomes.filter { $0.status == 0 }
            try #require(winners.count == 1, "\(mode) \(number): \(outcomes)")
            let owner = winners[0].tech
            #expect(winners[0].out == "\(number): assigned to \(owner)\n")
            for loser in outcomes where loser.status != 0 {
                #expect(loser.status == 3, "\(mode) \(number): \(loser)")
                #expect(
                    loser.err == "docket: error: \(number) is already \(owner)'s; ask \(owner), or reassign it with `docket ticket assign \(number) --to \(loser.tech)`\n",
                    "\(mode) \(number)")
            }
            let show = try docket(["ticket", "show", number, "--json"])
            let history = try #require((try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])?["history"] as? [[String: Any]])
            #expect(history.filter { ($0["type"] as? String)?.hasPrefix("ticket.assigned") == true }.count == 1, "\(mode) \(number): \(history)")
            let list = try docket(["ticket", "list", "--assignee", owner, "--json"]).stdout
            #expect(list.contains("\"\(number)\""), "\(mode): the queue shows \(number) as \(owner)'s")
        }
    }

    /// A take of a ticket another tech has is refused (exit 3, naming them and the fix) and writes nothing; a take of
    /// one's own ticket writes nothing and says so; an unassigned one is taken.
    @Test(arguments: DocketMode.allCases) func takingAnotherTechsTicketIsRefusedAndWritesNothing(_ mode: DocketMode) throws {
        try mode.run {
            try setUp(tickets: 2)
            #expect(try docket(["ticket", "assign", "T-1001", "--to", "bob"], as: "dora").status == 0)
            for tech in ["bob", "tia"] { try docket(["ticket", "show", "T-1002"], as: tech) }  // through a server, their tokens are made now
            let before = try eventCount()
            let refused = try docket(["ticket", "take", "T-1001"], as: "tia")
            #expect(refused.status == 3)
            #expect(refused.stderr == "docket: error: T-1001 is already bob's; ask bob, or reassign it with `docket ticket assign T-1001 --to tia`\n")
            #expect(refused.stdout == "")
            let own = try docket(["ticket", "take", "T-1001"], as: "bob")
            #expect(own.status == 0)
            #expect(own.stdout == "T-1001: already yours\n")
            #expect(try eventCount() == before, "nothing written")
            let taken = try docket(["ticket", "take", "T-1002"], as: "tia")
            #expect(taken.status == 0, "\(taken.stderr)")
            #expect(taken.stdout == "T-1002: assigned to tia\n")
            #expect(try docket(["ticket", "show", "T-1002"]).stdout.contains("assignee tia"))
        }
    }

    /// `ticket show` prints the ticket's version (human and `--json`); a change given `--expect-version` runs when the
    /// ticket is still there and is refused when someone changed it since: exit 3, one line naming the version now
    /// and how to see what changed, nothing written. Every command that changes a ticket takes the option.
    @Test(arguments: DocketMode.allCases) func aChangeOnAStaleVersionIsRefusedNamingTheVersionNow(_ mode: DocketMode) throws {
        try mode.run {
            try setUp()
            #expect(try docket(["template", "add", "thanks", "--body", "About {{ticket.number}}: thanks"], as: "dora").status == 0)
            let seen = try version("T-1001")
            #expect(try docket(["ticket", "show", "T-1001"]).stdout.contains(" · version \(seen)\n"))
            let first = try docket(["ticket", "comment", "T-1001", "Looking", "--expect-version", String(seen)], as: "bob")
            #expect(first.status == 0, "\(first.stderr)")
            let now = try version("T-1001")
            #expect(now == seen + 2, "the reply, and the move from New to In progress it starts")
            let before = try eventCount()
            for arguments in [
                ["ticket", "comment", "T-1001", "Me too"], ["ticket", "assign", "T-1001", "--to", "tia"], ["ticket", "take", "T-1001"],
                ["ticket", "unassign", "T-1001"], ["ticket", "priority", "T-1001", "P1"], ["ticket", "category", "T-1001", "net"],
                ["ticket", "status", "T-1001", "in-progress"], ["ticket", "watch", "T-1001"], ["ticket", "unwatch", "T-1001"],
                ["ticket", "due", "T-1001", "2026-12-24"], ["ticket", "reply", "T-1001", "--template", "thanks"],
                ["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test"],
            ] {
                let run = try docket(arguments + ["--expect-version", String(seen)], as: "dora")
                #expect(run.status == 3, "\(mode) \(arguments): \(run.stderr)")
                #expect(
                    run.stderr
                        == "docket: error: T-1001 is at version \(now), not \(seen): it changed since you read it; see what changed with "
                        + "`docket ticket show T-1001` (the last 2 lines of its history), then run the command again with --expect-version \(now)\n",
                    "\(mode) \(arguments)")
            }
            #expect(try eventCount() == before, "nothing written")
            let current = try docket(["ticket", "close", "T-1001", "--resolution", "done", "--no-time", "--reason", "test", "--expect-version", String(now)], as: "tia")
            #expect(current.status == 0, "\(current.stderr)")
            let reopen = try docket(["ticket", "reopen", "T-1001", "--expect-version", String(now)], as: "tia")
            #expect(reopen.status == 3, "\(reopen.stderr)")
        }
    }
}
