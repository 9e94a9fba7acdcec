import EventLog
import Foundation

/// The read models every store keeps. Add one here and it is caught up on the next open.
struct ReadModels {
    let streamCounts = StreamCounts()

    var all: [any Projection] { [streamCounts] }
}

/// An open store with its read models.
struct Session {
    let store: EventStore
    let models: ReadModels
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
        let store = try EventStore(path: path, clock: try clock ?? currentClock(), projections: models.all)
        try store.catchUpProjections { name, done, total in Terminal.progress("catching up \(name)", done, total) }
        return Session(store: store, models: models)
    }
}
