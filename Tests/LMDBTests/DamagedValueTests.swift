import Foundation
import LMDB
import TestSupport
import Testing

/// Issue 14 §3: a stored size that points past the end of the file is an error, never a read past the map.
@Suite struct DamagedValueTests {
    /// Writes one entry, then rewrites the high half of its node's data size (the u16 at key − 6) in the file.
    func storeWithOversizedValue(_ folder: TemporaryFolder, highHalf: UInt16) throws -> String {
        let path = folder.child("db")
        do {
            let env = try Environment(path: path)
            let db = try env.openDatabase(named: "things")
            try env.write { txn in try txn.put(db, key: Array("needle-key".utf8), value: Array("hello".utf8)) }
        }
        let file = URL(fileURLWithPath: path + "/data.mdb")
        var bytes = Array(try Data(contentsOf: file))
        let key = Array("needle-key".utf8)
        let starts = (8...(bytes.count - key.count)).filter { bytes[$0..<($0 + key.count)].elementsEqual(key) }
        #expect(!starts.isEmpty)
        for start in starts {
            // A leaf node: u16 size low, u16 size high, u16 flags, u16 key size, key, value.
            bytes[start - 6] = UInt8(highHalf & 0xff)
            bytes[start - 5] = UInt8(highHalf >> 8)
        }
        try Data(bytes).write(to: file)
        return path
    }

    @Test(arguments: [UInt16(0x0100), 0x7fff, 0xffff])
    func aValueRunningPastTheFileIsCorruptedNotACrash(highHalf: UInt16) throws {
        let folder = TemporaryFolder()
        let path = try storeWithOversizedValue(folder, highHalf: highHalf)
        let env = try Environment(path: path)
        let db = try env.openDatabase(named: "things")
        let error = try #require(throws: LMDBError.self) {
            try env.read { txn in try txn.get(db, key: Array("needle-key".utf8)) }
        }
        #expect(error.code == .corrupted)
        #expect(error.database == "things")
        #expect(error.meansCorruption)
        let viaCursor = try #require(throws: LMDBError.self) {
            try env.read { txn in try txn.withCursor(db) { cursor in try cursor.first().map { Array($0.value) } } }
        }
        #expect(viaCursor.code == .corrupted)
    }

    @Test func emptyAndOverlongKeysAreRefusedBeforeLMDB() throws {
        let folder = TemporaryFolder()
        let env = try Environment(path: folder.child("db"))
        let db = try env.openDatabase(named: "things")
        for key in [[UInt8](), [UInt8](repeating: 1, count: Transaction.maxKeySize + 1)] {
            let error = try #require(throws: LMDBError.self) { try env.read { txn in try txn.get(db, key: key) } }
            #expect(error.code == .badValueSize)
            #expect(error.call.hasPrefix("mdb_get(things)"))
        }
    }
}
