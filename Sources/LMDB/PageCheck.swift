import CLMDB
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A walk over every page of `data.mdb` that LMDB can reach from one meta page, checking what LMDB takes on trust.
///
/// LMDB checks a page number against the last page, but not what it finds on the page: a flipped bit in a node's
/// flags (`F_DUPDATA` in a database without duplicates) makes liblmdb dereference a cursor it never allocated, and a
/// flipped child pointer or page kind sends it to a page of another tree. Before LMDB walks an untrusted file, this
/// checks, page by page (LMDB's layout: a 16-byte header `pgno, pad, flags, lower, upper`, 16-bit node offsets after
/// it, 8-byte node headers `lo, hi, flags, ksize`):
/// - every page is inside the file and before the meta page's last page, says its own number, is reached once, and
///   is of the kind its parent expects (branch or leaf inside a tree, overflow for a big value);
/// - `lower` and `upper` and every node and key lie inside the page; node flags are those Docket's databases can
///   hold (no duplicates, sub-databases only in the main database); leaves all sit at the tree's recorded depth;
/// - the tree's recorded page and entry counts match what is there, and no page on the free list is in use.
///
/// The named databases are walked after the main database, on two threads when there is enough of them (each with pages
/// reached of its own, merged after: a page reached by two trees is damage as before).
public struct PageCheck {
    /// How the errors it throws begin (`LMDBError.call`).
    public static let prefix = "data.mdb: "
    static let headerSize = 16
    static let nodeHeaderSize = 8
    static let maxKeySize = 511
    static let maxDepth = 32
    static let invalidPage = UInt64.max
    /// The `MDB_db` record: where a tree's root and counts are kept (in the meta page and in the main database).
    static let treeRecordSize = 48

    enum PageKind: UInt16 { case branch = 0x01, leaf = 0x02, overflow = 0x04 }
    enum NodeFlag { static let bigData: UInt16 = 0x01, subDatabase: UInt16 = 0x02, duplicates: UInt16 = 0x04 }
    /// `MDB_DUPSORT`, `MDB_DUPFIXED`, `MDB_INTEGERDUP`, `MDB_REVERSEDUP`: Docket opens no database with duplicates.
    static let duplicateFlags: UInt16 = 0x04 | 0x10 | 0x20 | 0x40

    /// What a tree is: the free list (values are page lists), the main database (values are tree records), or a
    /// named database (values are Docket's).
    enum Tree { case free, main, named }

    /// A tree record read from a meta page or the main database.
    struct TreeRecord {
        let flags: UInt16
        let depth: Int
        let branchPages: UInt64
        let leafPages: UInt64
        let overflowPages: UInt64
        let entries: UInt64
        let root: UInt64
    }

    /// What a walk found in one tree, to hold against its record.
    struct Tally {
        var branchPages: UInt64 = 0
        var leafPages: UInt64 = 0
        var overflowPages: UInt64 = 0
        var entries: UInt64 = 0
    }

    /// Below this many pages (by their trees' records) the named databases are walked on the calling thread alone.
    static let pagesWorthATwoThreadWalk: UInt64 = 8_192

    let file: UnsafeRawBufferPointer
    let pageSize: Int
    let lastPage: Int
    private var seen: [Bool]
    private var freePages: [UInt64] = []
    /// The named databases found in the main database, walked after it (`walkNamed`).
    private var named: [(record: TreeRecord, name: String)] = []

