import Foundation
import LMDB
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
    }
}
