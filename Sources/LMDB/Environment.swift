import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open LMDB environment: one folder holding `data.mdb` and `lock.mdb`.
///
/// Rules (LMDB's, enforced or documented here):
/// 1. Open a path once per process. A second `Environment` on the same path fails with `.alreadyOpen`.
/// 2. A transaction belongs to the thread that began it; keep it inside the synchronous closure.
/// 3. Bytes read from LMDB die with their transaction; copy what must outlive it.
/// 4. The map grows by itself when a write fills it, up to `Options.maxMapSize`.
public final class Environment: @unchecked Sendable {
    // @unchecked Sendable: the LMDB handle is thread-safe for transactions begun with MDB_NOTLS,
    // and map growth (the one operation that needs no transaction open) holds `growthLock` exclusively.

    /// How an environment is opened.
    public struct Options: Sendable {
        /// The map size to start with, in bytes. It grows by doubling when a write fills it.
        public var initialMapSize: Int = 64 << 20
        /// The largest map the environment may grow to before a write fails with `MDB_MAP_FULL`.
        public var maxMapSize: Int = 1 << 40
        /// The number of named databases that may be opened. A store opens a read model's databases of a new format
        /// while those of the old one are still in the file (they are dropped after the upgrade), so there is room for both.
        public var maxDatabases: UInt32 = 64
        /// The number of concurrent read transactions across all processes.
        public var maxReaders: UInt32 = 256
        /// When false, commits are not fsync'd (for benchmarks and throw-away stores only).
        public var durable: Bool = true
        /// When true, the environment is opened with `MDB_RDONLY`: the data file is never written, write
        /// transactions fail, and named databases must already exist. The folder must already be a store.
        public var readOnly: Bool = false
        /// When true, every page LMDB can reach is checked before the first transaction (`checkPages()`), and
        /// opening fails with `MDB_CORRUPTED` naming a damaged page. For commands that walk whole databases of a
        /// store that may be damaged (verify, export, backup): it reads the whole file once.
        public var checkPages: Bool = false

        public init() {}
    }