    /// Checks the file mapped at `file` from the meta page that holds transaction `txnid` (the one a read
    /// transaction with that id uses). Returns false when neither meta page holds it any more (other writers moved
    /// on: nothing was checked); throws `MDB_CORRUPTED` naming the page and what is wrong with it.
    static func check(
        file: UnsafeRawBufferPointer, txnid: UInt64, twoThreadsFrom: UInt64 = pagesWorthATwoThreadWalk
    ) throws(LMDBError) -> Bool {
        guard file.count >= 2 * 4096 else { throw damaged("the file is shorter than its two meta pages") }
        var pageSize = Int(file.loadUnaligned(fromByteOffset: headerSize + 24, as: UInt32.self))
        if pageSize < 4096 || pageSize > 65_536 || pageSize & (pageSize - 1) != 0 { pageSize = 4096 }
        let metaOffset = Int(txnid & 1) * pageSize
        guard file.count >= metaOffset + pageSize else { throw damaged("the file is shorter than its two meta pages") }
        let meta = metaOffset + headerSize
        guard file.loadUnaligned(fromByteOffset: meta + 128, as: UInt64.self) == txnid else { return false }
        guard file.loadUnaligned(fromByteOffset: meta, as: UInt32.self) == 0xBEEF_C0DE else {
            throw damaged("meta page \(txnid & 1) lacks LMDB's magic number")
        }
        do throws(LMDBError) {
            let lastPage = file.loadUnaligned(fromByteOffset: meta + 120, as: UInt64.self)
            guard lastPage >= 1, lastPage < UInt64(file.count / pageSize) else {
                throw damaged("meta page \(txnid & 1) says the file ends at page \(lastPage), but it holds \(file.count / pageSize) pages")
            }
            var walk = PageCheck(file: file, pageSize: pageSize, lastPage: Int(lastPage))
            let free = walk.treeRecord(at: meta + 24)
            let main = walk.treeRecord(at: meta + 24 + treeRecordSize)
            try walk.walk(free, tree: .free, name: "the free list")
            try walk.walk(main, tree: .main, name: "the main database")
            try walk.walkNamed(twoThreadsFrom: twoThreadsFrom)
            for page in walk.freePages where page >= UInt64(walk.seen.count) || walk.seen[Int(page)] {
                throw damaged("page \(page) is on the free list but in use (or past the last page)")
            }
            return true
        } catch {
            // A writer two commits ahead rewrites this meta page (`txnid & 1`) while it is read: fields of two
            // transactions mixed are not damage. Nothing was checked; the caller checks a newer snapshot.
            guard file.loadUnaligned(fromByteOffset: meta + 128, as: UInt64.self) == txnid else { return false }
            throw error
        }
    }

    private init(file: UnsafeRawBufferPointer, pageSize: Int, lastPage: Int) {
        self.file = file
        self.pageSize = pageSize
        self.lastPage = lastPage
        self.seen = Array(repeating: false, count: lastPage + 1)
        seen[0] = true
        seen[1] = true
    }

    /// Walks the named databases found in the main database, in their order; on two threads when their records add up
    /// to `twoThreadsFrom` pages or more, the trees dealt out by size, each thread claiming pages in a `seen` of its
    /// own. Then every page reached by more than one walk (this one's included) is damage.
    private mutating func walkNamed(twoThreadsFrom: UInt64) throws(LMDBError) {
        let sizes = named.map { $0.record.branchPages &+ $0.record.leafPages &+ $0.record.overflowPages }
        guard named.count > 1, sizes.reduce(0, &+) >= twoThreadsFrom else {
            for tree in named { try walk(tree.record, tree: .named, name: tree.name) }
            return
        }
        // The trees dealt out, largest first, to the walk with fewer pages so far; each walk keeps the trees' order.
        var shares: [[Int]] = [[], []]
        var load: [UInt64] = [0, 0]
        for index in named.indices.sorted(by: { sizes[$0] > sizes[$1] }) {
            let lighter = load[0] <= load[1] ? 0 : 1
            shares[lighter].append(index)
            load[lighter] &+= sizes[index]
        }
        let walks = shares.map { share in
            NamedWalk(trees: share.sorted().map { named[$0] }, first: share.min() ?? 0, check: PageCheck(file: file, pageSize: pageSize, lastPage: lastPage))
        }
        DispatchQueue.concurrentPerform(iterations: walks.count) { walks[$0].run() }
        // The first damage in the trees' order, as one walk would have met it.
        if let failed = walks.filter({ $0.failure != nil }).min(by: { $0.first < $1.first }), let failure = failed.failure { throw failure }
        for walk in walks {
            guard let theirs = walk.check?.seen else { continue }
            for page in 2..<theirs.count where theirs[page] {
                guard !seen[page] else { throw PageCheck.damaged("page \(page) is reached twice (by two trees)") }
                seen[page] = true
            }
        }
    }

