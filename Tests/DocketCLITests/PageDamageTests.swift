import Foundation
import TestSupport
import Testing

/// Issue 14 §3, the two flips of `scripts/integrity-trials.py --seed 20261203` that crashed liblmdb (SIGSEGV) in
/// `verify` and `stats --read-models`: offset 1219396 set `F_DUPDATA` (0x04) in the flags of a leaf node of
/// `stream_events`; offset 237607 flipped 0x04 in the high byte of a node offset on a leaf page of `rm.sla2.tickets`,
/// pointing it into the middle of another node. The same field and bit are flipped here in `StoreScenario`'s smaller
/// store (found by reading the file's pages, as LMDB does). Whole-store commands name the damaged page; every other
/// command stops with one line and exit 2 instead of dying of a signal.
@Suite(.serialized) struct PageDamageTests {
    let folder = TemporaryFolder()

    /// Flips `bit` at the byte `offset(file)` chooses in a copy of a populated store.
    func damagedStore(_ offset: (LMDBFile) throws -> Int, bit: UInt8) throws -> String {
        let store = folder.child("store")
        try StoreScenario.populate(store)
        let url = URL(fileURLWithPath: store + "/data.mdb")
        var file = LMDBFile(bytes: Array(try Data(contentsOf: url)))
        file.bytes[try offset(file)] ^= bit
        try Data(file.bytes).write(to: url)
        return store
    }

    func expectDamage(_ store: String, naming: String) throws {
        for arguments in [["verify"], ["stats", "--read-models", "--json"], ["export"]] {
            let run = try BoundedRun.docket(arguments, store: store)
            #expect(!run.signalled && !run.timedOut, "\(arguments): signal \(run.status)")
            #expect(run.status == 2, "\(arguments): exit \(run.status): \(run.stderr)")
            #expect(run.stderr.contains("is damaged: data.mdb: ") && run.stderr.contains(naming), "\(arguments): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        }
        for arguments in [["ticket", "show", "T-1001"], ["ticket", "list"], ["log", "--stream", "ticket-T-1001"]] {
            let run = try BoundedRun.docket(arguments, store: store)
            #expect(!run.signalled && !run.timedOut, "\(arguments): signal \(run.status)")
            #expect([0, 2].contains(run.status), "\(arguments): exit \(run.status): \(run.stderr)")
            if run.status == 2 { #expect(run.stderr.contains("is damaged"), "\(arguments): \(run.stderr)") }
        }
    }

    @Test func aLeafNodeFlaggedAsDuplicatesIsReportedNotACrash() throws {
        let store = try damagedStore({ file in
            let page = try #require(file.firstLeaf { $0 == "stream_events" })
            return file.node(0, of: page) + 4  // the node's flags word, low byte
        }, bit: 0x04)
        try expectDamage(store, naming: "of database stream_events has flags 0x4")
        // The command that crashed outside the trial set: it reads the stream index through LMDB directly.
        let show = try BoundedRun.docket(["ticket", "show", "T-1001"], store: store)
        #expect(show.status == 2, "\(show.stderr)")
        #expect(show.stderr == "docket: error: the store at \(store) is damaged: liblmdb faulted reading data.mdb; run `docket verify` and restore it from a backup\n")
    }

    @Test func aNodeOffsetPointingIntoAnotherNodeIsReportedNotACrash() throws {
        let store = try damagedStore({ file in
            let page = try #require(file.firstLeaf { $0.hasPrefix("rm.sla") && $0.hasSuffix(".tickets") })
            let index = min(11, file.nodeCount(of: page) - 1)
            return page * 4096 + 16 + 2 * index + 1  // the high byte of node `index`'s offset
        }, bit: 0x04)
        try expectDamage(store, naming: "of database rm.sla")
    }
}

/// Just enough of LMDB's file layout to find a database's pages (64-bit, 4 KiB pages): a page is a 16-byte header
/// `pgno u64, pad u16, flags u16, lower u16, upper u16`, then u16 node offsets; a node is `lo u16, hi u16, flags u16,
/// ksize u16`, key, value; a branch node's child page is `lo | hi << 16 | flags << 32`.
struct LMDBFile {
    var bytes: [UInt8]

    func u16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
    func u64(_ offset: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) } }

    func nodeCount(of page: Int) -> Int { (u16(page * 4096 + 12) - 16) / 2 }
    func node(_ index: Int, of page: Int) -> Int { page * 4096 + u16(page * 4096 + 16 + 2 * index) }

    /// The leftmost leaf below `root`.
    func firstLeaf(below root: Int) -> Int {
        var page = root
        while u16(page * 4096 + 10) == 0x01 {
            let node = node(0, of: page)
            page = u16(node) | u16(node + 2) << 16 | u16(node + 4) << 32
        }
        return page
    }

    /// The leftmost leaf of the first named database whose name passes `named`, through the newer meta page and
    /// the main database.
    func firstLeaf(named: (String) -> Bool) -> Int? {
        let meta = u64(144) > u64(4096 + 144) ? 0 : 4096
        let main = firstLeaf(below: u64(meta + 16 + 72 + 40))
        for index in 0..<nodeCount(of: main) {
            let node = node(index, of: main)
            let keySize = u16(node + 6)
            guard named(String(decoding: bytes[(node + 8)..<(node + 8 + keySize)], as: UTF8.self)) else { continue }
            return firstLeaf(below: u64(node + 8 + keySize + 40))
        }
        return nil
    }
}
