import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `data.mdb` is mapped, so a value LMDB hands back can be checked to lie inside the file before it is read.
///
/// LMDB trusts the sizes and offsets stored in its pages: one flipped bit in a node's size makes `mdb_get` return
/// a value running past the end of the file, and reading it is SIGBUS or SIGSEGV. A value must end inside the
/// mapped file; one that does not becomes `MDB_CORRUPTED` naming the database, never a read.
final class MapBounds: @unchecked Sendable {
    // @unchecked Sendable: `start` and `length` change only under `lock`.
    private let lock = ReadWriteLock()
    private var start: UInt = 0
    private var length: UInt = 0
    private let dataFile: String

    init(folder: String) {
        var resolved = folder
        if let real = realpath(folder, nil) {
            resolved = String(cString: real)
            free(real)
        }
        dataFile = resolved + "/data.mdb"
    }

    /// Finds the mapping again (after opening, and whenever the map size changes). Linux only; elsewhere no check.
    func refresh() {
        var found: (UInt, UInt)?
        #if os(Linux)
        if let file = fopen("/proc/self/maps", "r") {
            defer { fclose(file) }
            var line = [CChar](repeating: 0, count: 4096)
            while fgets(&line, Int32(line.count), file) != nil {
                let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.trimmingTrailingNewline
                guard text.hasSuffix(" " + dataFile) || text.hasSuffix("\t" + dataFile) else { continue }
                let range = text.prefix { $0 != " " }.split(separator: "-")
                guard range.count == 2, let low = UInt(range[0], radix: 16), let high = UInt(range[1], radix: 16) else { continue }
                found = (low, high - low)
                break
            }
        }
        #endif
        lock.lockExclusive()
        defer { lock.unlock() }
        (start, length) = found ?? (0, 0)
        if let (start, length) = found { FaultGuard.watchMap(start: start, length: length) }
    }

    /// LMDB checks page numbers against the last page, but not the 16-bit offsets and key sizes inside a page: a
    /// flipped bit there makes LMDB itself read up to 128 KiB past the page, and past the end of the file that is
    /// SIGBUS. Zeros after the last page turn such a read into garbage LMDB or Docket then reports. When less than
    /// half of `slack` is left past LMDB's last page, extends the file (never shrinks it) to `slack` bytes past it plus
    /// `headroom(end:)` (a hole: no block is written); called after each commit and when the map grows. Opening a store
    /// changes nothing (a replay promises the live store is left byte for byte as it was), so a file last written by
    /// an older Docket has no margin until its next commit.
    static let slack = 256 << 10

    /// What a padding leaves beyond `slack`: an eighth of the file, at most 32 MiB. Without it a bulk append or
    /// import whose commits each grow the file by more than half the slack (1,000 events of 373 bytes are ~400 KiB)
    /// extended the file after every commit — an `ftruncate` and a reopen of the file each time (201 of them for 200k
    /// events); with it, a few dozen for a file of a gigabyte.
    static func headroom(end: Int) -> Int { min(end / 8, 32 << 20) }

    #if os(Linux)
    static func padDataFile(_ handle: OpaquePointer, descriptor: Int32) {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        guard mdb_env_info(handle, &info) == 0, mdb_env_stat(handle, &stat) == 0 else { return }
        let end = (info.me_last_pgno + 1) * Int(stat.ms_psize)
        let wanted = min(info.me_mapsize, end + slack + headroom(end: end))
        var file = Glibc.stat()
        guard fstat(descriptor, &file) == 0, Int(file.st_size) < min(wanted, end + slack / 2) else { return }
        // LMDB's own descriptor may be read-only: open the file again for the one ftruncate.
        var path = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard readlink("/proc/self/fd/\(descriptor)", &path, path.count - 1) > 0 else { return }
        let writable = open(path, O_WRONLY | O_CLOEXEC)
        guard writable >= 0 else { return }
        defer { close(writable) }
        _ = ftruncate(writable, off_t(wanted))
    }
    #endif

    /// The bounds for a transaction about to begin: the mapping, cut at the data file's current size.
    func current(fileDescriptor: Int32, readOnly: Bool) -> ValueBounds {
        lock.lockShared()
        let (start, length) = (self.start, self.length)
        lock.unlock()
        guard length > 0 else { return .unchecked }
        var info = stat()
        guard fstat(fileDescriptor, &info) == 0 else { return .unchecked }
        let fileEnd = start + min(length, UInt(max(0, info.st_size)))
        return ValueBounds(start: start, mapEnd: start + length, fileEnd: fileEnd, readOnly: readOnly)
    }
}

/// The address range a transaction's values must lie in.
struct ValueBounds {
    let start: UInt
    let mapEnd: UInt
    let fileEnd: UInt
    /// A read transaction only ever sees pages of the file; a write transaction also sees its own dirty pages,
    /// which live on the heap, outside the map.
    let readOnly: Bool

    static let unchecked = ValueBounds(start: 0, mapEnd: 0, fileEnd: 0, readOnly: false)

    /// The bytes of `value`, or `MDB_CORRUPTED` from `call` when they run outside the file.
    @inline(__always)
    func checked(_ value: MDB_val, _ call: @autoclosure () -> String) throws(LMDBError) -> UnsafeRawBufferPointer {
        guard contains(value.mv_data, size: value.mv_size) else {
            throw LMDBError(code: .corrupted, call: call() + " (a stored size points past the end of the file)")
        }
        return value.buffer
    }

    /// True when `size` bytes at `address` may be read.
    @inline(__always)
    func contains(_ address: UnsafeMutableRawPointer?, size: Int) -> Bool {
        guard mapEnd > 0 else { return true }
        guard let address else { return size == 0 }
        let low = UInt(bitPattern: address)
        guard low >= start, low < mapEnd else { return !readOnly }
        let (high, overflow) = low.addingReportingOverflow(UInt(size))
        return !overflow && high <= fileEnd
    }
}

extension String {
    fileprivate var trimmingTrailingNewline: Substring { hasSuffix("\n") ? dropLast() : Substring(self) }
}
