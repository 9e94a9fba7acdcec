import Foundation
import TestSupport
import Testing

/// Issue 14 §1: a log that got shorter (LMDB opening its older meta page, an old data.mdb put back) is detected
/// against the anchors, writes are refused, and an admin's acceptance is recorded as an event.
@Suite(.serialized) struct AnchorTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    /// The issue's store: one ticket and one comment.
    func ticketWithComment() throws {
        for command in [
            ["init"], ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"],
            ["ticket", "open", "--client", "acme", "--subject", "Printer jammed"], ["ticket", "comment", "T-1001", "Cleared the tray"],
        ] {
            let run = try DocketProcess.run(command, store: store)
            #expect(run.status == 0, "\(command): \(run.stderr)")
        }
    }

    func head(_ path: String) throws -> Int {
        let run = try DocketProcess.run(["verify", "--log-only", "--json"], store: path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        return try #require(object["head"] as? Int)
    }

    func txnid(_ bytes: [UInt8], page: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[page * 4096 + 144 + $1]) << (8 * UInt64($1)) }
    }

    @Test func aFlippedBitInTheOlderMetaPageIsARollbackThatIsCaughtAndMustBeAccepted() throws {
        try ticketWithComment()
        let before = try head(store)
        let anchors = try String(contentsOfFile: store + "/anchors", encoding: .utf8)
        #expect(anchors.split(separator: "\n").last?.hasPrefix("\(before) ") == true, "the anchor follows the head")
        // The reproducer: top bit of the txnid of the meta page with the older txnid.
        let file = URL(fileURLWithPath: store + "/data.mdb")
        var bytes = Array(try Data(contentsOf: file))
        let older = txnid(bytes, page: 0) < txnid(bytes, page: 1) ? 0 : 1
        bytes[older * 4096 + 144 + 7] ^= 0x80
        try Data(bytes).write(to: file)

        let verify = try DocketProcess.run(["verify"], store: store)
        #expect(verify.status == 2, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("are missing"), "\(verify.stdout)")
        #expect(verify.stdout.contains("meta pages"), "\(verify.stdout)")
        let write = try DocketProcess.run(["ticket", "comment", "T-1001", "Another"], store: store)
        #expect(write.status == 2, "\(write.stderr)")
        #expect(write.stderr.contains("looks rolled back"))
        #expect(write.stderr.contains("--accept-rollback"))

        let forbidden = try DocketProcess.run(["verify", "--accept-rollback", "--as", "nobody"], store: store)
        #expect(forbidden.status != 0)
        let accept = try DocketProcess.run(["verify", "--accept-rollback", "--reason", "disk fault, comment re-entered"], store: store)
        #expect(accept.status == 0, "\(accept.stdout)\(accept.stderr)")
        #expect(accept.stderr.contains("store.rollback-accepted"))
        #expect(try DocketProcess.run(["ticket", "comment", "T-1001", "Re-entered"], store: store).status == 0)
        let log = try DocketProcess.run(["log", "--stream", "store-integrity", "--json"], store: store)
        #expect(log.stdout.contains("store.rollback-accepted"))
        #expect(log.stdout.contains("disk fault"))
        #expect(try DocketProcess.run(["verify"], store: store).status == 0)
    }

    @Test func anOldDataFilePutBackIsCaughtAgainstTheLocalAndTheOffsiteAnchors() throws {
        try ticketWithComment()
        let old = try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb"))
        let offsite = folder.child("offsite-anchors")
        #expect(try DocketProcess.run(["ticket", "comment", "T-1001", "Second look"], store: store).status == 0)
        let anchored = try DocketProcess.run(["anchor", "--to", offsite], store: store)
        #expect(anchored.status == 0, "\(anchored.stderr)")
        let last = try head(store)
        try old.write(to: URL(fileURLWithPath: store + "/data.mdb"))

        let verify = try DocketProcess.run(["verify"], store: store)
        #expect(verify.status == 2)
        #expect(verify.stdout.contains("positions \(last)…\(last) are missing"), "\(verify.stdout)")
        // An attacker who also rewrites the local anchors file is still caught by the copy kept elsewhere.
        try FileManager.default.removeItem(atPath: store + "/anchors")
        #expect(try DocketProcess.run(["verify"], store: store).status == 0)
        let offsiteCheck = try DocketProcess.run(["verify", "--anchors", offsite], store: store)
        #expect(offsiteCheck.status == 2)
        #expect(offsiteCheck.stdout.contains("are missing"))
    }

    @Test func anotherStoresAnchorsAreAMismatchNotARollback() throws {
        try ticketWithComment()
        // Another store, one event longer, with its own anchors.
        let other = folder.child("other")
        for command in [
            ["init"], ["client", "add", "acme", "--name", "Acme", "--domain", "acme.example", "--time-zone", "UTC", "--currency", "USD"],
            ["ticket", "open", "--client", "acme", "--subject", "Printer jammed"], ["ticket", "comment", "T-1001", "Cleared the tray"],
            ["ticket", "comment", "T-1001", "Second look"],
        ] {
            #expect(try DocketProcess.run(command, store: other).status == 0, "\(command)")
        }
        #expect(try head(other) > head(store))
        let verify = try DocketProcess.run(["verify", "--log-only", "--anchors", other + "/anchors"], store: store)
        #expect(verify.status == 2, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("the anchors file \(other)/anchors does not match this log (the hash at position "), "\(verify.stdout)")
        #expect(verify.stdout.contains("differs): a different store's anchors, or a rewritten log"), "\(verify.stdout)")
        #expect(!verify.stdout.contains("are missing"), "\(verify.stdout)")
    }

    @Test func anAnchorThatCannotBeWrittenIsAWarningNotASilentSkip() throws {
        try ticketWithComment()
        // The anchors file is a link to a place that is gone (an unmounted remote): writing it fails.
        try FileManager.default.removeItem(atPath: store + "/anchors")
        try FileManager.default.createSymbolicLink(atPath: store + "/anchors", withDestinationPath: folder.child("gone/anchors"))
        let comment = try DocketProcess.run(["ticket", "comment", "T-1001", "Unanchored"], store: store)
        #expect(comment.status == 0, "the events are committed: \(comment.stderr)")
        let position = try head(store)
        let lines = comment.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(comment.stderr)")
        #expect(lines.first?.hasPrefix("docket: warning: position \(position) was committed but not anchored (cannot open the anchors file") == true, "\(comment.stderr)")
        #expect(lines.first?.contains("fix the anchors file") == true)
        // A read writes no anchor and warns about nothing.
        #expect(try DocketProcess.run(["ticket", "show", "T-1001"], store: store).stderr.isEmpty)
    }

    /// The QA probe's store: restored from a backup, then one byte of the second meta page damaged (offset 4136).
    /// LMDB falls back to the first meta page, an empty store: `ticket list` and `log` printed nothing with exit 0,
    /// `ticket open` said "unknown user", and each open committed into that empty state, over a meta page.
    @Test func aDamagedMetaPageIsRefusedByEveryCommandWithNothingWritten() throws {
        try ticketWithComment()
        let backup = folder.child("backup")
        let restored = folder.child("restored")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        #expect(try DocketProcess.run(["restore", backup, restored], store: store).status == 0)
        let file = URL(fileURLWithPath: restored + "/data.mdb")
        var bytes = Array(try Data(contentsOf: file))
        bytes[4136] ^= 0x41
        try Data(bytes).write(to: file)
        for command in [["ticket", "list"], ["log"], ["queue"], ["ticket", "open", "--client", "acme", "--subject", "x"], ["export"], ["verify"]] {
            let run = try DocketProcess.run(command, store: restored)
            #expect(run.status == 2, "\(command): \(run.stdout)\(run.stderr)")
            #expect(run.stdout.isEmpty, "\(command): \(run.stdout)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("looks rolled back") && run.stderr.contains("restore it from a backup"), "\(command): \(run.stderr)")
        }
        #expect(Array(try Data(contentsOf: file)) == bytes, "nothing written")
    }

    /// An old data file put back after several commits: every command but verify refuses it (reads showed the old
    /// state with exit 0), and verify says the anchors fail in one line with their count, not a line each.
    @Test func aRolledBackStoreIsRefusedForReadsTooAndVerifyCountsTheFailingAnchors() throws {
        try ticketWithComment()
        let old = try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb"))
        for text in ["Two", "Three", "Four"] {
            #expect(try DocketProcess.run(["ticket", "comment", "T-1001", text], store: store).status == 0)
        }
        try old.write(to: URL(fileURLWithPath: store + "/data.mdb"))
        for command in [["ticket", "list"], ["log"], ["ticket", "show", "T-1001"]] {
            let run = try DocketProcess.run(command, store: store)
            #expect(run.status == 2, "\(command): \(run.stdout)\(run.stderr)")
            #expect(run.stdout.isEmpty, "\(command): \(run.stdout)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("looks rolled back") && run.stderr.contains("docket verify"), "\(command): \(run.stderr)")
        }
        let verify = try DocketProcess.run(["verify", "--log-only"], store: store)
        #expect(verify.status == 2)
        let lines = verify.stdout.split(separator: "\n")
        #expect(lines.count == 2, "the alarm, and the anchors in one line: \(verify.stdout)")
        #expect(lines.last?.contains("(3 of the ") == true && lines.last?.contains("anchors checked fail)") == true, "\(verify.stdout)")
    }

    /// `verify --anchors FILE` said "ok" for a file holding no anchor at all: a wrong file passed as checked.
    @Test func anAnchorsCopyWithoutAnAnchorIsRefusedAndAGoodOneIsCounted() throws {
        try ticketWithComment()
        let garbage = folder.child("not-anchors")
        try Data("this is not an anchors file\n".utf8).write(to: URL(fileURLWithPath: garbage))
        let refused = try DocketProcess.run(["verify", "--log-only", "--anchors", garbage], store: store)
        #expect(refused.status == 65, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("\(garbage) holds no anchor"), "\(refused.stderr)")
        let offsite = folder.child("offsite")
        #expect(try DocketProcess.run(["anchor", "--to", offsite], store: store).status == 0)
        let checked = try DocketProcess.run(["verify", "--log-only", "--anchors", offsite], store: store)
        #expect(checked.status == 0, "\(checked.stderr)")
        let local = try String(contentsOfFile: store + "/anchors", encoding: .utf8).split(separator: "\n").count
        // The copy's one anchor is the head, which the store's file holds too: the distinct anchors are the local ones.
        #expect(checked.stdout.contains("; \(local) \(local == 1 ? "anchor holds" : "anchors hold"), with \(offsite)"), "\(checked.stdout)")
    }

    /// A store whose data.mdb is a folder: verify exited 1 with LMDB's bare `mdb_env_open` error.
    /// With the anchors file removed, `verify` said "ok …; 0 anchors hold" and nothing else, though every commit writes
    /// an anchor: the removal that hides a rollback went unmentioned. A note on stderr now says so (still exit 0: the
    /// log itself is intact); `ok` says "1 anchor holds", not "1 anchors hold".
    @Test func aStoreWhoseAnchorsWereRemovedGetsANoteFromVerify() throws {
        try ticketWithComment()
        let whole = try DocketProcess.run(["verify", "--log-only"], store: store)
        #expect(whole.status == 0 && whole.stderr.isEmpty, "\(whole.stderr)")
        try FileManager.default.removeItem(atPath: store + "/anchors")
        let bare = try DocketProcess.run(["verify", "--log-only"], store: store)
        #expect(bare.status == 0, "\(bare.stderr)")
        #expect(bare.stdout.contains("; 0 anchors hold"), "\(bare.stdout)")
        #expect(
            bare.stderr == "docket: note: no anchor holds this log: \(store)/anchors is missing or empty, though every commit "
                + "writes one, so a rollback of the log could not be told; keep anchors off this machine (`docket anchor --to FILE`) "
                + "and check them with `docket verify --anchors FILE`\n")
        #expect(try DocketProcess.run(["ticket", "comment", "T-1001", "Again"], store: store).status == 0)
        let one = try DocketProcess.run(["verify", "--log-only"], store: store)
        #expect(one.stdout.contains("; 1 anchor holds\n"), "\(one.stdout)")
        #expect(one.stderr.isEmpty, "\(one.stderr)")
    }

    @Test func aDataFileThatIsNotARegularFileIsNamedAsDamage() throws {
        try ticketWithComment()
        try FileManager.default.removeItem(atPath: store + "/data.mdb")
        try FileManager.default.createDirectory(atPath: store + "/data.mdb", withIntermediateDirectories: false)
        for command in [["verify"], ["ticket", "list"]] {
            let run = try DocketProcess.run(command, store: store)
            #expect(run.status == 2, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("\(store)/data.mdb is a folder"), "\(command): \(run.stderr)")
            #expect(run.stderr.contains("restore it from a backup"), "\(command): \(run.stderr)")
            #expect(!run.stderr.contains("mdb_env_open"), "\(run.stderr)")
        }
    }
}
