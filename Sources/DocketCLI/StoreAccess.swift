import ArgumentParser
import DocketApp
import Foundation

/// An open store: the application over it.
struct Session {
    let app: DocketApplication

    /// The log itself (admin tools: export, verify, rebuild, …).
    var log: LogService { app.log }
}

/// Opening the store for a command.
enum StoreAccess {
    /// Where a command's warnings go (what must not stop it: a reaction's, intake's): its stderr, `docket: warning: …`.
    @Sendable static func printWarning(_ message: String) { Terminal.error("docket: warning: \(message)") }

    /// Opens an existing store; fails with `noStore` when there is none at `path`. `warnings` receives what must not stop
    /// a command (``printWarning(_:)``; the server logs those of the work it does by itself).
    /// With `catchUp: false` (verify) lagging read models are left as they are, to be reported. With `checkPages`
    /// (commands that walk whole databases: verify, export, backup, rebuild, stats --read-models) every page of
    /// the file is checked before LMDB walks it (docs/security.md, "Damaged files"); a served store was opened
    /// by the server, without that check. `foldThreads`: the bulk folds' threads (`--threads`), nil for
    /// `$DOCKET_FOLD_THREADS`, else the processors available.
    /// A store that looks rolled back is refused (exit 2, ``LogService/requireNotRolledBack()``) unless
    /// `allowingRollback` (verify, which reports it and may accept it).
    static func open(
        _ path: String, clock: (any WallClock)? = nil, catchUp: Bool = true, checkPages: Bool = false, foldThreads: Int? = nil,
        allowingRollback: Bool = false, warnings: @escaping @Sendable (String) -> Void = printWarning
    ) throws -> Session {
        if let served = ServedStore.current { return RefusalReader.noting(served) }
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else {
            throw missingStore(path, fix: "run `docket init --store \(path)` or set $DOCKET_STORE")
        }
        if let refusal = ImportMarker.refusal(of: path) { throw refusal }
        return try create(
            path, clock: clock, catchUp: catchUp, checkPages: checkPages, foldThreads: foldThreads, allowingRollback: allowingRollback,
            warnings: warnings)
    }

    /// Opens the store at `path`, creating it when missing (for tests, with `testClock`: see
    /// ``LogService/markTestClock()``), and brings lagging read models up to date (unless `catchUp` is false).
    ///
    /// `$DOCKET_NOW` is honoured only by a store created for tests; anywhere else it is refused before anything is
    /// written, so nobody can stamp the log with a time of their choosing.
    static func create(
        _ path: String, clock: (any WallClock)? = nil, testClock: Bool = false, catchUp: Bool = true,
        checkPages: Bool = false, foldThreads: Int? = nil, allowingRollback: Bool = false,
        warnings: @escaping @Sendable (String) -> Void = printWarning
    ) throws -> Session {
        if let served = ServedStore.current { return RefusalReader.noting(served) }
        let override = try clockOverride()
        let threads = try foldThreads ?? foldThreadsSetting()
        let isNew = !FileManager.default.fileExists(atPath: path + "/data.mdb")
        if override != nil, isNew, !testClock { throw clockRefused(path) }
        // Before LMDB opens it for writing: a damaged meta page would have the open commit into the wrong state.
        if !isNew, !allowingRollback { try LogService.requireSoundMetaPages(path) }
        let chosen = clock != nil
        let clock = clock ?? override ?? SystemClock()
        let support = ProcessInfo.processInfo.environment["DOCKET_SUPPORT_ADDRESS"].flatMap { $0.isEmpty ? nil : $0 }
        if let support, let problem = DocketConfiguration.problem(supportAddress: support) {
            // Mail queued under a fallback From would be answered to nobody: refused before anything is written.
            throw CLIError.usage("$DOCKET_SUPPORT_ADDRESS \(problem)")
        }
        let authservId = ProcessInfo.processInfo.environment["DOCKET_MAIL_AUTHSERV_ID"].flatMap { $0.isEmpty ? nil : $0 }
        if let authservId, let problem = DocketConfiguration.problem(mailAuthservId: authservId) {
            throw CLIError.usage("$DOCKET_MAIL_AUTHSERV_ID \(problem)")
        }
        let configuration = DocketConfiguration(supportAddress: support, mailAuthservId: authservId)
        let app = try DocketApplication.open(
            path, clock: clock, configuration: configuration, checkPages: checkPages && !isNew,
            warnings: warnings, foldThreads: threads)
        // Before anything else reads it: what a rolled-back store shows may be an older state, or nothing.
        if !allowingRollback { try app.log.requireNotRolledBack() }
        if testClock, try !app.log.hasTestClock {
            do {
                try app.log.markTestClock()
            } catch {
                guard let message = ApplicationFailure.storeNotEmpty(error) else { throw error }
                throw CLIError.usage("\(message); drop --test-clock, or create a new store for tests")
            }
        }
        if override != nil, try !app.log.hasTestClock { throw clockRefused(path) }
        if catchUp {
            // A read model whose format changed is rebuilt under new database names; its old databases go.
            try app.log.catchUp { name, done, total in Terminal.progress("catching up \(name)", done, total) }
        }
        // A replay shows the store as it stood at its moment: its views (SLA clocks, the terms in force) are computed
        // then, not when it is read (and not at $DOCKET_NOW: nothing is written to a replay).
        if !chosen, let moment = app.log.replayMoment { return RefusalReader.noting(Session(app: app.reading(at: FixedClock(moment)))) }
        return RefusalReader.noting(Session(app: app))
    }

