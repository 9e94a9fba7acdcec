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
}
