import DocketApp
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `docket export` writes, every write checked: a full disk, a file size limit or a closed pipe is one error line
/// (exit 73), never a crash with a backtrace, and `-o FILE` is written under a temporary name beside FILE
/// (`.FILE.partial-PID`, owner-only) and renamed to FILE only once complete, so a failed export leaves no file that
/// looks like an export but ends early (an export cut at a line's end imports without complaint). The temporary file a
/// killed export left is removed by the next export to the same FILE.
struct ExportOutput {
    private let descriptor: Int32
    /// For `-o`: the temporary file being written and the name it gets when complete.
    private let staged: (temporary: String, final: String)?
    /// What is written to, for messages: the file's name or `stdout`.
    private let name: String

    /// The process's stdout.
    static var standardOutput: ExportOutput { ExportOutput(descriptor: STDOUT_FILENO, staged: nil, name: "stdout") }

    /// A new owner-only file beside `path`, renamed to `path` by ``finish()``. A `path` that names a pipe, a device or
    /// a socket is written in place (renaming over it would put a regular file where the reader waits); a symbolic
    /// link is followed, and the file it names is the one replaced, so the link stays a link.
    static func file(_ path: String) throws -> ExportOutput {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw unwritable(path) }
            return ExportOutput(descriptor: descriptor, staged: nil, name: path)
        }
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        let prefix = ".\(url.lastPathComponent).partial-"
        removeLeftOvers(named: prefix, in: url.deletingLastPathComponent().path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(prefix + "\(getpid())").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw unwritable(path) }
        return ExportOutput(descriptor: descriptor, staged: (temporary, url.path), name: path)
    }

    /// Removes the temporary files `prefix` + PID in `folder` of exports that were killed (their process is gone).
    private static func removeLeftOvers(named prefix: String, in folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), !ScratchFolders.isRunning(pid) else { continue }
            unlink(folder + "/" + name)
        }
    }

    private static func unwritable(_ path: String) -> CLIError {
        CLIError.destination("cannot write \(path) (\(String(cString: strerror(errno)))); check the folder exists and is writable")
    }

    /// Writes all of `bytes`, or throws naming the destination and the system's reason.
    func append(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(errno)
                }
                offset += written
            }
        }
    }

    /// For `-o`: puts the file on the disk and gives it its name.
    func finish() throws {
        guard let staged else { return }
        guard fsync(descriptor) == 0 else { throw failure(errno) }
        close(descriptor)
        guard rename(staged.temporary, staged.final) == 0 else { throw failure(errno) }
    }

    /// For `-o` after a failure: the temporary file is removed, so nothing is left.
    func abandon() {
        guard let staged else { return }
        close(descriptor)
        unlink(staged.temporary)
    }

    private func failure(_ code: Int32) -> CLIError {
        let reason = String(cString: strerror(code))
        let fix = staged == nil ? "nothing usable was written; export to a disk with room (-o FILE)" : "nothing was written to it; free some space or give another -o"
        return CLIError.destination("cannot write the export to \(name) (\(reason)); \(fix)")
    }
}
