import DocketApp
import EventLog
import LMDB
import Foundation

/// An open store with its read models and the application service over them.
struct Session {
    let store: EventStore
    let models: ReadModels
    let app: DocketApplication
}

/// Opening the store for a command.
enum StoreAccess {
    /// Opens an existing store; fails with `noStore` when there is none at `path`.
    /// With `catchUp: false` (verify) lagging read models are left as they are, to be reported. With `checkPages`
    /// (commands that walk whole databases: verify, export, backup, rebuild, stats --read-models) every page of
    /// the file is checked before LMDB walks it (docs/security.md, "Damaged files"); a served store was opened
    /// by the server, without that check.
    static func open(
        _ path: String, clock: (any WallClock)? = nil, catchUp: Bool = true, checkPages: Bool = false
    ) throws -> Session {
        if let served = ServedStore.session { return served }
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else {
            throw CLIError.noStore("no Docket store at \(path); run `docket init --store \(path)` or set $DOCKET_STORE")
        }
        return try create(path, clock: clock, catchUp: catchUp, checkPages: checkPages)
    }

    /// Opens the store at `path`, creating it when missing (for tests, with `testClock`: see
    /// ``EventStore/markTestClock()``), and brings lagging read models up to date (unless `catchUp` is false).
    ///
    /// `$DOCKET_NOW` is honoured only by a store created for tests; anywhere else it is refused before anything is
    /// written, so nobody can stamp the log with a time of their choosing.
    static func create(
        _ path: String, clock: (any WallClock)? = nil, testClock: Bool = false, catchUp: Bool = true,
        checkPages: Bool = false
    ) throws -> Session {
        if let served = ServedStore.session { return served }
        let override = try clockOverride()
        let isNew = !FileManager.default.fileExists(atPath: path + "/data.mdb")
        if override != nil, isNew, !testClock { throw clockRefused(path) }
        let models = ReadModels()
        let clock = clock ?? override ?? SystemClock()
        var options = Environment.Options()
        options.checkPages = checkPages && !isNew
        let store = try EventStore(path: path, options: options, clock: clock, projections: models.all)
        if testClock, try !store.hasTestClock {
            do {
                try store.markTestClock()
            } catch let error as EventLogError where error.code == .storeNotEmpty {
                throw CLIError.usage("\(error.message); drop --test-clock, or create a new store for tests")
            }
        }
        if override != nil, try !store.hasTestClock { throw clockRefused(path) }
        if catchUp {
            try store.catchUpProjections { name, done, total in Terminal.progress("catching up \(name)", done, total) }
            // A read model whose format changed was rebuilt under new database names just above: its old databases go.
            if !store.isReadOnly { try store.dropStaleReadModels() }
        }
        let configuration = DocketConfiguration(supportAddress: ProcessInfo.processInfo.environment["DOCKET_SUPPORT_ADDRESS"])
        let app = DocketApplication(
            store: store, models: models, clock: clock, configuration: configuration, warnings: { Terminal.error("warning: \($0)") })
        return Session(store: store, models: models, app: app)
    }

    private static func clockRefused(_ path: String) -> CLIError {
        .usage(
            "$DOCKET_NOW is set but the store at \(path) was not created with `docket init --test-clock`; "
                + "unset DOCKET_NOW (only test stores take a clock override)")
    }
}