    static func damaged(_ what: String) -> LMDBError {
        LMDBError(code: .corrupted, call: prefix + what)
    }

    private func u16(_ offset: Int) -> UInt16 { file.loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
    private func u64(_ offset: Int) -> UInt64 { file.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }

    private func treeRecord(at offset: Int) -> TreeRecord {
        TreeRecord(
            flags: u16(offset + 4), depth: Int(u16(offset + 6)), branchPages: u64(offset + 8), leafPages: u64(offset + 16),
            overflowPages: u64(offset + 24), entries: u64(offset + 32), root: u64(offset + 40))
    }

    // MARK: - Trees

    /// Walks one named database (for `NamedWalk`).
    fileprivate mutating func walkTree(_ record: TreeRecord, name: String) throws(LMDBError) {
        try walk(record, tree: .named, name: name)
    }

    private mutating func walk(_ record: TreeRecord, tree: Tree, name: String) throws(LMDBError) {
        do throws(LMDBError) {
            try walkPages(record, tree: tree, name: name)
        } catch {
            throw PageCheck.naming(error, name)
        }
    }

    /// Where a message thrown inside a tree's walk names the tree: its name is put in when the error leaves `walk`.
    /// Passed down the walk instead, the name was retained and released at every node: 40 % of the check's
    /// instructions.
    static let treeMark = "\u{FFFC}tree\u{FFFC}"

    /// `error` with the tree's name where its message says `treeMark`.
    static func naming(_ error: LMDBError, _ name: String) -> LMDBError {
        guard error.code == .corrupted, error.call.contains(treeMark) else { return error }
        return LMDBError(code: error.code, call: error.call.replacing(treeMark, with: name))
    }

    private mutating func walkPages(_ record: TreeRecord, tree: Tree, name: String) throws(LMDBError) {
        if tree == .named, record.flags & PageCheck.duplicateFlags != 0 {
            throw PageCheck.damaged("\(name) is marked as holding duplicates (flags 0x\(String(record.flags, radix: 16)))")
        }
        var tally = Tally()
        if record.root == PageCheck.invalidPage {
            guard record.depth == 0, record.entries == 0 else { throw PageCheck.damaged("\(name) has no root but \(record.entries) entries") }
            return
        }
        guard record.depth >= 1, record.depth <= PageCheck.maxDepth else {
            throw PageCheck.damaged("\(name) records a depth of \(record.depth)")
        }
        try walkPage(record.root, level: 1, depth: record.depth, tree: tree, tally: &tally)
        guard tally.branchPages == record.branchPages, tally.leafPages == record.leafPages,
            tally.overflowPages == record.overflowPages, tally.entries == record.entries
        else {
            throw PageCheck.damaged(
                "\(name) records \(record.branchPages)/\(record.leafPages)/\(record.overflowPages) branch/leaf/overflow pages "
                    + "and \(record.entries) entries, but holds \(tally.branchPages)/\(tally.leafPages)/\(tally.overflowPages) "
                    + "and \(tally.entries)")
        }
    }

    /// Claims page `number` for a tree: inside the file, reached for the first time, saying its own number. `name`
    /// says what points to it in an error (`treeMark` for the tree being walked).
    private mutating func claim(_ number: UInt64, _ name: @autoclosure () -> String) throws(LMDBError) -> Int {
        guard number >= 2, number <= UInt64(lastPage) else {
            throw PageCheck.damaged("\(name()) points to page \(number), outside pages 2…\(lastPage)")
        }
        let page = Int(number)
        guard !seen[page] else { throw PageCheck.damaged("page \(page) of \(name()) is reached twice") }
        seen[page] = true
        guard u64(page * pageSize) == number else {
            throw PageCheck.damaged("page \(page) of \(name()) says it is page \(u64(page * pageSize))")
        }
        return page * pageSize
    }

    private mutating func walkPage(
        _ number: UInt64, level: Int, depth: Int, tree: Tree, tally: inout Tally
    ) throws(LMDBError) {
        let start = try claim(number, PageCheck.treeMark)
        // The page and node named only in an error: built for every node, the names cost a quarter of the walk.
        func place() -> String { "page \(number) of \(PageCheck.treeMark)" }
        let flags = u16(start + 10)
        guard let kind = PageKind(rawValue: flags), kind != .overflow else {
            throw PageCheck.damaged("\(place()) is neither a branch nor a leaf (flags 0x\(String(flags, radix: 16)))")
        }
        guard (kind == .leaf) == (level == depth) else {
            throw PageCheck.damaged("\(place()) is a \(kind == .leaf ? "leaf" : "branch") at level \(level) of a tree \(depth) deep")
        }
        let lower = Int(u16(start + 12))
        let upper = Int(u16(start + 14))
        guard lower >= PageCheck.headerSize, lower & 1 == 0, lower <= upper, upper <= pageSize else {
            throw PageCheck.damaged("\(place()) has bounds \(lower)…\(upper)")
        }
        let count = (lower - PageCheck.headerSize) / 2
        guard count >= 1 else { throw PageCheck.damaged("\(place()) is empty") }
        if kind == .branch { tally.branchPages += 1 } else { tally.leafPages += 1 }
        // The nodes lie anywhere in the page, downwards, so each node's first load waited for memory on its own (82 %
        // of the walk's time). Their headers asked for at once load side by side: the check of a 1M-event store
        // took 57 -> 40 ms, of 10M 506 -> 345 ms. Only the headers' lines, not the whole page: an event's leaf holds
        // ~9 nodes in 64 lines, and the walk is then bound by memory bandwidth (a whole page: 48 ms at 1M).
        let page = file.baseAddress! + start
        for index in 0..<count {
            let node = Int(u16(start + PageCheck.headerSize + 2 * index))
            if node < pageSize { docket_prefetch(page + node, 1) }
        }
        for index in 0..<count {
            let node = Int(u16(start + PageCheck.headerSize + 2 * index))
            let keySize = Int(u16(start + node + 6))
            guard node >= upper, node & 1 == 0, node + PageCheck.nodeHeaderSize + keySize <= pageSize,
                keySize <= PageCheck.maxKeySize
            else { throw PageCheck.damaged("node \(index) of \(place()) lies outside the page") }
            let low = UInt64(u16(start + node)), high = UInt64(u16(start + node + 2)), nodeFlags = u16(start + node + 4)
            if kind == .branch {
                try walkPage(
                    low | high << 16 | UInt64(nodeFlags) << 32, level: level + 1, depth: depth, tree: tree, tally: &tally)
                continue
            }
            tally.entries += 1
            let value = start + node + PageCheck.nodeHeaderSize + keySize
            let key = UnsafeRawBufferPointer(rebasing: file[(start + node + PageCheck.nodeHeaderSize)..<value])
            try checkLeaf(
                value: value, size: Int(low | high << 16), flags: nodeFlags, pageEnd: start + pageSize, tree: tree,
                place: "node \(index) of \(place())", key: key, tally: &tally)
        }
    }

    private mutating func checkLeaf(
        value: Int, size: Int, flags: UInt16, pageEnd: Int, tree: Tree, place: @autoclosure () -> String,
        key: UnsafeRawBufferPointer,
        tally: inout Tally
    ) throws(LMDBError) {
        let allowed: UInt16 = tree == .main ? NodeFlag.subDatabase : NodeFlag.bigData
        guard flags & ~allowed == 0, tree != .main || flags == NodeFlag.subDatabase else {
            throw PageCheck.damaged("\(place()) has flags 0x\(String(flags, radix: 16)), which its database cannot hold")
        }
        var bytes = value
        if flags & NodeFlag.bigData != 0 {
            guard value + 8 <= pageEnd else { throw PageCheck.damaged("\(place()) lies outside the page") }
            let first = u64(value)
            let start = try claim(first, "a big value of " + place())
            guard u16(start + 10) == PageKind.overflow.rawValue else {
                throw PageCheck.damaged("page \(first), a big value of \(place()), is not an overflow page")
            }
            let pages = Int(file.loadUnaligned(fromByteOffset: start + 12, as: UInt32.self))
            guard pages >= 1, first + UInt64(pages) - 1 <= UInt64(lastPage), size <= pages * pageSize - PageCheck.headerSize else {
                throw PageCheck.damaged("page \(first), a big value of \(place()), spans \(pages) pages for \(size) bytes")
            }
            for page in Int(first) + 1..<Int(first) + pages {
                guard !seen[page] else { throw PageCheck.damaged("page \(page) of a big value of \(place()) is reached twice") }
                seen[page] = true
            }
            tally.overflowPages += UInt64(pages)
            bytes = start + PageCheck.headerSize
        } else {
            guard value + size <= pageEnd else { throw PageCheck.damaged("\(place()) lies outside the page") }
        }
        switch tree {
        case .named: return
        case .free:
            // A free-list record: a count, then that many page numbers.
            let count = size >= 8 ? u64(bytes) : UInt64.max
            guard count <= UInt64(size / 8 - 1) else { throw PageCheck.damaged("\(place()) is a free-list record of the wrong size") }
            for index in 0..<Int(count) { freePages.append(u64(bytes + 8 * (index + 1))) }
        case .main:
            guard size == PageCheck.treeRecordSize else { throw PageCheck.damaged("\(place()) is a database record of \(size) bytes") }
            named.append((treeRecord(at: bytes), "database " + String(decoding: key, as: UTF8.self)))
        }
    }
}

/// The walk of some named databases on a thread of its own (`PageCheck.walkNamed`): its pages reached, or the first
/// damage it met.
private final class NamedWalk: @unchecked Sendable {
    // @unchecked Sendable: `run` is called once, on one thread, and the results read after `concurrentPerform` returns.
    let trees: [(record: PageCheck.TreeRecord, name: String)]
    /// The index of its first tree among all the named databases.
    let first: Int
    var check: PageCheck?
    var failure: LMDBError?

