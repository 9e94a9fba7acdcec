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
            throw EventLogError(.corrupt, "\(folder) holds no \(fileName): it is not a backup made by docket backup")
        }
        guard let manifest = try? JSONDecoder().decode(BackupManifest.self, from: data), manifest.format == formatName else {
            throw EventLogError(.corrupt, "the backup manifest \(file) is damaged; use another backup")
        }
        return manifest
    }

    /// Checks every file the manifest lists: present, same size, same SHA-256; and no file it does not list.
    public func check(in folder: String) throws {
        for file in files {
            let digest = try BackupManifest.digest(of: folder + "/" + file.path)
            guard let digest, digest.size == file.size, digest.sha256 == file.sha256 else {
                let what = digest == nil ? "is missing" : "differs from the manifest (size or SHA-256)"
                throw EventLogError(.corrupt, "the backup \(folder) is damaged: \(file.path) \(what); use another backup")
            }
        }
        let listed = Set(files.map(\.path) + [BackupManifest.fileName])
        if let extra = try BackupManifest.files(in: folder).first(where: { !listed.contains($0) }) {
            throw EventLogError(.corrupt, "the backup \(folder) holds \(extra), which its manifest does not list; use another backup")
        }
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

extension EventStore {
    /// Files in a store folder that are not copied: LMDB's own (the data file is copied through LMDB), a
    /// verify's scratch store, and the read-model snapshots (derived from the log and taken again by
    /// `docket snapshot take` or the first replay after a restore; a backup stays the size of the log).
    static func isCopiedAsFile(_ relative: String) -> Bool {
        !["data.mdb", "lock.mdb", BackupManifest.fileName].contains(relative) && !relative.hasPrefix("verify-scratch-")
            && !relative.hasPrefix("snapshots/")
    }

    /// Writes a backup into `destination` (created owner-only; it must be missing or empty) while other processes
    /// go on writing: the anchors file first, then a consistent, compacted copy of the LMDB store, then every other
    /// file of the store folder (mail attachments: each is written before the event that refers to it, so all
    /// those the copied log refers to are there), then `MANIFEST.json` with the copied head and every file's size
    /// and SHA-256. Returns the manifest.
    @discardableResult
    public func backup(to destination: String) throws -> BackupManifest {
        if let replay, replay.isLinked {
            throw EventLogError(
                .readOnly,
                "the store at \(path) is \(replay.summary): it holds no log of its own; back up the live store, or make a "
                    + "standalone replay (docket replay --standalone) to keep a copy")
        }
        try FileSystem.prepareEmptyFolder(destination)
        let manager = FileManager.default
        // Before the LMDB copy: an anchor is written after its commit, so none copied here is ahead of the log copied next.
        if manager.fileExists(atPath: anchorsPath) {
            try manager.copyItem(atPath: anchorsPath, toPath: destination + "/" + AnchorFile.fileName)
        }
        try environment.copy(to: destination, compact: true)
        for relative in try BackupManifest.files(in: path) where Self.isCopiedAsFile(relative) && relative != AnchorFile.fileName {
            let target = destination + "/" + relative
            try manager.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            try manager.copyItem(atPath: path + "/" + relative, toPath: target)
        }
        var options = Environment.Options()
        options.readOnly = true
        let head = try EventStore(path: destination, options: options).head()
        var files: [BackupManifest.File] = []
        for relative in try BackupManifest.files(in: destination) where relative != "lock.mdb" {
            guard let digest = try BackupManifest.digest(of: destination + "/" + relative) else { continue }
            files.append(BackupManifest.File(path: relative, size: digest.size, sha256: digest.sha256))
        }
        try? manager.removeItem(atPath: destination + "/lock.mdb")
        let manifest = BackupManifest(
            format: BackupManifest.formatName, source: path, headPosition: head.position, headHash: head.hash.hex,
            headRecordedAt: head.recordedAt.iso8601, files: files)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: destination + "/" + BackupManifest.fileName))
        FileSystem.restrictFiles(in: destination)
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
