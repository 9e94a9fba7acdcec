import Foundation
import TestSupport
import Testing

/// A bit flipped in a database's name in LMDB's catalogue (the main database's keys) leaves every page sound, so the
/// page check cannot see it; `DamagedStoreTests` found two such flips that `verify` passed (`commands` → `coimands`,
/// `rm.outbox2.messages` → `rm.outbox2.mesrages`, both empty in its store). Here each kind of name is damaged on
/// purpose, by rewriting the name's bytes wherever the file holds them.
@Suite(.serialized) struct CatalogueDamageTests {
    let folder = TemporaryFolder()

    /// A populated store whose catalogue names `damaged` where it named `name`, both of one length.
    func store(renaming name: (Set<String>) throws -> String, to damaged: (String) -> String) throws -> (store: String, name: String, damaged: String) {
        let store = folder.child("store")
        try StoreScenario.populate(store)
        let names = Set(try #require(LogicalDump.of(store), "mdb_dump (Debian lmdb-utils) must be installed").keys)
        let original = try name(names)
        let replacement = damaged(original)
        #expect(replacement.utf8.count == original.utf8.count && replacement != original)
        let url = URL(fileURLWithPath: store + "/data.mdb")
        var bytes = Array(try Data(contentsOf: url))
        let (from, to) = (Array(original.utf8), Array(replacement.utf8))
        var replaced = 0
        var index = 0
        while index + from.count <= bytes.count {
            if bytes[index] == from[0], Array(bytes[index..<(index + from.count)]) == from {
                bytes.replaceSubrange(index..<(index + from.count), with: to)
                replaced += 1
                index += from.count
            } else {
                index += 1
            }
        }
        try #require(replaced > 0, "\(original) is not in the file")
        try Data(bytes).write(to: url)
        return (store, original, replacement)
    }

    func outboxMessages(_ names: Set<String>) throws -> String {
        try #require(names.first { $0.hasPrefix("rm.outbox") && $0.hasSuffix(".messages") })
    }

    @Test func aLogDatabaseMissingFromTheCatalogueIsRefusedAndNothingIsCreated() throws {
        let (store, _, _) = try store(renaming: { _ in "commands" }, to: { _ in "coimands" })
        let before = try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb"))
        for arguments in [["verify"], ["ticket", "list"], ["ticket", "comment", "T-1001", "still jammed"]] {
            let run = try BoundedRun.docket(arguments, store: store)
            #expect(run.status == 2, "\(arguments): exit \(run.status): \(run.stderr)")
            #expect(
                run.stderr == "docket: error: the store at \(store) is damaged: its catalogue has no database 'commands' "
                    + "(a damaged name?); restore it from a backup with `docket restore`\n", "\(arguments)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb")) == before, "a damaged store was written to")
    }

    @Test func aReadModelDatabaseUnderADamagedNameIsReportedAndARebuildMendsIt() throws {
        let (store, _, damaged) = try store(renaming: outboxMessages, to: { $0.replacingOccurrences(of: "messages", with: "mesrages") })
        let verify = try BoundedRun.docket(["verify"], store: store)
        #expect(verify.status == 2, "\(verify.stdout)\(verify.stderr)")
        #expect(
            verify.stdout.contains(
                "the catalogue lists a database read model outbox does not have, '\(damaged)' (a damaged name); run `docket rebuild outbox`"),
            "\(verify.stdout)")
        try expectMendedByRebuild(store)
    }

    @Test func aReadModelDatabaseMissingUnderItsFormatIsReportedAndARebuildMendsIt() throws {
        // The format number's last digit flipped: the name looks like an older format's, and the model's own is missing.
        let (store, original, _) = try store(renaming: outboxMessages, to: { name in
            let digit = name.dropFirst("rm.outbox".count).prefix { $0.isNumber }.last ?? "1"
            let flipped = Character(UnicodeScalar(digit.asciiValue! ^ 1))
            return name.replacingOccurrences(of: "\(digit).messages", with: "\(flipped).messages")
        })
        let verify = try BoundedRun.docket(["verify"], store: store)
        #expect(verify.status == 2, "\(verify.stdout)\(verify.stderr)")
        #expect(
            verify.stdout.contains(
                "read model outbox has a checkpoint but its database '\(original)' was missing when the store was opened "
                    + "(a damaged name); run `docket rebuild outbox`"),
            "\(verify.stdout)")
        try expectMendedByRebuild(store)
    }

    func expectMendedByRebuild(_ store: String) throws {
        let rebuild = try BoundedRun.docket(["rebuild", "outbox"], store: store)
        #expect(rebuild.status == 0, "\(rebuild.stderr)")
        let verify = try BoundedRun.docket(["verify"], store: store)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