    /// Why an environment could not be opened.
    public struct OpenError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "cannot open store at \(path): \(reason)" }
    }

    let handle: OpaquePointer
    /// The folder the environment lives in.
    public let path: String
    private let options: Options
    private let growthLock = ReadWriteLock()
    /// `redoneWrites`, under `growthLock`.
    private var redone = 0
    /// Held by every write transaction of this process from its begin to the end of its commit, so that the one
    /// commit asked to defer its meta page (`CommitSync.metaDeferred`, a flag of the whole environment in LMDB) is the
    /// only one that does. LMDB's own writer lock already orders the writers: this one is never contended longer.
    private let commitLock = ReadWriteLock()
    let mapBounds: MapBounds
    let fileDescriptor: Int32

    /// Opens (creating if needed) the environment in folder `path`, owner-only (0700, files 0600),
    /// and clears the reader slots of dead processes.
    public init(path: String, options: Options = Options()) throws {
        guard OpenPaths.shared.claim(path) else {
            throw OpenError(path: path, reason: "it is already open in this process (open each store once)")
        }
        var created: OpaquePointer?
        do {
            if !options.readOnly { try Environment.prepareFolder(path) }
            try check(mdb_env_create(&created), "mdb_env_create")
        } catch {
            OpenPaths.shared.release(path)
            throw error
        }
        guard let env = created else {
            OpenPaths.shared.release(path)
            throw LMDBError(code: .invalid, call: "mdb_env_create")
        }
        do {
            try check(mdb_env_set_maxdbs(env, options.maxDatabases), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, options.maxReaders), "mdb_env_set_maxreaders")
            try check(mdb_env_set_mapsize(env, options.initialMapSize), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS)
            if !options.durable { flags |= UInt32(MDB_NOSYNC) }
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            try check(mdb_env_open(env, path, flags, 0o600), "mdb_env_open(\(path))")
            var dead: Int32 = 0
            try check(mdb_reader_check(env, &dead), "mdb_reader_check")
        } catch {
            // LMDB: after a failed mdb_env_open the handle must still be closed.
            mdb_env_close(env)
            OpenPaths.shared.release(path)
            throw error
        }
        self.handle = env
        self.path = path
        self.options = options
        var descriptor: Int32 = -1
        mdb_env_get_fd(env, &descriptor)
        self.fileDescriptor = descriptor
        self.mapBounds = MapBounds(folder: path)
        mapBounds.refresh()
        // A failure here runs deinit, which closes the handle and releases the path.
        if options.checkPages { try checkPages() }
    }

    deinit {
        mdb_env_close(handle)
        OpenPaths.shared.release(path)
    }

    /// Whether commits are fsync'd (`Options.durable`).
    public var isDurable: Bool { options.durable }

    /// Whether the environment was opened read-only.
    public var isReadOnly: Bool { options.readOnly }

    /// Opens (creating if needed) the named database. Call once per name, at start-up.
    /// In a read-only environment the database must exist (`LMDBError.notFound` otherwise).
    public func openDatabase(named name: String) throws -> Database {
        if options.readOnly {
            // A handle opened in a read transaction survives only if that transaction is committed.
            growthLock.lockShared()
            defer { growthLock.unlock() }
            let txn = try begin(readOnly: true)
            var dbi = MDB_dbi()
            let rc = mdb_dbi_open(txn, name, 0, &dbi)
            guard rc == MDB_SUCCESS else {
                mdb_txn_abort(txn)
                throw LMDBError(code: .init(rawValue: rc), call: "mdb_dbi_open(\(name))")
            }
            try check(mdb_txn_commit(txn), "mdb_txn_commit")
            return Database(handle: dbi, name: name)
        }
        return try write { txn in
            var dbi = MDB_dbi()
            try check(mdb_dbi_open(txn.handle, name, UInt32(MDB_CREATE), &dbi), "mdb_dbi_open(\(name))")
            return Database(handle: dbi, name: name)
        }
    }

    /// The names of the named databases in the environment (the keys of LMDB's main database), in order.
    public func databaseNames() throws -> [String] {
        try read { txn in try txn.databaseNames() }
    }

    /// Deletes the named database `name` and its contents from the file, freeing its slot. The name must not be
    /// open in this process (its handle would dangle). Does nothing when there is no such database.
    public func dropDatabase(named name: String) throws {
        try write { txn in
            var dbi = MDB_dbi()
            let rc = mdb_dbi_open(txn.handle, name, 0, &dbi)
            if rc == MDB_NOTFOUND { return }
            try check(rc, "mdb_dbi_open(\(name))")
            try check(mdb_drop(txn.handle, dbi, 1), "mdb_drop(\(name))")
        }
    }

    /// Flushes commits made without fsync (`durable = false`) or with their meta page deferred
    /// (`CommitSync.metaDeferred`) to disk: when it returns, every commit of this environment survives a crash of the machine.
    public func sync() throws {
        try check(mdb_env_sync(handle, 1), "mdb_env_sync")
    }

    /// Runs `body` in a read transaction: a consistent snapshot of the store.
    public func read<T>(_ body: (borrowing Transaction) throws -> T) throws -> T {
        growthLock.lockShared()
        defer { growthLock.unlock() }
        let txn = try begin(readOnly: true)
        defer { mdb_txn_abort(txn) }
        let bounds = mapBounds.current(fileDescriptor: fileDescriptor, readOnly: true)
        return try body(Transaction(handle: txn, isReadOnly: true, bounds: bounds))
    }

    /// How a write transaction's commit reaches the disk.
    public enum CommitSync: Sendable {
        /// LMDB's default: the data pages are written and flushed (`fdatasync`), then the meta page that makes them the
        /// current state is written through a synchronous descriptor. When the commit returns it survives a crash of
        /// the machine.
        case durable
        /// The data pages are written and flushed as for `durable`, but the meta page is written without waiting for
        /// the disk (LMDB's `MDB_NOMETASYNC`, for this one commit): one synchronous write less. LMDB keeps the file
        /// consistent ("maintains database integrity, but a system crash may undo the last committed transaction",
        /// lmdb.h): a crash of the machine may leave the state before this commit, never a damaged file. The next
        /// commit of any process flushes the file before it writes its own meta page, which puts this one on the disk;
        /// so does ``sync()``. A crash of the process alone loses nothing: the meta page is in the page cache.
        case metaDeferred
    }

    /// Runs `body` in a write transaction, committing when it returns and rolling back when it throws.
    /// Write transactions are serialized across threads and processes. When the map is full the
    /// transaction is rolled back, the map grows, and `body` runs again from the start. `sync` says how the commit
    /// reaches the disk (`.durable` unless a caller syncs later itself, see ``CommitSync``).
    public func write<T>(sync: CommitSync = .durable, _ body: (borrowing Transaction) throws -> T) throws -> T {
        while true {
            growthLock.lockShared()
            let outcome: T?
            do {
                outcome = try attemptWrite(sync: sync, body)
                growthLock.unlock()
            } catch {
                growthLock.unlock()
                throw error
            }
            if let outcome { return outcome }
            try grow(redoing: true)
        }
    }

    /// One try of `write`; nil means the map filled up and nothing was written.
    private func attemptWrite<T>(sync: CommitSync, _ body: (borrowing Transaction) throws -> T) throws -> T? {
        commitLock.lockExclusive()
        defer { commitLock.unlock() }
        let txn = try begin(readOnly: false)
        let result: T
        do {
            let bounds = mapBounds.current(fileDescriptor: fileDescriptor, readOnly: false)
            result = try body(Transaction(handle: txn, isReadOnly: false, bounds: bounds))
        } catch let error as LMDBError where error.code == .mapFull {
            mdb_txn_abort(txn)
            return nil
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        // The flag is the environment's: set for this commit only, under `commitLock`, so no other commit of this
        // process sees it (another process's commits never do).
        let deferMeta = sync == .metaDeferred && options.durable
        if deferMeta { mdb_env_set_flags(handle, UInt32(MDB_NOMETASYNC), 1) }
        let rc = mdb_txn_commit(txn)
        if deferMeta { mdb_env_set_flags(handle, UInt32(MDB_NOMETASYNC), 0) }
        if rc == MDB_MAP_FULL { return nil }
        try check(rc, "mdb_txn_commit")
        #if os(Linux)
        MapBounds.padDataFile(handle, descriptor: fileDescriptor)
        #endif
        return result
    }

    private func begin(readOnly: Bool) throws(LMDBError) -> OpaquePointer {
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if rc == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size and try again.
            try check(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize")
            mapBounds.refresh()
            rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        }
        try check(rc, "mdb_txn_begin")
        guard let txn else { throw LMDBError(code: .invalid, call: "mdb_txn_begin") }
        return txn
    }

    /// Grows the map (by doubling, as a write that fills it does) until `bytes` more than the pages in use fit in it,
    /// with no transaction of this process open. A long run of writes that will need about that much calls it first:
    /// a write that fills the map is undone and done again once the map has grown, and a bulk fold's batch is costly
    /// to do twice. The map is address space; the data file grows only as pages are written.
    public func reserve(_ bytes: Int) throws {
        while true {
            var info = MDB_envinfo()
            var stat = MDB_stat()
            try check(mdb_env_info(handle, &info), "mdb_env_info")
            try check(mdb_env_stat(handle, &stat), "mdb_env_stat")
            let inUse = (info.me_last_pgno + 1) * Int(stat.ms_psize)
            // Saturating: `bytes` is worked out from statistics, which a damaged database can make anything.
            let (wanted, overflow) = inUse.addingReportingOverflow(max(bytes, 0))
            guard info.me_mapsize < (overflow ? .max : wanted), info.me_mapsize < options.maxMapSize else { return }
            try grow()
        }
    }

    /// How many write transactions filled the map, were undone, and ran again once it had grown (`write`).
    public var redoneWrites: Int {
        growthLock.lockShared()
        defer { growthLock.unlock() }
        return redone
    }

    /// Doubles the map, with no transaction of this process open; `redoing`: for a write that filled it.
    private func grow(redoing: Bool = false) throws {
        growthLock.lockExclusive()
        defer { growthLock.unlock() }
        if redoing { redone += 1 }
        let current = mapSize
        guard current < options.maxMapSize else {
            throw LMDBError(code: .mapFull, call: "mdb_env_set_mapsize (limit \(options.maxMapSize) bytes reached)")
        }
        try check(mdb_env_set_mapsize(handle, min(current * 2, options.maxMapSize)), "mdb_env_set_mapsize")
        #if os(Linux)
        MapBounds.padDataFile(handle, descriptor: fileDescriptor)
        #endif
        mapBounds.refresh()
    }

    /// The id of the last committed transaction as LMDB sees it: the meta page it opened, or a commit since.
    public var lastTransactionId: UInt64 {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return UInt64(truncatingIfNeeded: info.me_last_txnid)
    }

    /// The current size of the memory map in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// How many read transactions are open on the environment now, in every process that has it open: the reader
    /// table's slots that hold a snapshot (`mdb_reader_list`; with `MDB_NOTLS` a read transaction holds its slot
    /// from its start to its end). A count that keeps growing is a reader that is never closed, which keeps LMDB
    /// from reusing the pages freed after its snapshot.
    public func openReaders() throws -> Int {
        var count = 0
        let result = withUnsafeMutablePointer(to: &count) { counter in
            mdb_reader_list(
                handle,
                { message, context in
                    // One line per slot in use, `pid thread txnid` (txnid `-` when the slot holds no snapshot), after a
                    // header line; `(no active readers)` when there is none.
                    guard let message, let context else { return 0 }
                    let fields = String(cString: message).split(whereSeparator: \.isWhitespace)
                    if fields.count == 3, Int(fields[0]) != nil, fields[2] != "-" { context.assumingMemoryBound(to: Int.self).pointee += 1 }
                    return 0
                }, counter)
        }
        try check(result < 0 ? result : 0, "mdb_reader_list")
        return count
    }

    /// Writes a consistent copy of the environment into the empty folder `destination` while other
    /// transactions go on. With `compact`, free pages are left out and the copy is renumbered.
    public func copy(to destination: String, compact: Bool = true) throws {
        growthLock.lockShared()
        defer { growthLock.unlock() }
        try check(
            mdb_env_copy2(handle, destination, compact ? UInt32(MDB_CP_COMPACT) : 0),
            "mdb_env_copy2(\(destination))")
    }

    /// Creates `path` owner-only (0700) if missing; tightens an existing folder to 0700.
    private static func prepareFolder(_ path: String) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            guard mkdir(path, 0o700) == 0 else {
                let failure = errno
                if failure == ENOENT {
                    let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
                    let parent = trimmed.lastIndex(of: "/").map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
                    throw OpenError(path: path, reason: "its parent folder \(parent) does not exist; create it first or give another folder")
                }
                throw OpenError(path: path, reason: String(cString: strerror(failure)))
            }
        } else if (info.st_mode & S_IFMT) != S_IFDIR {
            throw OpenError(path: path, reason: "it is a file, not a folder")
        }
        _ = chmod(path, 0o700)
    }
}

/// The paths open in this process, to enforce rule 1.
private final class OpenPaths: @unchecked Sendable {
    // @unchecked Sendable: `paths` is only touched while holding `lock`.
    static let shared = OpenPaths()
    private var paths: Set<String> = []
    private let lock = ReadWriteLock()

    func claim(_ path: String) -> Bool {
        lock.lockExclusive()
        defer { lock.unlock() }
        return paths.insert(canonical(path)).inserted
    }

    func release(_ path: String) {
        lock.lockExclusive()
        defer { lock.unlock() }
        paths.remove(canonical(path))
    }

    private func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A pthread read-write lock.
final class ReadWriteLock: @unchecked Sendable {
    // @unchecked Sendable: pthread_rwlock_t is designed to be shared between threads.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    func lockShared() { pthread_rwlock_rdlock(lock) }
    func lockExclusive() { pthread_rwlock_wrlock(lock) }
    func unlock() { pthread_rwlock_unlock(lock) }
}
