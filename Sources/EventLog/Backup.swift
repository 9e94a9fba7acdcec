import Crypto
import Foundation
import LMDB

/// `MANIFEST.json` in a backup folder: what the backup holds, so a restore can check every byte of it.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The manifest's file name inside a backup folder.
    public static let fileName = "MANIFEST.json"
    static let formatName = "docket-backup 1"

    /// One file of the backup, relative to its folder.
    public struct File: Codable, Sendable, Equatable {
        public let path: String
        public let size: Int
        public let sha256: String
    }

    /// `docket-backup 1`.
    public var format: String
    /// The store the backup was taken from (as given).
    public var source: String
    /// The head of the copied log: position, hash (hex) and recorded-at.
    public var headPosition: UInt64
    public var headHash: String
    public var headRecordedAt: String
    /// Every file but the manifest, in path order.
    public var files: [File]

    /// Reads the manifest of the backup in `folder`.
    public static func read(in folder: String) throws -> BackupManifest {
        let file = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: file) else {
            if let left = StagedFolder.leftOver(in: folder, completedBy: fileName) {
                throw EventLogError(
                    .corrupt,
                    "\(folder) holds no \(fileName), only what a backup that was cut short left (\(left)); run that backup "
                        + "again into \(folder), which clears it, or use another backup")
            }
            throw EventLogError(.corrupt, "\(folder) holds no \(fileName): it is not a backup made by docket backup")
        }
        guard let manifest = try? JSONDecoder().decode(BackupManifest.self, from: data), manifest.format == formatName else {
            throw EventLogError(.corrupt, "the backup manifest \(file) is damaged; use another backup")
        }
        return manifest
    }

    /// Checks every file the manifest lists: present, same size, same SHA-256. Returns the files in `folder` it does not
    /// list, in path order: a restore copies only the listed ones, so a file someone put beside them (a checksum list
    /// of a backup rotation, a note, a disk's own files) is left behind, not a reason to refuse the backup.
    @discardableResult
    public func check(in folder: String) throws -> [String] {
        for file in files {
            let digest = try BackupManifest.digest(of: folder + "/" + file.path)
            guard let digest, digest.size == file.size, digest.sha256 == file.sha256 else {
                let what = digest == nil ? "is missing" : "differs from the manifest (size or SHA-256)"
                throw EventLogError(.corrupt, "the backup \(folder) is damaged: \(file.path) \(what); use another backup")
            }
        }
        let listed = Set(files.map(\.path) + [BackupManifest.fileName])
        return try BackupManifest.files(in: folder).filter { !listed.contains($0) }
    }

    /// The files under `folder`, relative, in path order.
    static func files(in folder: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let relative = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isFolder), !isFolder.boolValue {
                out.append(relative)
            }
        }
        return out.sorted()
    }

    /// Size and SHA-256 (hex) of a file, read in chunks; nil when it is missing.
    static func digest(of path: String) throws -> (size: Int, sha256: String)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        return (size, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

/// What `docket backup` copies of a store folder besides LMDB's data file: a pure decision on an entry's path and
/// kind. Only the store's own files are copied — the anchors file, the token-usage file, a standalone replay's
/// marker, and the regular files under `attachments/` — never a socket (`docket.sock` while a server runs), a pipe,
/// a device or a link, nor anything else someone left in the folder. Nor the hook key (`hook-secrets.key`): webhook
/// secrets are sealed under it so that a backup cannot use them (docs/security.md); keep a copy of it apart.
enum BackupSelection {
    /// What an entry of the store folder is (from `lstat`, so a link is a link, not what it points to).
    enum Kind: Equatable { case file, folder, other }

    /// The store's own files at its top level that a backup copies (the anchors file is copied first, on its own).
    static let topLevelFiles: Set<String> = [AnchorFile.fileName, "token-usage.json", ReplayMarker.fileName]
    /// The folder of mail attachments, copied with every regular file under it.
    static let attachments = "attachments"

    /// Whether the entry at `relative` (to the store folder) of kind `kind` is copied as a file (`.file`), walked into
    /// (`.folder`), or left out.
    static func copies(_ relative: String, kind: Kind) -> Bool {
        switch kind {
        case .other: return false
        case .folder: return relative == attachments || relative.hasPrefix(attachments + "/")
        case .file: return topLevelFiles.contains(relative) || relative.hasPrefix(attachments + "/")
        }
    }

    /// The entries of `folder` a backup copies, relative to it, in path order: the regular files `copies` takes, in the
    /// folders it walks into.
    static func files(in folder: String) throws -> [String] {
        var out: [String] = []
        func walk(_ relative: String) throws {
            let absolute = relative.isEmpty ? folder : folder + "/" + relative
            for name in try FileManager.default.contentsOfDirectory(atPath: absolute) {
                let child = relative.isEmpty ? name : relative + "/" + name
                guard let kind = FileSystem.kind(of: folder + "/" + child), copies(child, kind: kind) else { continue }
                if kind == .folder { try walk(child) } else { out.append(child) }
            }
        }
        try walk("")
        return out.sorted()
    }
}

extension EventStore {
    /// Writes a backup into `destination` while other processes go on writing: the anchors file first, then a
    /// consistent, compacted copy of the LMDB store, then the store's other own files (``BackupSelection``: mail
    /// attachments — each is written before the event that refers to it, so all those the copied log refers to are
    /// there), then `MANIFEST.json` with the copied head and every file's size and SHA-256. Returns the manifest.
    ///
    /// `destination` must be missing or an empty folder; nothing is left half-written there. A missing one is
    /// written as a hidden folder beside it (`.NAME.partial-PID`, same file system) and renamed into place at the
    /// end (one that a killed backup left beside it is removed); an empty one (a mount point, say) gets a hidden
    /// folder inside it (`StagedFolder`), moved into place with the manifest last, and is emptied again on failure.
    /// Either way a backup killed half way leaves no folder that passes for one. The folders are 0700, the files 0600.
    @discardableResult
    public func backup(to destination: String) throws -> BackupManifest {
        if let replay, replay.isLinked {
            throw EventLogError(
                .readOnly,
                "the store at \(path) is \(replay.summary): it holds no log of its own; back up the live store, or make a "
                    + "standalone replay (docket replay --standalone) to keep a copy")
        }
        let cutShort = StagedFolder.leftOver(in: destination, completedBy: BackupManifest.fileName) != nil
        if try cutShort || FileSystem.isEmptyFolder(destination) {
            // Written in a hidden folder inside it and moved into place, the manifest last: a backup killed half way
            // leaves no folder that passes for one, and the same backup again clears what it left.
            let staged = try StagedFolder.begin(destination, completedBy: BackupManifest.fileName)
            do {
                let manifest = try writeBackup(into: staged.building)
                try staged.publish()
                return manifest
            } catch {
                staged.abandon()
                throw error
            }
        }
        let staging = FileSystem.stagingPath(beside: destination)
        FileSystem.removeLeftOverStaging(beside: destination)  // of backups to the same folder that were killed
        try FileSystem.prepareEmptyFolder(staging)
        do {
            let manifest = try writeBackup(into: staging)
            try FileSystem.rename(staging, to: destination)
            return manifest
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// The backup's files, written into the empty owner-only folder `folder`.
    private func writeBackup(into folder: String) throws -> BackupManifest {
        let manager = FileManager.default
        // Before the LMDB copy: an anchor is written after its commit, so none copied here is ahead of the log copied next.
        if FileSystem.kind(of: anchorsPath) == .file {
            try manager.copyItem(atPath: anchorsPath, toPath: folder + "/" + AnchorFile.fileName)
        }
        try environment.copy(to: folder, compact: true)
        for relative in try BackupSelection.files(in: path) where relative != AnchorFile.fileName {
            let target = folder + "/" + relative
            try manager.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            try manager.copyItem(atPath: path + "/" + relative, toPath: target)
        }
        var options = Environment.Options()
        options.readOnly = true
        let head = try EventStore(path: folder, options: options).head()
        var files: [BackupManifest.File] = []
        for relative in try BackupManifest.files(in: folder) where relative != "lock.mdb" {
            guard let digest = try BackupManifest.digest(of: folder + "/" + relative) else { continue }
            files.append(BackupManifest.File(path: relative, size: digest.size, sha256: digest.sha256))
        }
        try? manager.removeItem(atPath: folder + "/lock.mdb")
        let manifest = BackupManifest(
            format: BackupManifest.formatName, source: path, headPosition: head.position, headHash: head.hash.hex,
            headRecordedAt: head.recordedAt.iso8601, files: files)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: folder + "/" + BackupManifest.fileName))
        FileSystem.restrictFiles(in: folder)
        return manifest
    }

    /// Copies the files `manifest` lists from `backup` into `destination` (created owner-only; it must be missing
    /// or empty). Check the manifest first (`BackupManifest.check`); then open and verify the copy.
    public static func restoreFiles(_ manifest: BackupManifest, from backup: String, to destination: String) throws {
        try FileSystem.prepareEmptyFolder(destination)
        let manager = FileManager.default
        for file in manifest.files {
            let target = destination + "/" + file.path
            try manager.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            try manager.copyItem(atPath: backup + "/" + file.path, toPath: target)
        }
        FileSystem.restrictFiles(in: destination)
    }
}