    /// The live store's log for a command that only reads it and writes beside it (snapshots, replays): inside the
    /// server, the store it holds open (never an as-of replay, and never opened a second time: one LMDB environment
    /// per path per process); else the log opened read-only, refused while it looks rolled back. Fails with `noStore`
    /// when there is no store at `path`.
    static func liveLog(_ path: String, checkPages: Bool = false, foldThreads: Int? = nil) throws -> LogService {
        if ServedInvocation.current != nil, let served = ServedStore.session { return served.log }
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else {
            throw missingStore(path, fix: "pass --store PATH or set $DOCKET_STORE")
        }
        if let refusal = ImportMarker.refusal(of: path) { throw refusal }
        return try LogService.openReadOnly(path, checkPages: checkPages, foldThreads: foldThreads)
    }

    /// No store at `path`: `fix` says what to do, or, when the folder holds what a replay or restore killed half way
    /// left (``StagedFolder/leftOver(in:)``), how to finish that job.
    static func missingStore(_ path: String, fix: String) -> CLIError {
        if let left = StagedFolder.leftOver(in: path) {
            return .noStore(
                "no Docket store at \(path): it holds what a replay or restore that was cut short left (\(left)); "
                    + "run that replay or restore again into \(path), which clears it, or remove the folder")
        }
        return .noStore("no Docket store at \(path); \(fix)")
    }

    private static func clockRefused(_ path: String) -> CLIError {
        .usage(
            "$DOCKET_NOW is set but the store at \(path) was not created with `docket init --test-clock`; "
                + "unset DOCKET_NOW (only test stores take a clock override)")
    }
}

/// A command that works on an existing store: it implements ``run(in:)`` with the open session; opening the store
/// and reporting any failure as one stderr line and its exit code happen here, once, for every such command.
protocol StoreCommand: ParsableCommand {
    /// `--store`.
    var store: StoreOptions { get }

    /// The command's work on the open store.
    func run(in session: Session) throws
}

extension StoreCommand {
    func run() throws {
        let path = store.path
        try reportingFailures(store: path) { try run(in: try StoreAccess.open(path)) }
    }
}

/// A command that reads the store's data as a user: `--as` (else `$DOCKET_USER`, else the OS user; through a server,
/// the caller it identified) names the reader, checked as a write checks its actor before anything is read: an
/// unknown user is not found (exit 4), a deactivated one refused (exit 6). docs/security.md, "Who reads what".
/// `--as-of` shows the store as it stood at a moment instead (``AsOfReading``).
protocol ReadCommand: StoreCommand {
    /// `--as`.
    var actor: ActorOptions { get }
    /// `--as-of`.
    var asOf: AsOfOptions { get }
}

extension ReadCommand {
    func run() throws {
        let path = store.path
        try reportingFailures(store: path) {
            let live = try StoreAccess.open(path)
            try checkReader(actor.name, in: live)
            try AsOfReading.reading(asOf.moment, live: live, actor: actor.name) { session in
                try inViewersZone(actor.name, in: session) { try run(in: session) }
            }
        }
    }
}

/// Refuses `login` as the reader of the store's data unless it is a known, active user (``ReadCommand``).
func checkReader(_ login: String, in session: Session) throws {
    _ = try session.app.context(for: login)
}
