import ArgumentParser
import DocketApp
import Domain
import Foundation
import Hooks

/// `docket hook …`: webhook sources for the server's `/hooks/…` routes (docs/intake.md).
struct HookGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Create webhook sources, rotate and list their secrets (admins).",
        discussion: """
            docket hook create ninja --format generic --acts-as intake \\
                --default-client acme               # prints the secret once
            docket hook rotate ninja --grace 24h     docket hook list
            generic: POST /hooks/alerts/<source>, signed (Docket-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")). \
            alertmanager: POST /hooks/alertmanager/<source>; mail: POST /hooks/mail/<source>; both with the secret \
            as bearer token or basic-auth password. Secrets are sealed (AES-GCM) under <store>/hook-secrets.key.
            """,
        subcommands: [HookCreate.self, HookRotate.self, HookList.self])
}

extension HookFormat: ExpressibleByArgument {}

/// `--grace 24h`: a grace period in hours (`h`) or days (`d`).
struct GraceArgument: ExpressibleByArgument {
    let milliseconds: Int64

    init?(argument: String) {
        let unit: Int64 = argument.hasSuffix("d") ? 86_400_000 : 3_600_000
        let digits = argument.hasSuffix("d") || argument.hasSuffix("h") ? String(argument.dropLast()) : argument
        // 0 to 7 days, as the source's rule allows: a longer one is a bad value (64) like a malformed one.
        guard let count = Int64(digits), count >= 0, count <= 10_000, count * unit <= 7 * 86_400_000 else { return nil }
        milliseconds = count * unit
    }
}

struct HookCreate: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a webhook source and print its secret, the only time it is shown.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The source's name, the end of its URL (1 to 64 lower-case letters, digits and dashes).") var source: String
    @Option(help: "alertmanager, generic or mail.") var format: HookFormat
    @Option(help: "The Docket user deliveries act as (a dispatcher, e.g. intake).") var actsAs: String
    @Option(help: "The client for alerts that name none, or for mail from unknown senders.") var defaultClient: String?
    @OptionGroup var newKey: NewHookKeyOptions

    func run(in session: Session) throws {
        let sealing = NewHookKey(store: store.path, session: session, newKey)
        let secret = try session.app.intake.createHook(
            source, format: format, actsAs: actsAs, defaultClient: defaultClient, as: actor.name, commandId: write.commandId,
            key: sealing.key)
        try sealing.warnAfterwards()
        guard let secret else {
            Terminal.out(
                "webhook source \(source) was already created by command id \(write.commandId ?? ""); its secret was shown only then: "
                    + "if it was lost, give the source a new one with `docket hook rotate \(source)`\n")
            return
        }
        Terminal.out(secret + "\n")
        if Terminal.stderrIsTerminal {
            Terminal.error("docket: created webhook source \(source) (\(format.rawValue)); its secret is shown only now: give it to the sender")
        }
    }
}

struct HookRotate: StoreCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Give a webhook source a new secret and print it, the only time it is shown.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var write: WriteOptions
    @Argument(help: "The source's name.") var source: String
    @Option(help: ArgumentHelp("How long the previous secret is still accepted, e.g. 24h or 2d (at most 7d; default 0).", valueName: "hours"))
    var grace: GraceArgument?
    @OptionGroup var newKey: NewHookKeyOptions

    func run(in session: Session) throws {
        let sealing = NewHookKey(store: store.path, session: session, newKey, renewingSource: source)
        let secret = try session.app.intake.rotateHook(
            source, graceMilliseconds: grace?.milliseconds ?? 0, as: actor.name, commandId: write.commandId, key: sealing.key)
        try sealing.warnAfterwards()
        guard let secret else {
            Terminal.out(
                "webhook source \(source)'s secret was already rotated by command id \(write.commandId ?? ""); the new secret was shown "
                    + "only then: if it was lost, rotate it again\n")
            return
        }
        Terminal.out(secret + "\n")
    }
}

