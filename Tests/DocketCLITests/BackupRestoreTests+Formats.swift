@testable import EventLog
import Foundation
import LMDB
import TestSupport
import Testing

extension BackupRestoreTests {
    /// Makes the backup in `backup` look as a previous release wrote it (``makeOutboxOfThePreviousFormat(inStore:)``),
    /// then writes the manifest again so that the backup is sound, as that release's `docket backup` left it.
    func makeOutboxOfThePreviousFormat(in backup: String) throws {
        try makeOutboxOfThePreviousFormat(inStore: backup)
        try rewriteManifest(of: backup)
    }

    /// Makes the LMDB file in `folder` look as a previous release wrote it: the `outbox` model kept in an older format
    /// (`rm.outbox2.messages`, checkpoint `outbox-v2`), none of this release's databases or checkpoint for it.
    func makeOutboxOfThePreviousFormat(inStore folder: String) throws {
        do {
            let environment = try Environment(path: folder)
            for name in try environment.databaseNames() where name.hasPrefix("rm.outbox") {
                try environment.dropDatabase(named: name)
            }
            let old = try environment.openDatabase(named: "rm.outbox2.messages")
            let checkpoints = try environment.openDatabase(named: "checkpoints")
            let head = try #require(try environment.read { txn in try txn.get(checkpoints, key: Array("stream-counts".utf8)) }.map(Array.init))
            let current = try environment.read { txn in
                try txn.withCursor(checkpoints) { cursor in
                    var keys: [[UInt8]] = []
                    var entry = try cursor.first()
                    while let found = entry {
                        if found.key.starts(with: Array("outbox".utf8)) { keys.append(Array(found.key)) }
                        entry = try cursor.next()
                    }
                    return keys
                }
            }
            try environment.write { txn in
                try txn.put(old, key: [0, 0, 0, 0, 0, 0, 3, 233], value: Array("{}".utf8))
                for key in current { _ = try txn.delete(checkpoints, key: key) }
                try txn.put(checkpoints, key: Array("outbox-v2".utf8), value: head)
            }
        }
        try FileManager.default.removeItem(atPath: folder + "/lock.mdb")
    }

    /// The manifest of `backup` with every file's size and SHA-256 as the files are now.
    func rewriteManifest(of backup: String) throws {
        var manifest = try BackupManifest.read(in: backup)
        manifest.files = try manifest.files.map { file in
            let digest = try #require(try BackupManifest.digest(of: backup + "/" + file.path))
            return BackupManifest.File(path: file.path, size: digest.size, sha256: digest.sha256)
        }
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: backup + "/" + BackupManifest.fileName))
    }

    /// A backup taken before an upgrade that changed a read model's format was refused by the new docket's restore
    /// ("the restored copy's read model outbox differs from its log; use another backup, or restore and run `docket
    /// rebuild outbox`", exit 2, nothing restored): the restore verified the copy without opening it as every other
    /// command does, so the model was never built in its new format. Every backup taken before the upgrade was lost.
    @Test func aBackupOfThePreviousReleaseIsRestoredWithItsModelsBuiltInTheirNewFormat() throws {
        try storeWithAttachment()
        let backup = folder.child("backup")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        try makeOutboxOfThePreviousFormat(in: backup)
        let restored = folder.child("restored")
        let run = try DocketProcess.run(["restore", backup, restored], store: store)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("verified"), "\(run.stdout)")
        #expect(run.stderr.isEmpty, "an upgrade is no damage: \(run.stderr)")
        #expect(try DocketProcess.run(["verify"], store: restored).status == 0)
        let outbox = try DocketProcess.run(["outbox", "list"], store: restored, environment: ["DOCKET_USER": "intake"])
        #expect(outbox.status == 0, "\(outbox.stderr)")
        #expect(outbox.stdout.contains("T-1001"), "\(outbox.stdout)")
        let names = try Environment(path: restored).databaseNames()
        #expect(!names.contains("rm.outbox2.messages"), "the old format's database is gone: \(names)")
    }

    /// A backup whose read model differs from its (intact) log was refused the same way, though the log is what a backup
    /// keeps and every read model is derived from it: the model is rebuilt, with a note naming it.
    @Test func aReadModelThatDiffersFromTheBackupsLogIsRebuiltByTheRestore() throws {
        try storeWithAttachment()
        let backup = folder.child("backup")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        do {
            let environment = try Environment(path: backup)
            let counts = try environment.openDatabase(named: "rm.stream-counts.types")
            try environment.write { txn in try txn.put(counts, key: Array("ticket.forged".utf8), value: [0, 0, 0, 0, 0, 0, 0, 7]) }
        }
        try FileManager.default.removeItem(atPath: backup + "/lock.mdb")
        try rewriteManifest(of: backup)
        let restored = folder.child("restored")
        let run = try DocketProcess.run(["restore", backup, restored], store: store)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("read model stream-counts differed from its log"), "\(run.stderr)")
        #expect(try DocketProcess.run(["verify"], store: restored).status == 0)
        #expect(!(try DocketProcess.run(["stats"], store: restored).stdout.contains("ticket.forged")))
    }

    /// The first `docket verify` after an upgrade that changed a read model's format said the store was damaged
    /// ("read model outbox is damaged (its checkpoint says position 0, the log's head is N)", exit 2): verify does not
    /// build read models, and no other command had opened the store yet. A model with no checkpoint and no rows is
    /// not built yet, not damaged: a note says so, and the next command that opens the store builds it.
    @Test func verifyRightAfterAnUpgradeSaysAModelIsNotBuiltYetNotDamaged() throws {
        try storeWithAttachment()
        try makeOutboxOfThePreviousFormat(inStore: store)
        let first = try DocketProcess.run(["verify"], store: store)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.hasPrefix("ok: "), "\(first.stdout)")
        #expect(
            first.stderr == "docket: note: read model outbox was not checked: it is not built yet in this release's format; "
                + "the next command that opens the store builds it (or `docket rebuild outbox`)\n")
        let json = try DocketProcess.run(["verify", "--json"], store: store)
        #expect(json.status == 0 && json.stdout.contains("\"ok\":true"), "\(json.stdout)")
        #expect(try DocketProcess.run(["queue"], store: store).status == 0)
        let after = try DocketProcess.run(["verify"], store: store)
        #expect(after.status == 0 && after.stderr.isEmpty, "\(after.stdout)\(after.stderr)")
    }

    /// A mistyped backup path was "damaged" (exit 2: "/x holds no MANIFEST.json: it is not a backup made by docket
    /// backup"), as if a folder were there: now there is no such folder, exit 66 (as for a store), nothing made.
    @Test func aRestoreFromAPathThatIsNoFolderSaysSo() throws {
        let restored = folder.child("restored")
        for missing in [folder.child("no-such-backup"), "/dev/null"] {
            let run = try DocketProcess.run(["restore", missing, restored], store: store)
            #expect(run.status == 66, "\(run.stderr)")
            #expect(run.stderr == "docket: error: there is no backup folder at \(missing); check the path (a folder `docket backup` wrote)\n")
            #expect(!FileManager.default.fileExists(atPath: restored))
        }
    }
}
