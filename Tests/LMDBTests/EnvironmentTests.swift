import Foundation
import LMDB
import TestSupport
import Testing

@Suite struct EnvironmentTests {
    @Test func writeCommitsAndReadSeesIt() throws {
        let folder = TemporaryFolder()
        let env = try Environment(path: folder.child("db"))
        let db = try env.openDatabase(named: "things")
        try env.write { txn in try txn.put(db, key: [1], value: [42]) }
        let value = try env.read { txn in try txn.get(db, key: [1]) }
        #expect(value == [42])
    }

    /// The named databases are listed in order, and a dropped one is gone from the file with its contents.
    @Test func databasesAreListedAndDropped() throws {
        let folder = TemporaryFolder()
        do {
            let env = try Environment(path: folder.child("db"))
            for name in ["rm.b", "rm.a", "events"] {
                let db = try env.openDatabase(named: name)
                try env.write { txn in try txn.put(db, key: [1], value: [2]) }
            }
            #expect(try env.databaseNames() == ["events", "rm.a", "rm.b"])
        }
        let env = try Environment(path: folder.child("db"))
        try env.dropDatabase(named: "rm.a")
        try env.dropDatabase(named: "rm.missing")
        #expect(try env.databaseNames() == ["events", "rm.b"])
        let reopened = try env.openDatabase(named: "rm.a")
        #expect(try env.read { txn in try txn.count(reopened) } == 0, "a dropped database comes back empty")
    }

