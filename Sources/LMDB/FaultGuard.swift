import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a fault inside liblmdb into one line on stderr and an exit status, instead of a crash (see `shim.h`).
///
/// liblmdb trusts the pages it walks: a flipped bit in a node's flags or in a page pointer can make it dereference
/// a wild pointer (SIGSEGV) before any check of Docket's can see the value. `PageCheck` finds such pages before the
/// commands that walk whole databases run; this guard covers every other command. A fault whose instruction lies in
/// liblmdb, or whose address lies in a data file's mapping, ends the process the way `kill -9` would (LMDB's commits
/// stay atomic, its lock is robust, a dead reader's slot is cleared at the next open); any other fault goes on to the
/// handler installed before (the Swift runtime's backtrace).
public enum FaultGuard {
    /// Installs the guard, or replaces its message. `message` is printed as it is (end it with a newline).
    /// Linux only; elsewhere nothing is installed.
    public static func install(message: String, status: Int32) {
        #if os(Linux)
        guard let code = liblmdbCode() else { return }
        docket_fault_install(code.low, code.high, message, status)
        #endif
    }

    /// The mapping of a data file, for faults in code reading it on LMDB's behalf (`memcpy`).
    static func watchMap(start: UInt, length: UInt) {
        #if os(Linux)
        docket_fault_set_map(UInt(start), UInt(start + length))
        #endif
    }

    /// The executable range of liblmdb in this process, from `/proc/self/maps`. Only the lines naming liblmdb are made
    /// strings: splitting each of the few hundred lines into `Character`s cost 7M instructions, a tenth of a
    /// `docket queue`.
    private static func liblmdbCode() -> (low: UInt, high: UInt)? {
        guard let file = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        var low = UInt.max, high: UInt = 0
        while fgets(&line, Int32(line.count), file) != nil {
            guard strstr(line, "liblmdb") != nil else { continue }
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1].hasPrefix("r-x"), fields[5].contains("liblmdb") else { continue }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16) else { continue }
            (low, high) = (min(low, start), max(high, end))
        }
        return high > 0 ? (low, high) : nil
    }
}
