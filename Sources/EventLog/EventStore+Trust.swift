import Foundation
import LMDB

extension MetaKey {
    /// Present (value `1`) in stores created for tests (`docket init --test-clock`): only they honour a clock override.
    static let testClock = Array("test-clock".utf8)
}

extension EventStore {
    /// True when the store was created for tests (``markTestClock()``): a caller may then run it on a clock it sets.
    public var hasTestClock: Bool {
        get throws { try logEnvironment.read { txn in try txn.get(db.meta, key: MetaKey.testClock) } != nil }
    }

    /// Marks a store as created for tests, so it honours a clock override. Only an empty log can be marked: a store
    /// with history keeps the real clock for good.
    public func markTestClock() throws {
        try requireWritable()
        try environment.write { txn in
            guard try LogWriter.readHead(txn: txn, db: db).position == 0 else {
                throw EventLogError(
                    .storeNotEmpty,
                    "the store at \(path) already holds events; a test clock can only be chosen when a store is created")
            }
            try txn.put(db.meta, key: MetaKey.testClock, value: Array("1".utf8))
        }
    }
}

extension FileSystem {
    /// Makes the store folder owner-only: the folder and its sub-folders 0700, its files 0600 (a store copied or
    /// unpacked with looser modes is tightened the next time it is opened for writing).
    static func tightenStore(_ path: String) {
        _ = chmod(path, 0o700)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            let child = path + "/" + name
            switch FileSystem.kind(of: child) {
            case .folder?: _ = chmod(child, 0o700)
            case .file?: _ = chmod(child, 0o600)
            default: continue  // sockets and links keep their own modes
            }
        }
    }
}