    @Test func throwingBodyRollsBack() throws {
        struct Boom: Error {}
        let folder = TemporaryFolder()
        let env = try Environment(path: folder.child("db"))
        let db = try env.openDatabase(named: "things")
        #expect(throws: Boom.self) {
            try env.write { txn in
                try txn.put(db, key: [1], value: [42])
                throw Boom()
            }
        }
        #expect(try env.read { txn in try txn.count(db) } == 0)
    }

    @Test func noOverwriteReportsKeyExistsWithTheCallName() throws {
        let folder = TemporaryFolder()
        let env = try Environment(path: folder.child("db"))
        let db = try env.openDatabase(named: "things")
        try env.write { txn in try txn.put(db, key: [1], value: [1]) }
        do {
            try env.write { txn in try txn.put(db, key: [1], value: [2], options: .noOverwrite) }
            Issue.record("expected a key-exists error")
        } catch let error as LMDBError {
            #expect(error.code == .keyExists)
            #expect(error.call == "mdb_put(things)")
            #expect(error.description.contains("MDB_KEYEXIST"))
        }
    }

    @Test func cursorWalksInKeyOrderAndSeeks() throws {
        let folder = TemporaryFolder()
        let env = try Environment(path: folder.child("db"))
        let db = try env.openDatabase(named: "things")
        try env.write { txn in
            for key: UInt8 in [5, 1, 3] { try txn.put(db, key: [key], value: [key * 10]) }
        }
        let (all, seeked, last) = try env.read { txn in
            try txn.withCursor(db) { cursor -> ([UInt8], UInt8?, UInt8?) in
                var keys: [UInt8] = []
                var entry = try cursor.first()
                while let found = entry {
                    keys.append(found.key[0])
                    entry = try cursor.next()
                }
                let seeked = try cursor.seek(atLeast: [2])?.key[0]
                let last = try cursor.last()?.value[0]
                return (keys, seeked, last)
            }
        }
        #expect(all == [1, 3, 5])
        #expect(seeked == 3)
        #expect(last == 50)
    }

    @Test func mapGrowsFromATinyInitialSize() throws {
        let folder = TemporaryFolder()
        var options = Environment.Options()
        options.initialMapSize = 64 << 10
        let env = try Environment(path: folder.child("db"), options: options)
        let db = try env.openDatabase(named: "things")
        let value = [UInt8](repeating: 7, count: 1000)
        for batch in 0..<20 {
            try env.write { txn in
                for i in 0..<200 {
                    let key = withUnsafeBytes(of: UInt32(batch * 200 + i).bigEndian) { Array($0) }
                    try txn.put(db, key: key, value: value)
                }
            }
        }
        #expect(env.mapSize > 4 << 20)
        #expect(try env.read { txn in try txn.count(db) } == 4000)
    }

    /// Writes that fill the map are undone and run again once it has grown (`redoneWrites` counts them); a map
    /// reserved ahead (`reserve`) takes the same writes without one, and a reserve that already fits changes nothing.
    @Test func aReservedMapTakesTheWritesWithoutRedoingOne() throws {
        let value = [UInt8](repeating: 7, count: 1000)
        func fill(_ env: Environment) throws {
            let db = try env.openDatabase(named: "things")
            for batch in 0..<10 {
                try env.write { txn in
                    for i in 0..<200 {
                        try txn.put(db, key: withUnsafeBytes(of: UInt32(batch * 200 + i).bigEndian) { Array($0) }, value: value)
                    }
                }
            }
        }
        var options = Environment.Options()
        options.initialMapSize = 64 << 10
        let folder = TemporaryFolder()
        let grown = try Environment(path: folder.child("grown"), options: options)
        try fill(grown)
        #expect(grown.redoneWrites > 0)

        let reserved = try Environment(path: folder.child("reserved"), options: options)
        try reserved.reserve(4 << 20)
        let size = reserved.mapSize
        #expect(size >= 4 << 20)
        try fill(reserved)
        #expect(reserved.redoneWrites == 0)
        try reserved.reserve(64 << 10)
        #expect(reserved.mapSize == size)
    }

    /// An environment in `folder` whose map starts at `initial` bytes and grows to `most`.
    static func limited(_ folder: TemporaryFolder, initial: Int, most: Int) throws -> Environment {
        var options = Environment.Options()
        options.initialMapSize = initial
        options.maxMapSize = most
        return try Environment(path: folder.child("db"), options: options)
    }

    /// Asked for more than any map holds (a size worked out from a damaged database's statistics), `reserve` grows the
    /// map to its most and returns: no overflow, no error.
    @Test func reservingMoreThanAnyMapGrowsItToItsMost() throws {
        let folder = TemporaryFolder()
        let env = try Self.limited(folder, initial: 1 << 20, most: 8 << 20)
        try env.reserve(.max)
        #expect(env.mapSize >= 8 << 20)
        try env.reserve(.max)
        #expect(env.mapSize >= 8 << 20 && env.mapSize <= 16 << 20)
    }

    @Test func mapGrowthStopsAtTheLimitWithAClearError() throws {
        let folder = TemporaryFolder()
        let env = try Self.limited(folder, initial: 64 << 10, most: 256 << 10)
        let db = try env.openDatabase(named: "things")
        let value = [UInt8](repeating: 7, count: 4000)
        do {
            for i in 0..<1000 {
                try env.write { txn in try txn.put(db, key: withUnsafeBytes(of: UInt32(i).bigEndian) { Array($0) }, value: value) }
            }
            Issue.record("expected the map to fill up")
        } catch let error as LMDBError {
            #expect(error.code == .mapFull)
            #expect(error.call.contains("limit"))
        }
        // What was committed before the limit is intact.
        #expect(try env.read { txn in try txn.count(db) } > 10)
    }

    @Test func aPathOpensOncePerProcess() throws {
        let folder = TemporaryFolder()
        let first = try Environment(path: folder.child("db"))
        #expect(throws: Environment.OpenError.self) { try Environment(path: folder.child("db")) }
        _ = first
    }

    @Test func folderIsOwnerOnlyAndFilesTooAfterOpen() throws {
        let folder = TemporaryFolder()
        let path = folder.child("db")
        let env = try Environment(path: path)
        _ = try env.openDatabase(named: "x")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        let data = try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")
        #expect(((data[.posixPermissions] as? Int) ?? 0) & 0o077 == 0)
    }

    @Test func aStoreWhoseParentFolderIsMissingNamesItAndCreatesNothing() throws {
        let folder = TemporaryFolder()
        let path = folder.child("missing/store")
        let error = try #require(throws: Environment.OpenError.self) { try Environment(path: path) }
        #expect(error.description == "cannot open store at \(path): its parent folder \(folder.child("missing")) does not exist; create it first or give another folder")
        #expect(!FileManager.default.fileExists(atPath: folder.child("missing")))
        let relative = try #require(throws: Environment.OpenError.self) { try Environment(path: "no-such-folder-\(getpid())/store/") }
        #expect(relative.reason.hasPrefix("its parent folder no-such-folder-\(getpid()) does not exist"))
    }

    @Test func openingAFileInsteadOfAFolderFailsClearly() throws {
        let folder = TemporaryFolder()
        let file = folder.child("plain")
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        #expect(throws: Environment.OpenError.self) { try Environment(path: file) }
    }

    @Test func garbageDataFileIsReportedAsInvalid() throws {
        let folder = TemporaryFolder()
        let path = folder.child("db")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path + "/data.mdb", contents: Data(repeating: 0x41, count: 16384)))
        do {
            _ = try Environment(path: path)
            Issue.record("expected an invalid-store error")
        } catch let error as LMDBError {
            #expect(error.meansCorruption)
            #expect(error.call.hasPrefix("mdb_env_open"))
        }
    }

    @Test func compactCopyHoldsTheSameData() throws {
        let folder = TemporaryFolder()
        let env = try Environment(path: folder.child("db"))
        let db = try env.openDatabase(named: "things")
        try env.write { txn in for i: UInt8 in 0..<50 { try txn.put(db, key: [i], value: [i]) } }
        try FileManager.default.createDirectory(atPath: folder.child("copy"), withIntermediateDirectories: true)
        try env.copy(to: folder.child("copy"))
        let copy = try Environment(path: folder.child("copy"))
        let copied = try copy.openDatabase(named: "things")
        #expect(try copy.read { txn in try txn.count(copied) } == 50)
        #expect(try copy.read { txn in try txn.get(copied, key: [49]) } == [49])
    }
}
