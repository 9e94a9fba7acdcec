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
                var prefetch = PagePrefetch()
                var entry = try cursor.first()
                while let found = entry {
                    prefetch.landed(on: found.value)
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
///
/// The layout's bytes are gathered into runs of up to `run` bytes before SHA-256 sees them: fed field by field, five
/// `update` calls an entry cost more than the hashing of a short row (a quarter of a replay's CPU from a snapshot
/// was the digests). The bytes hashed, and so the digest, are the same.
struct ModelHasher {
    /// The most bytes gathered before they are hashed; a field this long or longer is hashed where it lies.
    static let run = 1 << 16

    private var hasher = SHA256()
    /// The layout's bytes not yet hashed: the first `used` bytes.
    private var pending = [UInt8](repeating: 0, count: ModelHasher.run)
    private var used = 0
    private(set) var entries = 0

    /// `tag`, the length of `bytes` (u32 BE), then `bytes`.
    private mutating func feed(_ tag: UInt8, _ bytes: UnsafeRawBufferPointer) {
        if used == Self.run { hashPending() }
        pending[used] = tag
        used += 1
        field(bytes)
    }

    /// The length of `bytes` (u32 BE), then `bytes`.
    private mutating func field(_ bytes: UnsafeRawBufferPointer) {
        if used + 4 > Self.run { hashPending() }
        let count = UInt32(bytes.count)
        withUnsafeBytes(of: count.bigEndian) { gather($0) }
        if used + bytes.count > Self.run {
            hashPending()
            if bytes.count >= Self.run { return hasher.update(bufferPointer: bytes) }
        }
        gather(bytes)
    }

    /// Copies `bytes` after the pending ones; the caller made room.
    @inline(__always) private mutating func gather(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        let at = used
        pending.withUnsafeMutableBytes { ($0.baseAddress.unsafelyUnwrapped + at).copyMemory(from: source, byteCount: bytes.count) }
        used += bytes.count
    }

    /// Hashes the pending bytes.
    private mutating func hashPending() {
        let count = used
        pending.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        used = 0
    }

    /// Starts the database named `name`.
    mutating func begin(database name: String) {
        Array(name.utf8).withUnsafeBytes { feed(0, $0) }
    }

    /// Adds the next entry of the current database, in key order.
    mutating func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        feed(1, key)
        field(value)
        entries += 1
    }

    func digest(name: String, checkpoint: UInt64) -> ReadModelDigest {
        var all = self
        all.hashPending()
        let digest = all.hasher.finalize().withUnsafeBytes { Digest($0) }
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
