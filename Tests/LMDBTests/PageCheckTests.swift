import Foundation
@testable import LMDB
import TestSupport
import Testing

/// Issue 14 §3: the page check walks every reachable page of a sound file without a false alarm (big values,
/// many pages, a free list left by deletes), and names the page when one is damaged.
@Suite struct PageCheckTests {
    /// A file with branch pages, overflow values and a free list.
    func populated(_ folder: TemporaryFolder) throws -> String {
        let path = folder.child("db")
        let env = try Environment(path: path)
        let small = try env.openDatabase(named: "small")
        let big = try env.openDatabase(named: "big")
        for batch in 0..<10 {
            try env.write { txn in
                for n in 0..<300 {
                    let key = Array(String(format: "key-%06d", batch * 300 + n).utf8)
                    try txn.put(small, key: key, value: Array(repeating: UInt8(n & 0xff), count: 40 + n % 90))
                }
                try txn.put(big, key: [UInt8(batch)], value: Array(repeating: 7, count: 9_000 + 4_096 * batch))
            }
        }
        try env.write { txn in
            for n in stride(from: 0, to: 3_000, by: 3) { _ = try txn.delete(small, key: Array(String(format: "key-%06d", n).utf8)) }
            _ = try txn.delete(big, key: [3])
        }
        return path
    }

    @Test func aSoundFileWithBigValuesAndAFreeListPasses() throws {
        let folder = TemporaryFolder()
        let path = try populated(folder)
        var options = Environment.Options()
        options.checkPages = true
        let env = try Environment(path: path, options: options)
        try env.checkPages()
        let small = try env.openDatabase(named: "small")
        #expect(try env.read { txn in try txn.get(small, key: Array("key-000001".utf8)) }?.count == 41)
    }

    /// The check reads the file through LMDB's own mapping (cut at the file's size), so that the pages it brings in
    /// are those LMDB reads next, not through a second mapping of the whole file: a value LMDB hands back (a pointer
    /// into its map) lies inside the bytes the check is given.
    @Test func theCheckReadsThePagesThroughLMDBsOwnMapping() throws {
        let folder = TemporaryFolder()
        let path = try populated(folder)
        let env = try Environment(path: path)
        let small = try env.openDatabase(named: "small")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int)
        let value = try #require(try env.read { txn in
            try txn.withCursor(small) { cursor in try cursor.first().map { UInt(bitPattern: $0.value.baseAddress) } }
        })
        let seen = try env.withMappedDataFile { file in (UInt(bitPattern: file.baseAddress), file.count) }
        #expect(seen.1 == size)
        #expect(value >= seen.0 && value < seen.0 + UInt(seen.1), "LMDB's value at \(value), the check's bytes at \(seen.0)")
        _ = folder
    }

    /// The check of `path`'s file as it is now, its named databases walked on two threads however few their pages.
    func checkOnTwoThreads(_ path: String) throws -> Bool {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")))
        let pageSize = 4096
        // The newer of the two meta pages (txnid at 16 + 128 of each).
        return try bytes.withUnsafeBytes { file in
            let txnid = max(file.loadUnaligned(fromByteOffset: 144, as: UInt64.self), file.loadUnaligned(fromByteOffset: pageSize + 144, as: UInt64.self))
            return try PageCheck.check(file: file, txnid: txnid, twoThreadsFrom: 0)
        }
    }

    @Test func aSoundFileWalkedOnTwoThreadsPasses() throws {
        let folder = TemporaryFolder()
        let path = try populated(folder)
        #expect(try checkOnTwoThreads(path))
    }

    /// Two databases whose records are the same tree: each walk alone is sound, so only the merge of the two threads'
    /// pages finds it (one thread finds it at the second tree's first page).
    @Test func aTreeReachedFromTwoDatabasesIsDamageOnTwoThreadsAsOnOne() throws {
        let folder = TemporaryFolder()
        let path = try populated(folder)
        let file = URL(fileURLWithPath: path + "/data.mdb")
        var bytes = Array(try Data(contentsOf: file))
        // The main database's root (a leaf, with two databases), from the newer meta page: its tree record is at 16 + 72,
        // the root's number at 40 in it; the txnid at 16 + 128.
        func u64(_ offset: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) } }
        let meta = u64(144) > u64(4096 + 144) ? 0 : 4096
        let root = u64(meta + 16 + 72 + 40) * 4096
        // In it, a node: flags F_SUBDATA (0x02) at node + 4, the key's size at node + 6, the key at node + 8, then the
        // 48-byte tree record. `big`'s record becomes `small`'s.
        func record(_ name: String) -> Int? {
            let key = Array(name.utf8)
            for start in (root + 24)..<(root + 4096 - key.count - 48) where bytes[start..<(start + key.count)].elementsEqual(key) {
                let flags = Int(bytes[start - 4]) | Int(bytes[start - 3]) << 8
                let size = Int(bytes[start - 2]) | Int(bytes[start - 1]) << 8
                if flags == 0x02, size == key.count { return start + key.count }
            }
            return nil
        }
        let small = try #require(record("small"))
        let big = try #require(record("big"))
        bytes.replaceSubrange(big..<(big + 48), with: bytes[small..<(small + 48)])
        try Data(bytes).write(to: file)
        let error = try #require(throws: LMDBError.self) { _ = try checkOnTwoThreads(path) }
        #expect(error.code == .corrupted)
        #expect(error.call.contains("reached twice"), "\(error.call)")
        var options = Environment.Options()
        options.checkPages = true
        let serial = try #require(throws: LMDBError.self) { _ = try Environment(path: path, options: options) }
        #expect(serial.call.contains("reached twice"), "\(serial.call)")
    }

    @Test func aNodeFlaggedAsHoldingDuplicatesIsNamedBeforeLMDBWalksIt() throws {
        let folder = TemporaryFolder()
        let path = try populated(folder)
        let file = URL(fileURLWithPath: path + "/data.mdb")
        var bytes = Array(try Data(contentsOf: file))
        // The node of key-000001 (every copy of it: pages left by earlier commits hold older ones): its flags word
        // (node + 4) gets F_DUPDATA.
        let key = Array("key-000001".utf8)
        let starts = (8...(bytes.count - key.count)).filter { bytes[$0..<($0 + key.count)].elementsEqual(key) }
        #expect(!starts.isEmpty)
        for start in starts { bytes[start - 8 + 4] ^= 0x04 }
        try Data(bytes).write(to: file)
        var options = Environment.Options()
        options.checkPages = true
        let error = try #require(throws: LMDBError.self) { _ = try Environment(path: path, options: options) }
        #expect(error.code == .corrupted)
        #expect(error.call.hasPrefix(PageCheck.prefix))
        #expect(error.call.contains("database small"), "\(error.call)")
        #expect(error.call.contains("flags 0x4"), "\(error.call)")
        // The same damage found by the walk of the named databases on two threads.
        let twoThreads = try #require(throws: LMDBError.self) { _ = try checkOnTwoThreads(path) }
        #expect(twoThreads.call.contains("database small") && twoThreads.call.contains("flags 0x4"), "\(twoThreads.call)")
    }
}
