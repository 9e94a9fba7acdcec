import Foundation
import TestSupport
import Testing

/// `docket serve` is not the only process that may write its store: cron's `docket tick`, `docket intake lmtp` and
/// anything else run embedded by the store's owner write beside it (docs/operations.md, "Writers beside the server").
/// That is safe because LMDB lets one write transaction run at a time across processes, and every append reads the
/// head, checks expected versions and command ids and folds the read models inside that transaction.
@Suite struct WritersBesideAServerTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    /// Two clients of the server (bob, by token) and two embedded writers (tia, by `$DOCKET_USER`) comment on one ticket
    /// and open tickets at once, each command with its own command id. Then: every command succeeded; each comment is
    /// in the log once, under the actor that sent it (the server's proven one, or the embedded claim); the tickets got
    /// gapless distinct numbers; a command id retried from the other side writes nothing, and one reused by another
    /// user is refused; the server's answers show every write; a user deactivated embedded is refused by the server's
    /// next request; and `verify` finds every read model equal to a rebuild.
    @Test func embeddedWritersBesideARunningServerKeepIdempotencyIdentityAndReadModels() throws {
        let (perWorker, workers) = (12, 2)
        _ = try DocketProcess.run(["init"], store: store)
        for login in ["bob", "tia"] {
            let run = try DocketProcess.run(["user", "add", login, "--name", login, "--email", "\(login)@msp.example", "--role", "tech"], store: store)
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try DocketProcess.run(["client", "add", "acme", "--name", "Acme", "--time-zone", "UTC", "--currency", "USD"], store: store).status == 0)
        #expect(try DocketProcess.run(["ticket", "open", "--client", "acme", "--subject", "Hot ticket"], store: store).stdout == "T-1001\n")
        let scope = ServerScope()
        defer { scope.stopAll() }
        let server = try scope.server(for: store)
        let token = try DocketProcess.runEmbedded(["token", "create", "--user", "bob", "--name", "beside"], store: store)
        let served = ["DOCKET_SERVER": server.address, "DOCKET_TOKEN": token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)]
        let script = """
            i=1
            while [ $i -le \(perWorker) ]; do
              "$DOCKET" ticket comment T-1001 "$SIDE w$WORKER c$i" --internal --command-id "$SIDE-$WORKER-$i" >/dev/null 2>>"$ERRORS"
              echo "$?"
              if [ $((i % 4)) -eq 0 ]; then
                "$DOCKET" ticket open --client acme --subject "$SIDE w$WORKER t$i" --command-id "open-$SIDE-$WORKER-$i" >/dev/null 2>>"$ERRORS"
                echo "$?"
              fi
              i=$((i + 1))
            done
            """
        var children: [(Process, Pipe)] = []
        for (side, environment) in [("served", served), ("embedded", ["DOCKET_USER": "tia"])] {
            for worker in 0..<workers {
                let variables = [
                    "DOCKET_STORE": store, "SIDE": side, "WORKER": String(worker), "ERRORS": folder.child("errors-\(side)-\(worker)"),
                ]
                children.append(try ScriptWorkers.start(script, variables: variables.merging(environment) { $1 }))
            }
        }
        let statuses = ScriptWorkers.countLines(of: children)
        let commands = 2 * workers * (perWorker + perWorker / 4)
        let errors = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("errors-") }
            .compactMap { try? String(contentsOfFile: folder.child($0), encoding: .utf8) }.joined()
        #expect(statuses == ["0": commands], "\(statuses): \(errors.prefix(600))")

        // Each comment once, under its sender; the tickets numbered T-1002… without a gap or a double.
        func export() throws -> [[String: Any]] {
            try DocketProcess.runEmbedded(["export"], store: store).stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
        let events = try export()
        var comments: [String: [String]] = [:]
        var opened: [String] = []
        for event in events {
            if event["type"] as? String == "ticket.commented", let text = (event["payload"] as? [String: Any])?["text"] as? String {
                comments[text, default: []].append(event["actor"] as? String ?? "")
            }
            if event["type"] as? String == "ticket.opened", let number = (event["payload"] as? [String: Any])?["number"] as? String {
                opened.append(number)
            }
        }
        for side in ["served", "embedded"] {
            for worker in 0..<workers {
                for i in 1...perWorker {
                    #expect(comments["\(side) w\(worker) c\(i)"] == [side == "served" ? "bob" : "tia"], "\(side) w\(worker) c\(i)")
                }
            }
        }
        let tickets = 1 + 2 * workers * (perWorker / 4)
        #expect(opened.sorted() == (1001...(1000 + tickets)).map { "T-\($0)" }, "\(opened)")

        // A command id retried from the other side is the same command: it writes nothing. Another user's is refused.
        let head = events.count
        let retried = try DocketProcess.runEmbedded(
            ["ticket", "comment", "T-1001", "served w0 c1", "--internal", "--command-id", "served-0-1"], store: store,
            environment: ["DOCKET_USER": "bob"])
        #expect(retried.status == 0, "\(retried.stderr)")
        let retriedThroughServer = try DocketProcess.runEmbedded(
            ["ticket", "open", "--client", "acme", "--subject", "embedded w1 t4", "--command-id", "open-embedded-1-4"], store: store,
            environment: served)
        #expect(retriedThroughServer.status != 0, "bob reusing tia's command id")
        #expect(retriedThroughServer.stderr.contains("command id open-embedded-1-4 was already used by another user"), "\(retriedThroughServer.stderr)")
        #expect(try export().count == head, "nothing written")

        // The server's answers show what the embedded writers wrote, and every read model equals a rebuild from the log.
        let list = try DocketProcess.runEmbedded(["ticket", "list", "--json", "--limit", "1000"], store: store, environment: served)
        #expect(list.stdout.components(separatedBy: "\"number\"").count - 1 == tickets, "\(list.stderr)")
        let show = try DocketProcess.runEmbedded(["ticket", "show", "T-1001", "--json"], store: store, environment: served)
        #expect(show.stdout.components(separatedBy: "ticket.commented").count - 1 == 2 * workers * perWorker)
        // An identity changed embedded holds at the server's very next request: bob deactivated beside it is refused.
        #expect(try DocketProcess.runEmbedded(["user", "deactivate", "bob"], store: store).status == 0)
        let refused = try DocketProcess.runEmbedded(["ticket", "show", "T-1001"], store: store, environment: served)
        #expect(refused.status == 5, "\(refused.stderr)")
        let verify = try DocketProcess.runEmbedded(["verify"], store: store)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
