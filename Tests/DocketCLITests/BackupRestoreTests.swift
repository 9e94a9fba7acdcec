import EventLog
import Foundation
import TestSupport
import Testing

/// Issue 14 §6: a backup keeps the attachments and the anchors, with a manifest; a restore checks it and verifies.
@Suite(.serialized) struct BackupRestoreTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    static let attachmentSHA = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"

    /// A store holding a ticket opened by an email with one attachment ("hello world\n").
    func storeWithAttachment() throws {
        for command in [
            ["init"], ["user", "add", "intake", "--name", "Intake", "--email", "intake@msp.example", "--role", "dispatcher"],
            ["client", "add", "globex", "--name", "Globex", "--domain", "globex.example", "--time-zone", "UTC", "--currency", "USD"],
        ] {
            #expect(try DocketProcess.run(command, store: store).status == 0)
        }
        let message = EmailIntakeTests.mail(
            id: "att@globex.example", subject: "Log attached",
            extraHeaders: "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n",
            body: "--b1\r\nContent-Type: text/plain\r\n\r\nSee the log.\r\n--b1\r\nContent-Type: text/plain; name=\"log.txt\"\r\n"
                + "Content-Disposition: attachment; filename=\"log.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + "aGVsbG8gd29ybGQK\r\n--b1--\r\n")
        let run = try DocketProcess.run(["intake", "email"], store: store, stdin: message, environment: ["DOCKET_USER": "intake"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: store + "/attachments/a9/" + Self.attachmentSHA))
    }

    @Test func aBackupKeepsAttachmentsAndAnchorsAndARestoreVerifiesThem() throws {
        try storeWithAttachment()
        let backup = folder.child("backup")
        let made = try DocketProcess.run(["backup", backup], store: store)
        #expect(made.status == 0, "\(made.stderr)")
        let manifest = try BackupManifest.read(in: backup)
        let paths = Set(manifest.files.map(\.path))
        #expect(paths.contains("data.mdb"))
        #expect(paths.contains("anchors"))
        #expect(paths.contains("attachments/a9/" + Self.attachmentSHA))
        #expect(manifest.files.first { $0.path.hasSuffix(Self.attachmentSHA) }?.sha256 == Self.attachmentSHA, "content-addressed")
        let log = try DocketProcess.run(["verify", "--log-only", "--json"], store: store)
        #expect(log.stdout.contains("\"head\":\(manifest.headPosition)"))

        let restored = folder.child("restored")
        let run = try DocketProcess.run(["restore", backup, restored], store: store)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("verified"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: restored + "/attachments/a9/" + Self.attachmentSHA)) == Data("hello world\n".utf8))
        #expect(FileManager.default.fileExists(atPath: restored + "/anchors"))
        #expect(try DocketProcess.run(["verify"], store: restored).status == 0)
        #expect(try DocketProcess.run(["ticket", "comment", "T-1001", "Restored fine"], store: restored).status == 0)
    }

    @Test(arguments: ["data.mdb", "attachment", "anchors"])
    func aDamagedOrIncompleteBackupIsRefusedAndNothingIsLeft(part: String) throws {
        try storeWithAttachment()
        let backup = folder.child("backup")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        switch part {
        case "attachment": try FileManager.default.removeItem(atPath: backup + "/attachments/a9/" + Self.attachmentSHA)
        default:
            let file = URL(fileURLWithPath: backup + "/" + part)
            var bytes = Array(try Data(contentsOf: file))
            bytes[bytes.count / 2] ^= 0x10
            try Data(bytes).write(to: file)
        }
        let restored = folder.child("restored")
        let run = try DocketProcess.run(["restore", backup, restored], store: store)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("use another backup"))
        #expect(!FileManager.default.fileExists(atPath: restored))
    }

    @Test func aRestoreNeverWritesIntoAFolderInUse() throws {
        try storeWithAttachment()
        let backup = folder.child("backup")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        let run = try DocketProcess.run(["restore", backup, store], store: store)
        #expect(run.status == 73, "\(run.stderr)")
        #expect(try DocketProcess.run(["verify"], store: store).status == 0)
    }

    /// Binds a Unix socket at `path` (as `docket serve` does at `<store>/docket.sock`); returns its descriptor.
    func bindSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0, "bind: errno \(errno)")
        return fd
    }

    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    /// The documented procedure, a backup while `docket serve` runs, met the server's socket in the store folder:
    /// the copy failed (exit 73) and left a half-written folder with data.mdb 0644.
    @Test func aBackupCopiesOnlyTheStoresOwnFilesAndNeverASocket() throws {
        try storeWithAttachment()
        let socketFD = try bindSocket(store + "/docket.sock")
        defer { close(socketFD) }
        #expect(mkfifo(store + "/a-fifo", 0o600) == 0)
        try Data("left here\n".utf8).write(to: URL(fileURLWithPath: store + "/notes.txt"))
        let backup = folder.child("backup")
        let made = try DocketProcess.run(["backup", backup], store: store)
        #expect(made.status == 0, "\(made.stderr)")
        let paths = Set(try BackupManifest.read(in: backup).files.map(\.path))
        #expect(paths.isSuperset(of: ["data.mdb", "anchors", "attachments/a9/" + Self.attachmentSHA]), "\(paths)")
        for stranger in ["docket.sock", "a-fifo", "notes.txt"] {
            #expect(!paths.contains(stranger))
            #expect(!FileManager.default.fileExists(atPath: backup + "/" + stranger))
        }
        #expect(try mode(backup) == 0o700)
        #expect(try mode(backup + "/data.mdb") == 0o600)
        let siblings = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!siblings.contains { $0.contains(".partial-") }, "\(siblings)")
        #expect(try DocketProcess.run(["restore", backup, folder.child("restored")], store: store).status == 0)
    }

    /// A backup written inside the store folder it copies was taken (exit 0): lost with the store when its disk fails or
    /// the folder is removed, and copied into the next backup's folder listing. It is refused now, however the folder is
    /// named (a relative path with `..`, a symbolic link into the store), in one line, exit 73, nothing written; a
    /// sibling whose name starts with the store's is outside it.
    @Test func aBackupInsideTheStoreFolderIsRefused() throws {
        try storeWithAttachment()
        let before = try FileManager.default.contentsOfDirectory(atPath: store).sorted()
        try FileManager.default.createSymbolicLink(atPath: folder.child("link"), withDestinationPath: store)
        for destination in [store + "/backup", folder.child("link/nested/backup"), store + "/../store/backup", store] {
            let run = try DocketProcess.run(["backup", destination], store: store)
            #expect(run.status == 73, "\(destination): \(run.stderr)")
            #expect(run.stderr == "docket: error: \(destination) is inside the store folder \(store): a backup there is lost with the store; give a folder outside it, on another disk if you can\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store).sorted() == before)
        #expect(try DocketProcess.run(["backup", folder.child("store-backup")], store: store).status == 0)
    }

    /// A backup folder holding a file its manifest does not list (a rotation's checksum list, an operator's note) was
    /// refused by `restore` as damaged (exit 2), though a restore copies only the listed files: an emergency restore
    /// failed over a README. The listed files are still checked; the others are named in a note and left behind.
    @Test func aRestoreLeavesUnlistedFilesBehindWithANote() throws {
        try storeWithAttachment()
        let backup = folder.child("backup")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        #expect(FileManager.default.createFile(atPath: backup + "/SHA256SUMS", contents: Data("x  data.mdb\n".utf8)))
        try FileManager.default.createDirectory(atPath: backup + "/notes", withIntermediateDirectories: false)
        #expect(FileManager.default.createFile(atPath: backup + "/notes/README.txt", contents: Data("monthly\n".utf8)))
        let restored = folder.child("restored")
        let run = try DocketProcess.run(["restore", backup, restored], store: store)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr == "docket: note: the backup folder also holds SHA256SUMS and 1 more, which its manifest does not list: not restored\n")
        #expect(!FileManager.default.fileExists(atPath: restored + "/SHA256SUMS"))
        #expect(!FileManager.default.fileExists(atPath: restored + "/notes"))
        #expect(FileManager.default.fileExists(atPath: restored + "/attachments/a9/" + Self.attachmentSHA))
    }

    @Test func aStagedBackupIsRenamedIntoPlaceAndAnEmptyDestinationIsUsedAsIs() throws {
        try storeWithAttachment()
        let empty = folder.child("mounted")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        #expect(try DocketProcess.run(["backup", empty], store: store).status == 0)
        #expect(try BackupManifest.read(in: empty).files.isEmpty == false)
        let nested = folder.child("new/deeper/backup/")
        #expect(try DocketProcess.run(["backup", nested], store: store).status == 0)
        #expect(try mode(folder.child("new/deeper/backup")) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.child("new/deeper")) == ["backup"])
    }

    /// A folder holding only hidden `.building-PID` folders of processes that are gone is what killed backups left: two
    /// of them (one left by a backup killed just after its manifest was moved into place, kept by `rm DEST/*`, which
    /// skips hidden names, and one by the next backup, killed half way) made every later backup into the folder
    /// refuse it as "not empty" (exit 73), for good. Now the next backup clears them all and finishes.
    @Test func aBackupClearsWhatSeveralKilledBackupsLeft() throws {
        try storeWithAttachment()
        let mounted = folder.child("mounted")
        for _ in 0..<2 {
            let gone = Process()
            gone.executableURL = URL(fileURLWithPath: "/bin/true")
            try gone.run()
            gone.waitUntilExit()
            try FileManager.default.createDirectory(atPath: mounted + "/.building-\(gone.processIdentifier)", withIntermediateDirectories: true)
        }
        try Data("partial".utf8).write(to: URL(fileURLWithPath: mounted + "/data.mdb"))
        let refused = try DocketProcess.run(["restore", mounted, folder.child("not-restored")], store: store)
        #expect(refused.status == 2 && refused.stderr.contains("cut short"), "\(refused.stderr)")
        let again = try DocketProcess.run(["backup", mounted], store: store)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: mounted).filter { $0.hasPrefix(".") } == [])
        #expect(try DocketProcess.run(["restore", mounted, folder.child("restored")], store: store).status == 0)
    }

    /// A backup is in place once its manifest has its name, and nothing of the run is left in it then: the manifest waits
    /// under a hidden name while the emptied hidden folder is removed. A backup killed just after its manifest was
    /// moved into place left that empty `.building-PID` in the finished backup for good. The two states a kill in those
    /// last steps leaves now — the hidden folder and the waiting manifest, or the manifest alone — are no backup, and
    /// the next backup clears them and finishes.
    @Test func aBackupKilledInItsLastStepsIsClearedByTheNext() throws {
        try storeWithAttachment()
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let hidden = ".building-\(gone.processIdentifier)"
        for keepsFolder in [true, false] {
            let mounted = folder.child("mounted-\(keepsFolder)")
            try FileManager.default.createDirectory(atPath: mounted, withIntermediateDirectories: false)
            #expect(try DocketProcess.run(["backup", mounted], store: store).status == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: mounted).filter { $0.hasPrefix(".") } == [])
            // The state a kill leaves after the manifest went to its waiting name (and, or not, before the folder went).
            try FileManager.default.moveItem(atPath: mounted + "/MANIFEST.json", toPath: mounted + "/" + hidden + ".ready")
            if keepsFolder { try FileManager.default.createDirectory(atPath: mounted + "/" + hidden, withIntermediateDirectories: false) }
            let refused = try DocketProcess.run(["restore", mounted, folder.child("not-restored-\(keepsFolder)")], store: store)
            #expect(refused.status == 2 && refused.stderr.contains("cut short"), "\(refused.stderr)")
            let again = try DocketProcess.run(["backup", mounted], store: store)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: mounted).filter { $0.hasPrefix(".") } == [])
            #expect(try DocketProcess.run(["restore", mounted, folder.child("restored-\(keepsFolder)")], store: store).status == 0)
        }
    }

    /// The backup's `attachments` folders were made 0600 like its files: no one but root could enter them, so a restore
    /// by the store's owner failed ("attachments/… is missing").
    @Test func aBackupsFoldersAre0700AndItsFiles0600() throws {
        try storeWithAttachment()
        let backup = folder.child("backup")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        for path in ["", "/attachments", "/attachments/a9"] { #expect(try mode(backup + path) == 0o700, "\(path)") }
        for path in ["/data.mdb", "/anchors", "/MANIFEST.json", "/attachments/a9/" + Self.attachmentSHA] {
            #expect(try mode(backup + path) == 0o600, "\(path)")
        }
        let restored = folder.child("restored")
        #expect(try DocketProcess.run(["restore", backup, restored], store: store).status == 0)
        for path in ["", "/attachments", "/attachments/a9"] { #expect(try mode(restored + path) == 0o700, "\(path)") }
        #expect(try mode(restored + "/attachments/a9/" + Self.attachmentSHA) == 0o600)
    }

    /// The hook key was copied into backups (and listed in MANIFEST.json), though the docs say a backup cannot use a
    /// webhook secret without it. A restore works without it; rotating a source's secret makes a new key.
    @Test func theHookKeyIsNotInABackupAndARestoredStoreReprovisionsIt() throws {
        try storeWithAttachment()
        let created = try DocketProcess.run(
            ["hook", "create", "ninja", "--format", "generic", "--acts-as", "intake", "--default-client", "globex"], store: store)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: store + "/hook-secrets.key"))
        let backup = folder.child("backup")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        #expect(!(try BackupManifest.read(in: backup).files.map(\.path)).contains("hook-secrets.key"))
        #expect(!FileManager.default.fileExists(atPath: backup + "/hook-secrets.key"))
        let restored = folder.child("restored")
        let restore = try DocketProcess.run(["restore", backup, restored], store: store)
        #expect(restore.status == 0, "\(restore.stderr)")
        let rotated = try DocketProcess.run(["hook", "rotate", "ninja"], store: restored)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stdout.hasPrefix("dkh_"), "\(rotated.stdout)")
        #expect(FileManager.default.fileExists(atPath: restored + "/hook-secrets.key"))
        #expect(try DocketProcess.run(["verify"], store: restored).status == 0)
    }
}
