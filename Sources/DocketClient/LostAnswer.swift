/// A command whose answer was lost: the server closed the connection after the request and before its whole answer
/// (it was stopped, restarted or killed while the command ran), so whether the command ran is not known. A command
/// that takes `--command-id` is safe to send again with the same id: the server writes nothing the second time and
/// answers as the first time did (docs/cli.md, "Command ids"). So the client gives every such command an id of its
/// own when the caller gave none (``generatedId()``, sent as `Idempotency-Key`, which the server makes the command's
/// `--command-id`), and sends a command with an id again, the same bytes, until the server answers or the wait
/// (``BusyRetry``) is used up. A command without `--command-id` (a read, or a write that has its own safeguard, such as
/// `intake email`'s Message-ID) is never sent twice by the client.
public enum LostAnswer {
    /// The commands that take `--command-id` (their words before the operands and options). `LostAnswerTests` checks
    /// this list against the command tree, so a new write cannot be left out (or a read put in) unnoticed.
    static let commandsTakingId: Set<String> = [
        "ticket open", "ticket take", "ticket assign", "ticket unassign", "ticket priority", "ticket category", "ticket due",
        "ticket comment", "ticket reply", "ticket status", "ticket watch", "ticket unwatch", "ticket merge", "ticket link", "ticket unlink", "ticket close",
        "ticket reopen", "ticket cc add", "ticket cc remove",
        "time log", "time correct", "time void", "time start", "time stop", "time cancel",
        "invoice run", "invoice finalize", "invoice discard", "invoice void", "charge add", "charge void",
        "outbox retry",
        "calendar define", "calendar amend", "sla-policy define", "sla-policy amend", "rules set", "followup set", "followup off",
        "followup clear", "survey on", "survey off",
        "schedule add", "schedule remove",
        "user add", "user role", "user deactivate", "user reactivate", "user cost-rate", "user time-zone", "user link-os",
        "user unlink-os", "user kind",
        "token create", "token revoke", "hook create", "hook rotate", "notify add", "notify rotate", "notify remove",
        "client add", "client update", "client deactivate", "client reactivate",
        "client contact add", "client contact update", "client contact remove",
        "contract add", "contract amend", "contract end",
        "template add", "template update", "template remove",
    ]

    /// Whether the command `arguments` names takes `--command-id`: its first two or three words are one of
    /// ``commandsTakingId``.
    public static func takesCommandId(_ arguments: [String]) -> Bool {
        let words = arguments.prefix { !$0.hasPrefix("-") }
        return [3, 2].contains { count in
            words.count >= count && commandsTakingId.contains(SystemError.join(Array(words.prefix(count)), " "))
        }
    }

    /// The `--command-id` the caller gave (`--command-id ID` or `--command-id=ID`, before any `--`), if any.
    public static func givenCommandId(_ arguments: [String]) -> String? {
        let words = Array(arguments.prefix { $0 != "--" })
        for (index, word) in words.enumerated() {
            if word == "--command-id" { return index + 1 < words.count ? words[index + 1] : "" }
            if word.hasPrefix("--command-id=") { return String(word.dropFirst("--command-id=".count)) }
        }
        return nil
    }

    /// A new command id for one run of the client: `cli-` and 32 hexadecimal digits (128 random bits), so two runs
    /// never share one.
    public static func generatedId() -> String {
        var generator = SystemRandomNumberGenerator()
        var id = "cli-"
        for _ in 0..<2 {
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            id += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return id
    }
}
