import ArgumentParser
import DocketApp
import Domain
import Foundation

/// `docket token …`: API tokens, for the server's HTTP API (docs/security.md).
struct TokenGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens (a token acts with its user's role).",
        discussion: """
            docket token create --user bob --name laptop --expires 90d  # shows it once
            docket token list        docket token revoke 3f9a0c1d2e4b
            Admins manage everyone's tokens, other users their own. Only a salted SHA-256 hash is stored. \
            Deactivating a user kills their tokens for good.
            """,
        subcommands: [TokenCreate.self, TokenList.self, TokenRevoke.self])
}

/// `--expires 90d`: a lifetime in whole days (`TokenCreate.validate()` checks the range).
struct DaysArgument: ExpressibleByArgument {
    let days: Int

    init?(argument: String) {
        let digits = argument.hasSuffix("d") ? String(argument.dropLast()) : argument
        guard let days = Int(digits) else { return nil }
        self.days = days
    }
}

struct TokenCreate: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a token and print it, the only time it is shown.",
        discussion: """
            A retry with the same --command-id creates no second token and does not show the secret again (only its \
            hash is kept): it says which token the first attempt created.
            """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Option(help: "The user the token acts as (default: you).") var user: String?
    @Option(help: "A label for the token, e.g. laptop (1 to 64 lower-case letters, digits and dashes).") var name: String
    @Option(help: ArgumentHelp("Lifetime in days, e.g. 90d (default: never expires).", valueName: "days")) var expires: DaysArgument?

    func validate() throws {
        if let days = expires?.days, !(1...TokenDecider.maxLifetimeDays).contains(days) {
            throw ValidationError("--expires must be 1 to \(TokenDecider.maxLifetimeDays) days, e.g. 90d")
        }
    }

    func run(in session: Session) throws {
        let owner = user ?? actor.name
        let created = try session.app.directory.createToken(
            for: owner, name: name, lifetimeDays: expires?.days, as: actor.name, commandId: write.commandId)
        guard let token = created.token else {
            Terminal.out(
                "token \(created.tokenId) was already created by command id \(write.commandId ?? ""); its secret was shown only then "
                    + "and is not kept: if it was lost, revoke the token (`docket token revoke \(created.tokenId)`) and create another\n")
            return
        }
        Terminal.out(token + "\n")
        if Terminal.stderrIsTerminal {
            Terminal.error("docket: created API token \(name) for \(owner); it is shown only now: store it safely")
        }
    }
}

struct TokenList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List tokens (admins: all; others: their own); never their secrets.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    /// One row of `--json`.
    struct Row: Encodable {
        let id, user, name, createdAt, createdBy, status: String
        let expiresAt, lastUsedAt: String?
    }

    func run(in session: Session) throws {
        let tokens = try session.app.directory.tokens(as: actor.name)
        let used = (ServedStore.tokenUsage ?? TokenUsage(storePath: store.path)).snapshot
        if output.json {
            try printJSON(
                tokens.map {
                    Row(
                        id: $0.tokenId, user: $0.user, name: $0.name, createdAt: $0.createdAt.iso8601,
                        createdBy: $0.createdBy, status: $0.status, expiresAt: $0.expiresAt?.iso8601,
                        lastUsedAt: used[$0.tokenId]?.iso8601)
                })
            return
        }
        // Times for people, in the viewer's zone as every other table (`--json` keeps RFC 3339 UTC).
        let time = PeopleTime.viewer(actor.name, in: session)
        Terminal.out(
            Terminal.table(
                ["ID", "USER", "NAME", "CREATED", "EXPIRES", "LAST USED", "STATUS"],
                tokens.map {
                    [$0.tokenId, $0.user, $0.name, time.text($0.createdAt), $0.expiresAt.map(time.text) ?? "never",
                     used[$0.tokenId].map(time.text) ?? "never", $0.status]
                }))
    }
}

struct TokenRevoke: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a token for good (its owner or an admin).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The token's id (the ID column of `docket token list`).") var id: String
    @Option(help: "Why.") var reason: String?

    func run(in session: Session) throws {
        guard id.utf8.count <= 64 else { throw CLIError.badInput("token id \(id.prefix(16))… is too long; copy it from `docket token list`") }
        let events = try session.app.directory.revokeToken(id, reason: reason, as: actor.name, commandId: write.commandId)
        Terminal.out(events.isEmpty ? "token \(id) was already revoked; nothing to change\n" : "revoked token \(id)\n")
    }
}
