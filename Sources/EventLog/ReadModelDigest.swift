import Crypto
import Dispatch
import Foundation
import LMDB

/// A fingerprint of one read model's contents: equal digests mean byte-identical databases.
public struct ReadModelDigest: Sendable, Equatable, Codable {
    /// The read model's name (its checkpoint key).
    public let name: String
    /// The last position the model has applied.
    public let checkpoint: UInt64
    /// The number of key/value entries across its databases.
    public let entries: Int
    /// SHA-256 over its databases in declaration order, each key and value in key order (hex).
    public let sha256: String
}

extension EventStore {
    /// The digest of every read model, in the order they are applied; each read in one transaction, the models
    /// shared out among `foldThreads` threads (see `readModelDigests(known:)`).
    public func readModelDigests() throws -> [ReadModelDigest] {
        try readModelDigests(known: [:])
    }

    /// The digest of read model `name`: SHA-256 over, for each of its databases in declaration order,
    /// `0x00 ‖ u32 BE name length ‖ name`, then for each entry in key order
    /// `0x01 ‖ u32 BE key length ‖ key ‖ u32 BE value length ‖ value`. The checkpoint is not hashed
    /// (it is reported beside the digest), so two stores agree exactly when their model bytes agree.
    public func readModelDigest(_ name: String) throws -> ReadModelDigest {
        _ = try projection(named: name)
        return try environment.read { txn in try readModelDigest(name, txn: txn) }
    }

    /// `readModelDigest(_:)` inside the caller's transaction.
    func readModelDigest(_ name: String, txn: borrowing Transaction) throws -> ReadModelDigest {
        var hasher = ModelHasher()
        for database in db.projections[name] ?? [] {
            hasher.begin(database: database.name)
            try txn.withCursor(database) { cursor in
                var entry = try cursor.first()
                while let found = entry {
                    hasher.add(key: found.key, value: found.value)
                    entry = try cursor.next()
                }
            }
        }
        return hasher.digest(name: name, checkpoint: try checkpoint(name, txn: txn))
    }

    /// The digest of every read model, in the order they are applied, taking those in `known` (by name) as they are
    /// instead of reading the model again: a replay's models restored from a snapshot and not folded further.
    ///
    /// The models are hashed on up to `foldThreads` threads, the largest (by pages) first, each taking the next model
    /// when it is done: after a replay the digests were the last second's work of one thread (SHA-256 over every row
    /// of every model). A model's digest is the same whichever thread reads it, in a transaction of its own as before.
    func readModelDigests(known: [String: ReadModelDigest]) throws -> [ReadModelDigest] {
        let names = projections.map(\.name)
        let wanted = names.indices.filter { known[names[$0]] == nil }
        let pages = try environment.read { txn in
            // Saturating: a damaged model's statistics can be anything (its digest then names the damage).
            try wanted.map { index in
                try (db.projections[names[index]] ?? []).reduce(0) { total, database in
                    let (sum, overflow) = total.addingReportingOverflow(try txn.pageBytes(database))
                    return overflow ? .max : sum
                }
            }
        }
        let order = wanted.indices.sorted { pages[$0] > pages[$1] || (pages[$0] == pages[$1] && $0 < $1) }.map { wanted[$0] }
        let work = DigestWork(order: order)
        DispatchQueue.concurrentPerform(iterations: max(1, min(foldThreads, order.count))) { _ in
            while let index = work.next() { work.done(index, Result { try readModelDigest(names[index]) }) }
        }
        let found = work.results
        return try names.indices.map { index in try known[names[index]] ?? found[index]!.get() }
    }
}

/// The models `readModelDigests(known:)` hashes, handed out one at a time to the threads, and their digests.
private final class DigestWork: @unchecked Sendable {
    // @unchecked Sendable: `taken` and `results` are only touched under `lock`.
    private let lock = NSLock()
    private let order: [Int]
    private var taken = 0
    private var found: [Int: Result<ReadModelDigest, any Error>] = [:]

    init(order: [Int]) { self.order = order }

    /// The next model to hash (its index among the projections), nil when none is left.
    func next() -> Int? {
        lock.withLock {
            guard taken < order.count else { return nil }
            defer { taken += 1 }
            return order[taken]
        }
    }

    func done(_ index: Int, _ digest: Result<ReadModelDigest, any Error>) { lock.withLock { found[index] = digest } }

    var results: [Int: Result<ReadModelDigest, any Error>] { lock.withLock { found } }
}

/// The running state of a read-model digest (the layout `readModelDigest(_:)` documents), fed database by database
/// and entry by entry, so a copy can compute it on the bytes it copies.
struct ModelHasher {
    private var hasher = SHA256()
    private(set) var entries = 0

    private mutating func feed(_ tag: UInt8, _ bytes: UnsafeRawBufferPointer) {
        withUnsafeBytes(of: tag) { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: bytes)
    }

    /// Starts the database named `name`.
    mutating func begin(database name: String) {
        Array(name.utf8).withUnsafeBytes { feed(0, $0) }
    }

    /// Adds the next entry of the current database, in key order.
    mutating func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        feed(1, key)
        withUnsafeBytes(of: UInt32(value.count).bigEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: value)
        entries += 1
    }

    func digest(name: String, checkpoint: UInt64) -> ReadModelDigest {
        let digest = hasher.finalize().withUnsafeBytes { Digest($0) }
        return ReadModelDigest(name: name, checkpoint: checkpoint, entries: entries, sha256: digest.hex)
    }
}

extension Digest {
    /// The SHA-256 of `bytes`: content addresses in read models (e.g. frozen SLA terms stored once per content).
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> Digest {
        SHA256.hash(data: bytes).withUnsafeBytes { Digest($0) }
    }

    /// The digest stored as 32 bytes (a read-model key), or nil when `bytes` is not 32 bytes long.
    public init?(stored bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32 else { return nil }
        self.init(bytes)
    }
}
