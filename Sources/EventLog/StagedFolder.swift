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

    /// Moves what was built into `destination`: every file but `completedBy` first; then that one to a hidden name
    /// beside them (`.building-PID.ready`), the hidden folder removed with any `lock.mdb` (LMDB makes one on the next
    /// open), and only then to its own name, the last step (from then on the folder is a store, or a backup). A run
    /// killed at any moment leaves either the finished folder with nothing hidden in it, or hidden names of its own
    /// that the next run clears (``leftOver(in:completedBy:)``): the hidden folder was removed after `completedBy` was
    /// in place, so a run killed between the two left it, empty, in a finished backup for good. A store built there
    /// must be closed by then.
    public func publish() throws {
        let manager = FileManager.default
        let names = try manager.contentsOfDirectory(atPath: building).filter { $0 != completedBy && $0 != "lock.mdb" }
        for name in names.sorted() {
            try manager.moveItem(atPath: building + "/" + name, toPath: destination + "/" + name)
        }
        let ready = building + Self.readySuffix
        try manager.moveItem(atPath: building + "/" + completedBy, toPath: ready)
        try manager.removeItem(atPath: building)
        try manager.moveItem(atPath: ready, toPath: destination + "/" + completedBy)
    }

    /// The suffix of the hidden name `completedBy` waits under while the hidden folder is removed.
    static let readySuffix = ".ready"

    /// Removes what was built, and `destination` itself when the operation made it.
    public func abandon() {
        FileSystem.removeContents(of: destination, andFolder: !existed)
    }

    /// The hidden names killed runs left in `path` (comma-separated), when `path` holds no `completedBy` and one or
    /// more `.building-PID` folders or `.building-PID.ready` files (``publish()``), every one of a process that is gone:
    /// everything in `path` is then what those runs left (each started on an empty folder, or one holding only what runs
    /// before it left, and moves `completedBy` to its name last). Nil otherwise (a store, an empty folder, someone else's
    /// files, a run still going). A run killed in its last steps leaves two names; an older docket's run killed after
    /// `completedBy` was in place left its empty hidden folder in the finished one, which `rm DEST/*` keeps (it skips
    /// hidden names) for the next run, killed half way, to add its own: such a folder was refused for good as "not
    /// empty".
    public static func leftOver(in path: String, completedBy: String = "data.mdb") -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path), !names.contains(completedBy) else {
            return nil
        }
        let building = names.filter { $0.hasPrefix(prefix) }.sorted()
        let gone = building.allSatisfy { name in
            var pid = name.dropFirst(prefix.count)
            if pid.hasSuffix(readySuffix) { pid = pid.dropLast(readySuffix.count) }
            return pid_t(pid).map { !ScratchFolders.isRunning($0) } ?? false
        }
        return !building.isEmpty && gone ? building.joined(separator: ", ") : nil
    }
}
