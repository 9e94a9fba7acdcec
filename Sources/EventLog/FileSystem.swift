import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Makes everything under `folder` owner-only: folders 0700 (a folder of mode 0600 cannot be entered, even by its
    /// owner unless root: a backup's `attachments` was made so, and only root could restore it), regular files 0600.
    /// Links, sockets and the like keep their modes (a link's mode is its target's).
    static func restrictFiles(in folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let child = folder + "/" + name
            switch kind(of: child) {
            case .folder?:
                _ = chmod(child, 0o700)
                restrictFiles(in: child)
            case .file?: _ = chmod(child, 0o600)
            default: continue
            }
        }
    }

    /// What is at `path`, from `lstat` (a link is `.other`); nil when nothing is.
    static func kind(of path: String) -> BackupSelection.Kind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .folder
        default: return .other
        }
    }

    /// True when `path` is an empty folder, false when nothing is there; fails when it is anything else.
    static func isEmptyFolder(_ path: String) throws -> Bool {
        switch kind(of: path) {
        case nil: return false
        case .folder?:
            guard try FileManager.default.contentsOfDirectory(atPath: path).isEmpty else {
                throw EventLogError(.storeNotEmpty, "\(path) is not empty; give a new or empty folder")
            }
            return true
        default: throw EventLogError(.storeNotEmpty, "\(path) is a file; give a new or empty folder")
        }
    }

    /// A hidden folder beside `path` (same parent, so the same file system) to write into before renaming it to
    /// `path`: `.NAME.partial-PID`.
    static func stagingPath(beside path: String) -> String {
        var trimmed = path
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        let name = (trimmed as NSString).lastPathComponent
        let parent = (trimmed as NSString).deletingLastPathComponent
        return (parent.isEmpty ? "" : parent + "/") + ".\(name).partial-\(getpid())"
    }

    /// Removes the hidden folders beside `path` that ``stagingPath(beside:)`` named for processes that are gone.
    static func removeLeftOverStaging(beside path: String) {
        let mine = stagingPath(beside: path)
        let parent = (mine as NSString).deletingLastPathComponent
        let prefix = String((mine as NSString).lastPathComponent.dropLast("\(getpid())".count))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.isEmpty ? "." : parent)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), !ScratchFolders.isRunning(pid) else { continue }
            try? FileManager.default.removeItem(atPath: (parent.isEmpty ? "" : parent + "/") + name)
        }
    }

    /// Renames the folder `from` to `to` (which must be missing or an empty folder).
    static func rename(_ from: String, to: String) throws {
        #if canImport(Glibc)
        let result = Glibc.rename(from, to)
        #else
        let result = Darwin.rename(from, to)
        #endif
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            throw EventLogError(.storeNotEmpty, "cannot move the finished copy into \(to) (\(reason)); give a new or empty folder")
        }
    }

    /// What is wrong with the LMDB data file of the store at `folder` (`data.mdb`, or a link to it), or nil when it is a
    /// regular file or missing (a new store): LMDB would otherwise fail with its bare `mdb_env_open` error.
    static func dataFileProblem(in folder: String) -> String? {
        let file = folder + "/data.mdb"
        var info = stat()
        guard stat(file, &info) == 0 else {
            if errno == ENOENT, kind(of: file) == .other { return "\(file) is a link to nothing" }
            return nil
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "\(file) is a folder, not LMDB's data file"
        default: return "\(file) is not a regular file (a pipe, socket or device), not LMDB's data file"
        }
    }
}
