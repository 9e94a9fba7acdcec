import DocketApp
import EventLog
import Foundation

/// An open store with its read models and the application service over them.
struct Session {
    let store: EventStore
    let models: ReadModels
    let service: DocketService
}

/// Opening the store for a command.
enum StoreAccess {
    /// Opens an existing store; fails with `noStore` when there is none at `path`.
    static func open(_ path: String, clock: (any WallClock)? = nil) throws -> Session {
        guard FileManager.default.fileExists(atPath: path + "/data.mdb") else {
            throw CLIError.noStore("no Docket store at \(path); run `docket init --store \(path)` or set $DOCKET_STORE")
        }
        return try create(path, clock: clock)
    }

    /// Opens the store at `path`, creating it when missing, and brings lagging read models up to date.
    static func create(_ path: String, clock: (any WallClock)? = nil) throws -> Session {
        let models = ReadModels()
        let clock = try clock ?? currentClock()
        let store = try EventStore(path: path, clock: clock, projections: models.all)
        try store.catchUpProjections { name, done, total in Terminal.progress("catching up \(name)", done, total) }
        // A read model whose format changed was rebuilt under new database names just above: its old databases go.
        if !store.isReadOnly { try store.dropStaleReadModels() }
        let configuration = DocketConfiguration(supportAddress: ProcessInfo.processInfo.environment["DOCKET_SUPPORT_ADDRESS"])
        var service = DocketService(store: store, models: models, clock: clock, configuration: configuration)
        service.warnings = { Terminal.error("warning: \($0)") }
        return Session(store: store, models: models, service: service)
    }
}
