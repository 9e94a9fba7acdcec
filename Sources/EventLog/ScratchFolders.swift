import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scratch folders the long operations make beside a store's files and remove when they end: a verify's rebuilt
/// models (`verify-scratch-PID`), a snapshot being written (`.taking-YYYY-MM-PID-N`), one being replaced
/// (`.replaced-YYYY-MM-PID`), `snapshot take`'s replay (`.scratch-PID`) and a server's as-of replays (`.as-of-PID`).
/// A process killed half way (kill -9, out of memory) leaves its folder behind, as big as the read models, unseen by
/// `stats` and `snapshot list`; the next run of such an operation removes those whose process is gone.
public enum ScratchFolders {
    /// Removes from `folder` every scratch folder named above whose process is gone; returns their names.
    @discardableResult
    public static func removeLeftOvers(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let gone = names.filter { name in owner(of: name).map { !isRunning($0) } ?? false }
        for name in gone { try? FileManager.default.removeItem(atPath: folder + "/" + name) }
        return gone
    }

    /// The process id in a scratch folder's name, nil for any other name.
    static func owner(of name: String) -> pid_t? {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        switch parts.first {
        case "verify"? where parts.count == 3 && parts[1] == "scratch": return pid_t(parts[2])
        case ".scratch"? where parts.count == 2: return pid_t(parts[1])
        case ".as"? where parts.count == 3 && parts[1] == "of": return pid_t(parts[2])
        case ".taking"? where parts.count == 5: return pid_t(parts[3])
        case ".replaced"? where parts.count == 4: return pid_t(parts[3])
        default: return nil
        }
    }

    /// Whether a process with this id is running (on this machine).
    public static func isRunning(_ pid: pid_t) -> Bool { pid > 0 && (kill(pid, 0) == 0 || errno == EPERM) }
}
