import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A store folder that a long operation (a replay, a restore) builds in a hidden folder inside it, `.building-PID`,
/// and then moves into place with its `data.mdb` last. Until that last rename the folder holds no `data.mdb`, so it is
/// no store: an operation killed half way (SIGKILL, Ctrl-C, out of memory) never leaves a folder that opens as one — not
/// a prefix of the log taken for a replay, nor a copy a restore had not verified yet. The next run into the same
/// folder clears what the killed one left (``leftOver(in:)``) and does the job.
public struct StagedFolder: Sendable {
    /// The folder the result goes to.
    public let destination: String
    /// The hidden folder it is built in, inside `destination`.
    public let building: String
    /// Whether `destination` was there before (it is kept, emptied, when the operation fails).
    let existed: Bool
    /// The file whose arrival makes `destination` what it is meant to be: `data.mdb` for a store, the manifest for a
    /// backup. It is moved last.
    let completedBy: String

    static let prefix = ".building-"

    /// Prepares `destination` (created owner-only when missing; else it must be an empty folder, or hold only what a
    /// killed run left, which is removed) and makes the hidden folder to build in.
    public static func begin(_ destination: String, completedBy: String = "data.mdb") throws -> StagedFolder {
        let existed = FileManager.default.fileExists(atPath: destination)
        if existed, leftOver(in: destination, completedBy: completedBy) != nil {
            FileSystem.removeContents(of: destination, andFolder: false)
        }
        try FileSystem.prepareEmptyFolder(destination)
        let staged = StagedFolder(
            destination: destination, building: destination + "/" + prefix + "\(getpid())", existed: existed, completedBy: completedBy)
        try FileSystem.prepareEmptyFolder(staged.building)
        return staged
    }

    /// Moves what was built into `destination`: every file but `completedBy` first, then that one (from then on the
    /// folder is a store, or a backup), then removes the hidden folder with any `lock.mdb` (LMDB makes one on the next
    /// open). A store built there must be closed by then.
    public func publish() throws {
        let manager = FileManager.default
        let names = try manager.contentsOfDirectory(atPath: building).filter { $0 != completedBy && $0 != "lock.mdb" }
        for name in names.sorted() + [completedBy] {
            try manager.moveItem(atPath: building + "/" + name, toPath: destination + "/" + name)
        }
        try manager.removeItem(atPath: building)
    }

    /// Removes what was built, and `destination` itself when the operation made it.
    public func abandon() {
        FileSystem.removeContents(of: destination, andFolder: !existed)
    }

    /// The hidden folders killed runs left in `path` (their names, comma-separated), when `path` holds no `completedBy`
    /// and one or more `.building-PID` folders, every one of a process that is gone: everything in `path` is then what
    /// those runs left (each started on an empty folder, or one holding only what runs before it left, and moves
    /// `completedBy` last). Nil otherwise (a store, an empty folder, someone else's files, a run still going).
    /// Several are left when a run is killed between moving `completedBy` into place and removing its emptied hidden
    /// folder, the folder is emptied by hand of everything but that hidden folder (`rm DEST/*` skips it), and the next
    /// run is killed half way: such a folder was refused for good as "not empty".
    public static func leftOver(in path: String, completedBy: String = "data.mdb") -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path), !names.contains(completedBy) else {
            return nil
        }
        let building = names.filter { $0.hasPrefix(prefix) }.sorted()
        let gone = building.allSatisfy { name in pid_t(name.dropFirst(prefix.count)).map { !ScratchFolders.isRunning($0) } ?? false }
        return !building.isEmpty && gone ? building.joined(separator: ", ") : nil
    }
}
