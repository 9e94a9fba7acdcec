import ArgumentParser
import DocketApp
import Foundation

/// `docket backup DEST`: a hot, compacted copy with everything beside the log, and a manifest.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the store — log, attachments, anchors — while others keep writing.",
        discussion: """
            Admin only. DEST must be a new or empty folder outside the store folder; it is written owner-only \
            (folder 0700, files 0600). \
            It gets a compacted copy of the LMDB store, the anchors file, the \
            mail attachments and MANIFEST.json (the copied head; every file's size and SHA-256). \
            Restore it with `docket restore DEST NEW-STORE`, which checks the manifest and verifies the copy.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Argument(help: "The folder to write the copy into (new or empty).") var destination: String

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            if FolderPaths.isWithin(destination, path) {
                throw CLIError.destination(
                    "\(destination) is inside the store folder \(path): a backup there is lost with the store; give a folder "
                        + "outside it, on another disk if you can")
            }
            let store = try StoreAccess.open(path, checkPages: true).log
            try store.requireAdmin(actorOptions.name, to: "back up the store")
            let manifest: BackupManifest
            do {
                manifest = try store.backup(to: destination)
            } catch let error as CocoaError {
                throw CLIError.destination("cannot write the backup into \(destination) (\(error.localizedDescription)); check the folder")
            }
            Terminal.out(
                "backed up \(path) to \(destination): \(manifest.headPosition) events (head \(manifest.headHash.prefix(16))…), "
                    + "\(manifest.files.count) files listed in \(BackupManifest.fileName)\n")
        }
    }
}

/// `docket restore BACKUP DEST`: check a backup against its manifest, copy it, and verify the copy.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `docket backup` into a new store, checked and verified.",
        discussion: """
            docket restore /var/backups/docket/2026-11-30 /var/lib/docket/store.new
            Every file is checked against MANIFEST.json (size and SHA-256) before anything is copied, and only those \
            files are copied (a note names any other file in the folder, left behind); the copy is \
            then opened, which builds anew any read model whose format this docket changed (a backup taken before \
            an upgrade), and verified in full (hash chain, indexes, anchors, read models) and its head compared \
            with the manifest's. A read model that differs from the intact log is rebuilt from it (a note says \
            which). Only then is the copy, made in a hidden folder inside DEST, moved into place and success \
            reported; on any failure DEST is removed again (exit 2: the backup is damaged; 73: DEST is not a new \
            or empty folder), and a restore killed half way leaves no store in DEST: run it again.
            """)

    @Argument(help: "The backup folder.") var backup: String
    @Argument(help: "The new store folder (new or empty).") var destination: String

    func run() throws {
        try reportingFailures(store: destination) {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: backup, isDirectory: &isFolder), isFolder.boolValue else {
                // A typo in the path is no damaged backup.
                throw CLIError.noStore("there is no backup folder at \(backup); check the path (a folder `docket backup` wrote)")
            }
            let manifest: BackupManifest
            let unlisted: [String]
            do {
                manifest = try BackupManifest.read(in: backup)
                unlisted = try manifest.check(in: backup)
            } catch {
                guard let message = ApplicationFailure.logError(error) else { throw error }
                throw CLIError.damaged(message)
            }
            // Restored and verified in a hidden folder inside DEST, then moved into place: a restore killed half way
            // leaves no store in DEST that was never verified, and the same restore run again clears it and finishes.
            let staged: StagedFolder
            do {
                staged = try StagedFolder.begin(destination)
            } catch {
                guard let message = ApplicationFailure.storeNotEmpty(error) else { throw error }
                throw CLIError.destination(message)
            }
            do {
                try LogService.restoreFiles(manifest, from: backup, to: staged.building)
                let (head, sealed) = try verifyRestored(staged.building, manifest: manifest)
                try staged.publish()
                if let first = unlisted.first {
                    let more = unlisted.count == 1 ? "" : " and \(unlisted.count - 1) more"
                    Terminal.error("docket: note: the backup folder also holds \(first)\(more), which its manifest does not list: not restored")
                }
                // The key file is not in a backup: the restored secrets stay sealed until the copy kept apart is put back.
                if let problem = SealedSecretsCheck.problem(sealed, store: destination) { Terminal.error("docket: warning: \(problem)") }
                Terminal.out("restored \(backup) into \(destination): \(head) events, \(manifest.files.count) files checked, verified\n")
            } catch {
                staged.abandon()
                if let message = ApplicationFailure.logCorruption(error) { throw CLIError.damaged(message) }
                throw error
            }
        }
    }

    /// Opens the copy in `folder` as any command opens a store, verifies it in full, rebuilds a read model that differs
    /// from its intact log, and checks its head against the manifest; returns the head position and the webhook sources
    /// and channels whose secrets the log keeps sealed. The store is closed on return.
    private func verifyRestored(_ folder: String, manifest: BackupManifest) throws -> (head: UInt64, sealed: [SealedSecretOwner]) {
        // Opened as any command opens a store: read models in a format this docket changed (a backup taken before an
        // upgrade) are built anew from the log, as on the first open after the upgrade.
        let session = try StoreAccess.open(folder, checkPages: true)
        let store = session.log
        let scratch = folder + "/verify-scratch-\(ProcessInfo.processInfo.processIdentifier)"
        var (report, checks) = try store.verify(readModelsRebuiltIn: scratch)
        guard report.isClean else {
            throw CLIError.damaged("the restored copy fails verification (\(report.problems.first?.description ?? "")); use another backup")
        }
        let differing = checks.filter { !$0.matches }.map(\.name)
        if !differing.isEmpty {
            // The log is intact and is what a backup keeps; read models are derived from it: rebuild them.
            try store.rebuild(differing)
            (report, checks) = try store.verify(readModelsRebuiltIn: scratch)
            if let still = checks.first(where: { !$0.matches }) {
                throw CLIError.damaged("the restored copy's read model \(still.name) differs from its log even rebuilt; use another backup")
            }
            Terminal.error(
                "docket: note: the backup's read model\(differing.count == 1 ? "" : "s") \(differing.joined(separator: ", ")) "
                    + "differed from its log (the log verified intact); rebuilt from the log")
        }
        guard report.head == manifest.headPosition, try store.head().hash.hex == manifest.headHash else {
            throw CLIError.damaged("the restored log ends at position \(report.head), the manifest says \(manifest.headPosition); use another backup")
        }
        return (report.head, try session.app.sealedSecretOwners())
    }
}
