import Foundation

/// The few file-system steps the log needs beyond LMDB's own.
enum FileSystem {
    /// Creates `path` owner-only when missing; fails when it exists and is not an empty folder.
    static func prepareEmptyFolder(_ path: String) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw EventLogError(.storeNotEmpty, "\(path) is a file; give a new or empty folder")
            }
            guard try manager.contentsOfDirectory(atPath: path).isEmpty else {
                throw EventLogError(.storeNotEmpty, "\(path) is not empty; give a new or empty folder")
            }
        } else {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
    }

    /// Makes every file in `folder` owner-only (0600).
    static func restrictFiles(in folder: String) {
        let manager = FileManager.default
        for name in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] {
            try? manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder + "/" + name)
        }
    }
}
