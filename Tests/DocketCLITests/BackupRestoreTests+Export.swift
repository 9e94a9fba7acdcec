import Foundation
import TestSupport
import Testing

extension BackupRestoreTests {
    /// An export carries the log only: a store imported from one named the mail's attachment but had no file for it,
    /// and nothing said so (import printed "imported N events", verify said ok). Now the import names how many
    /// attachments are missing and the fix; once the folder is copied in, it says nothing.
    @Test func anImportSaysWhichAttachmentsTheExportDidNotCarry() throws {
        try storeWithAttachment()
        let export = folder.child("store.ndjson")
        #expect(try DocketProcess.run(["export", "-o", export], store: store).status == 0)
        let copy = folder.child("copy")
        let run = try DocketProcess.run(["import", export], store: copy)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("imported "), "\(run.stdout)")
        #expect(
            run.stderr == "docket: note: the log names 1 attachment file that \(copy)/attachments does not hold (an export carries the "
                + "log only, first: \(Self.attachmentSHA)); copy the old store's attachments folder into \(copy)/attachments\n")
        let again = folder.child("again")
        try FileManager.default.createDirectory(atPath: again, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: store + "/attachments", toPath: again + "/attachments")
        let whole = try DocketProcess.run(["import", export], store: again)
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stderr.isEmpty, "\(whole.stderr)")
    }
}