struct HookList: ReadCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List webhook sources with their secrets' fingerprints (never the secrets).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var output: OutputOptions

    /// One row of `--json`.
    struct Row: Encodable {
        let source, format, actsAs, fingerprint, createdAt, secretSince: String
        let defaultClient, previousFingerprint, previousValidUntil: String?
    }

    func run(in session: Session) throws {
        let hooks = try session.app.intake.hooks(as: actor.name)
        // Listed from the log, which needs no key: say so when deliveries could not be checked (a restore).
        let sealed = try session.app.sealedSecretOwners().filter { $0.kind == .webhookSource }
        if let problem = SealedSecretsCheck.problem(sealed, store: store.path) { Terminal.error("docket: warning: \(problem)") }
        if output.json {
            try printJSON(
                hooks.map {
                    Row(
                        source: $0.source, format: $0.format.rawValue, actsAs: $0.actsAs, fingerprint: $0.fingerprint,
                        createdAt: $0.createdAt.iso8601, secretSince: $0.secretSince.iso8601, defaultClient: $0.defaultClient,
                        previousFingerprint: $0.previousFingerprint, previousValidUntil: $0.previousValidUntil?.iso8601)
                })
            return
        }
        // SINCE and PREVIOUS UNTIL in the viewer's zone, as every table gives times to people (`--json` keeps RFC 3339 UTC).
        let time = PeopleTime.viewer(actor.name, in: session)
        Terminal.out(
            Terminal.table(
                ["SOURCE", "FORMAT", "ACTS AS", "DEFAULT CLIENT", "SECRET", "SINCE", "PREVIOUS UNTIL"],
                hooks.map { hook in
                    [
                        hook.source, hook.format.rawValue, hook.actsAs, hook.defaultClient ?? "-", hook.fingerprint, time.text(hook.secretSince),
                        hook.previousValidUntil.map { until in "\(hook.previousFingerprint ?? "") until \(time.text(until))" } ?? "-",
                    ]
                }))
    }
}

/// The store's hook key (``HookKey``), with its errors as CLI errors.
enum HookKeyAccess {
    /// The key that opens secrets sealed under it (`outbox send`); never made here (a command that seals: ``NewHookKey``).
    static func key(store path: String) throws -> HookKey {
        do {
            guard let key = try HookKey.load(inFolder: path, create: false) else {
                // Secrets were sealed under a key that is not there (a restore).
                throw CLIError.notFound(
                    "the key file \(path)/\(HookKey.fileName) the secrets are sealed under is missing (`docket backup` leaves it out): "
                        + "copy the one kept apart from the backups back there (mode 0600); if it is lost, give each channel a new "
                        + "secret and URL (`docket notify remove NAME`, then `docket notify add NAME --url -`)")
            }
            return key
        } catch let error as HookKeyError {
            throw CLIError.badInput("\(error.message) (\(path)/\(HookKey.fileName))")
        }
    }
}

/// Which sealed secrets the store's key file cannot open, in one line with the fix: after a restore (backups leave
/// the key file out, docs/security.md) the sources' and channels' secrets are ciphertext until the file kept apart
/// is put back, and a `hook create` or `notify rotate` before that would make a new key, which the old file then
/// cannot replace without losing what was sealed under the new one (``NewHookKey`` refuses to, unless asked).
enum SealedSecretsCheck {
    /// The problem with `owners` (``DocketApplication/sealedSecretOwners()``) under the key file of the store at
    /// `path`, and the fix; nil when the file opens every one (or there is none to open).
    static func problem(_ owners: [SealedSecretOwner], store path: String) -> String? {
        guard !owners.isEmpty else { return nil }
        let file = "\(path)/\(HookKey.fileName)"
        let key: HookKey?
        let why: String
        do {
            key = try HookKey.load(inFolder: path, create: false)
            why =
                key.map { "\(file) is not the key they were sealed under (it is \($0.keyId))" }
                ?? "\(file) is missing (`docket backup` leaves it out on purpose)"
        } catch {
            key = nil
            why = "\(file) cannot be used (\(error.message))"
        }
        let unopened = owners.filter { !$0.opens(with: key) }
        guard !unopened.isEmpty else { return nil }
        return "the sealed secrets of \(named(unopened)) cannot be opened: \(why); copy the key file kept apart "
            + "from the backups to \(file) (mode 0600) before any `docket hook create`, `notify add` or `notify rotate` makes a new one, "
            + "or else \(renewing(unopened))"
    }

    /// `webhook source ninja and notification channels on-call, ops`.
    static func named(_ owners: [SealedSecretOwner]) -> String {
        [SealedSecretOwner.Kind.webhookSource, .notificationChannel].compactMap { kind -> String? in
            let names = owners.filter { $0.kind == kind }.map(\.name)
            guard !names.isEmpty else { return nil }
            return "\(kind.rawValue)\(names.count == 1 ? "" : "s") \(names.joined(separator: ", "))"
        }.joined(separator: " and ")
    }

