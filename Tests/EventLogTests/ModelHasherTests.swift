@testable import EventLog
import Testing

/// `ModelHasher` gathers the digest layout's bytes into runs before hashing them: the digest must be SHA-256 of the
/// layout `readModelDigest(_:)` documents, whatever the sizes of the keys and values around a run's end.
@Suite struct ModelHasherTests {
    /// The layout of `databases`, built in one array and hashed at once.
    static func reference(_ databases: [(name: String, entries: [([UInt8], [UInt8])])]) -> String {
        var layout: [UInt8] = []
        func field(_ bytes: [UInt8]) {
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { layout += $0 }
            layout += bytes
        }
        for database in databases {
            layout.append(0)
            field(Array(database.name.utf8))
            for (key, value) in database.entries {
                layout.append(1)
                field(key)
                field(value)
            }
        }
        return layout.withUnsafeBytes { Digest.sha256($0) }.hex
    }

    static func hashed(_ databases: [(name: String, entries: [([UInt8], [UInt8])])]) -> ReadModelDigest {
        var hasher = ModelHasher()
        for database in databases {
            hasher.begin(database: database.name)
            for (key, value) in database.entries {
                key.withUnsafeBytes { key in value.withUnsafeBytes { value in hasher.add(key: key, value: value) } }
            }
        }
        return hasher.digest(name: "model", checkpoint: 7)
    }

    /// Random entries whose values are often just under, at or over a run's length, or fill it up to a byte.
    @Test(arguments: [1, 2, 3, 4, 5])
    func theDigestIsSHA256OfTheLayout(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let run = ModelHasher.run
        let sizes = [0, 1, 7, 300, run - 10, run - 9, run - 5, run - 1, run, run + 1, 3 * run + 17]
        let databases = (0..<3).map { index in
            (name: "rm.test\(index).t", entries: (0..<Int.random(in: 0...40, using: &random)).map { _ in
                let key = (0..<Int.random(in: 0...24, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                let size = Bool.random(using: &random) ? sizes.randomElement(using: &random)! : Int.random(in: 0...2_000, using: &random)
                return (key, [UInt8](repeating: UInt8.random(in: 0...255, using: &random), count: size))
            })
        }
        let digest = Self.hashed(databases)
        #expect(digest.sha256 == Self.reference(databases))
        #expect(digest.entries == databases.reduce(0) { $0 + $1.entries.count })
        #expect(digest.checkpoint == 7 && digest.name == "model")
    }

    /// A hasher copied part way (as a copy retried after the map grew does) goes on from where the copy was made.
    @Test func aCopyGoesOnFromWhereItWasMade() {
        let entries: [([UInt8], [UInt8])] = (0..<50).map { ([UInt8]("k\($0)".utf8), [UInt8](repeating: UInt8($0), count: 3_000)) }
        var hasher = ModelHasher()
        hasher.begin(database: "rm.a")
        for (key, value) in entries[..<30] {
            key.withUnsafeBytes { key in value.withUnsafeBytes { value in hasher.add(key: key, value: value) } }
        }
        var other = hasher
        for (key, value) in entries[30...] {
            key.withUnsafeBytes { key in value.withUnsafeBytes { value in other.add(key: key, value: value) } }
        }
        #expect(hasher.digest(name: "m", checkpoint: 0).sha256 == Self.reference([(name: "rm.a", entries: Array(entries[..<30]))]))
        #expect(other.digest(name: "m", checkpoint: 0).sha256 == Self.reference([(name: "rm.a", entries: entries)]))
    }
}