    init(trees: [(record: PageCheck.TreeRecord, name: String)], first: Int, check: PageCheck) {
        (self.trees, self.first, self.check) = (trees, first, check)
    }

    func run() {
        guard var walk = check else { return }
        do throws(LMDBError) {
            for tree in trees { try walk.walkTree(tree.record, name: tree.name) }
            check = walk
        } catch {
            failure = error
            check = nil
        }
    }
}

extension Environment {
    /// Checks every page LMDB can reach in this environment's current snapshot (see `PageCheck`) and throws
    /// `MDB_CORRUPTED` naming the first damaged page. The check runs inside a read transaction, so writers in
    /// other processes cannot change the pages it walks.
    public func checkPages() throws {
        for _ in 0..<8 {
            let checked = try read { txn -> Bool in
                let txnid = UInt64(UInt(bitPattern: mdb_txn_id(txn.handle)))
                guard txnid > 0 else { return true }
                return try withMappedDataFile { file in try PageCheck.check(file: file, txnid: txnid) }
            }
            if checked { return }
        }
    }

    /// Runs `body` over a read-only mapping of `data.mdb` as it is now: LMDB's own (read-only: Docket never opens an
    /// environment with `MDB_WRITEMAP`) cut at the file's size, so the pages the check brings in are the ones the
    /// reads after it use (a 1M rebuild faulted its log's pages in twice, through a second mapping, and unmapped
    /// 700 MB after the check); else a mapping of its own.
    func withMappedDataFile<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        let descriptor = open(path + "/data.mdb", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LMDBError(code: .init(rawValue: errno), call: "open(data.mdb)") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw LMDBError(code: .init(rawValue: errno), call: "fstat(data.mdb)") }
        let size = Int(info.st_size)
        guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        // LMDB does not say where it mapped the file (`me_mapaddr` is only for `MDB_FIXEDMAP`): `MapBounds` found it.
        let lmdb = mapBounds.current(fileDescriptor: fileDescriptor, readOnly: true)
        if lmdb.start != 0, lmdb.fileEnd - lmdb.start == UInt(size), let map = UnsafeRawPointer(bitPattern: lmdb.start) {
            return try body(UnsafeRawBufferPointer(start: map, count: size))
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0), address != MAP_FAILED else {
            throw LMDBError(code: .init(rawValue: errno), call: "mmap(data.mdb)")
        }
        defer { munmap(address, size) }
        return try body(UnsafeRawBufferPointer(start: address, count: size))
    }
}