    /// What gives `owners` secrets a key opens again: a source a new secret, a channel (whose URL is sealed too) a new
    /// secret and URL.
    static func renewing(_ owners: [SealedSecretOwner]) -> String {
        var steps: [String] = []
        if owners.contains(where: { $0.kind == .webhookSource }) { steps.append("rotate each source (`docket hook rotate SOURCE`)") }
        if owners.contains(where: { $0.kind == .notificationChannel }) {
            steps.append("remove and add each channel again (`docket notify remove NAME`, then `docket notify add NAME --url -`)")
        }
        return steps.joined(separator: " and ")
    }
}

/// `--new-hook-key`: what lets a command that seals a secret make a new key file when the store's is missing while the
/// log keeps secrets sealed under the old one.
struct NewHookKeyOptions: ParsableArguments {
    @Flag(
        help: ArgumentHelp(
            "Make a new hook-secrets.key although the store's is missing and the log keeps secrets sealed under it: those "
                + "sources and channels can then never be opened and need new secrets."))
    var newHookKey = false
}

/// The key a command seals a new secret under (`hook create`, `hook rotate`, `notify add`, `notify rotate`): the
/// store's `hook-secrets.key`, made on first use. When the file is missing while sources or channels in force keep
/// secrets sealed under a key (a restored or copied store: backups leave the file out), making a new one would leave
/// those shut for good: refused (exit 6, nothing written) naming them and the two ways on, unless `--new-hook-key`
/// asks for it; then ``warnAfterwards()`` names what the new key cannot open. The source `hook rotate` gives a new
/// secret is not among them (rotating each source is the fix for a lost key); a channel keeps its URL sealed under the
/// old key through `notify rotate`, so it is.
final class NewHookKey {
    private let path: String
    private let session: Session
    private let allowed: Bool
    /// The webhook source the command gives a new secret (`hook rotate`): nothing of it stays shut.
    private let renewedSource: String?
    /// Whether this command made the key file.
    private var made = false

    init(store path: String, session: Session, _ options: NewHookKeyOptions, renewingSource source: String? = nil) {
        self.path = path
        self.session = session
        allowed = options.newHookKey
        renewedSource = source
    }

    /// The key, made when there is none and nothing is sealed, or when `--new-hook-key` allows it.
    @available(*, noasync, message: "reads the log")
    func key() throws -> HookKey {
        do {
            if let key = try HookKey.load(inFolder: path, create: false) { return key }
            let sealed = try session.app.sealedSecretOwners().filter { !($0.kind == .webhookSource && $0.name == renewedSource) }
            if !sealed.isEmpty, !allowed {
                let file = "\(path)/\(HookKey.fileName)"
                throw CLIError.refused(
                    "\(file) is missing, and it seals the secrets of \(SealedSecretsCheck.named(sealed)) (`docket backup` leaves it "
                        + "out on purpose): copy \(HookKey.fileName) from the original store into \(path) (mode 0600), or pass "
                        + "--new-hook-key to make a new key, after which \(SealedSecretsCheck.renewing(sealed)); nothing written")
            }
            guard let key = try HookKey.load(inFolder: path, create: true) else {
                throw CLIError.failure("could not make \(path)/\(HookKey.fileName)")
            }
            made = true
            return key
        } catch let error as HookKeyError {
            throw CLIError.badInput("\(error.message) (\(path)/\(HookKey.fileName))")
        }
    }

    /// After the command: when it made a new key although secrets were sealed under another, one warning naming those
    /// the new key cannot open (the source or channel the command gave a new secret is no longer among them).
    @available(*, noasync, message: "reads the log")
    func warnAfterwards() throws {
        guard made, let key = try HookKey.load(inFolder: path, create: false) else { return }
        let shut = try session.app.sealedSecretOwners().filter { !$0.opens(with: key) }
        guard !shut.isEmpty else { return }
        Terminal.error(
            "docket: warning: made a new \(path)/\(HookKey.fileName) (key \(key.keyId)); the secrets of \(SealedSecretsCheck.named(shut)) "
                + "were sealed under the old key and can no longer be opened: \(SealedSecretsCheck.renewing(shut))")
    }
}
