import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The head of the log at a moment, as written to the `anchors` file: `POSITION HASH RECORDED-AT`.
/// A line `accepted POSITION HASH RECORDED-AT` records that an admin accepted a rollback to that head
/// (`docket verify --accept-rollback`): the anchors before it are no longer held against the log.
public struct Anchor: Sendable, Hashable {
    public let position: UInt64
    public let hash: Digest
    public let recordedAt: Timestamp
    /// True for an `accepted` line.
    public let isAcceptance: Bool

    public init(_ head: LogHead, isAcceptance: Bool = false) {
        self.init(position: head.position, hash: head.hash, recordedAt: head.recordedAt, isAcceptance: isAcceptance)
    }

    public init(position: UInt64, hash: Digest, recordedAt: Timestamp, isAcceptance: Bool = false) {
        (self.position, self.hash, self.recordedAt, self.isAcceptance) = (position, hash, recordedAt, isAcceptance)
    }

    /// Parses one line's UTF-8 bytes (without its newline); nil when it is not an anchor line. Fields are split on
    /// spaces, runs of them counting as one. Bytes, not `String`: every open reads the anchors file's tail, and
    /// `Character`-wise splitting cost ~40k instructions a line (~50M, 15 ms, for the 64 KiB tail).
    public init?(line: UnsafeRawBufferPointer) {
        var fields: [Range<Int>] = []
        var start: Int?
        for (index, byte) in line.enumerated() {
            if byte == UInt8(ascii: " ") {
                if let begun = start { fields.append(begun..<index) }
                start = nil
            } else if start == nil {
                guard fields.count < 4 else { return nil }
                start = index
            }
        }
        if let begun = start { fields.append(begun..<line.count) }
        let isAcceptance = fields.first.map { line[$0].elementsEqual("accepted".utf8) } ?? false
        if isAcceptance { fields.removeFirst() }
        guard fields.count == 3, let position = Self.decimal(UnsafeRawBufferPointer(rebasing: line[fields[0]])),
            let hash = UnsafeRawBufferPointer(rebasing: line[fields[1]]).withMemoryRebound(
                to: UInt8.self, { Digest(hexDigits: $0) }),
            let recordedAt = Timestamp(iso8601UTF8: UnsafeRawBufferPointer(rebasing: line[fields[2]]))
        else { return nil }
        (self.position, self.hash, self.recordedAt, self.isAcceptance) = (position, hash, recordedAt, isAcceptance)
    }

    /// Decimal digits only, without overflow; nil otherwise.
    private static func decimal(_ digits: UnsafeRawBufferPointer) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times10, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            value = sum
        }
        return value
    }

    /// The line, with its newline.
    public var line: String { (isAcceptance ? "accepted " : "") + "\(position) \(hash.hex) \(recordedAt.iso8601)\n" }
}

/// The append-only `anchors` file beside the LMDB files (see docs/security.md).
public enum AnchorFile {
    /// The file's name inside the store folder.
    public static let fileName = "anchors"

    /// Appends `anchor` to the file at `path` (created 0600) and, when `sync`, waits for it to reach the disk.
    ///
    /// A file that does not end in a newline ends in a line a crash cut short (its data reached the disk only in
    /// part): the anchor then starts on a line of its own, so the torn piece stays a line that does not parse (and is
    /// skipped) instead of running into this one (`12` + `2001 …` would read as position 122001).
    public static func append(_ anchor: Anchor, to path: String, sync: Bool = true) throws {
        var descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor < 0, errno == EACCES { descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC) }
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { close(descriptor) }
        var bytes = Array(anchor.line.utf8)
        // Only a file that can be read back is checked (not a write-only copy, a pipe or a device).
        let size = lseek(descriptor, 0, SEEK_END)
        var last = UInt8(ascii: "\n")
        if size > 0, pread(descriptor, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") {
            bytes.insert(UInt8(ascii: "\n"), at: 0)
        }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw failure("write", path) }
        if sync { try flush(descriptor, path) }
    }

    /// Waits for what was appended to the file at `path` without `sync` to reach the disk (one `fdatasync` for all
    /// of it: a bulk append's anchors, see `EventStore.syncAnchors()`). A missing file has nothing to wait for.
    public static func sync(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return }
            throw failure("open", path)
        }
        defer { close(descriptor) }
        try flush(descriptor, path)
    }

    private static func flush(_ descriptor: Int32, _ path: String) throws {
        #if canImport(Glibc)
        guard fdatasync(descriptor) == 0 else { throw failure("fdatasync", path) }
        #else
        guard fsync(descriptor) == 0 else { throw failure("fsync", path) }
        #endif
    }

    /// The anchors that still count, in file order: those after the last acceptance line (and it).
    /// A missing file has none; lines that do not parse (a write cut short by a crash) are skipped.
    public static func read(_ path: String) throws -> [Anchor] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EventLogError(.corrupt, "cannot read the anchors file \(path); check its permissions")
        }
        let anchors = parsedLines(Array(data), droppingFirst: false)
        guard let accepted = anchors.lastIndex(where: \.isAcceptance) else { return anchors }
        return Array(anchors[accepted...])
    }

    /// The anchor with the highest position among the last lines of the file (concurrent writers may append a
    /// few out of order), reading only its tail: this runs at every open, and the file grows by a line per commit.
    public static func latest(_ path: String, tail: Int = 64 << 10) throws -> Anchor? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            guard !FileManager.default.fileExists(atPath: path) else {
                throw EventLogError(.corrupt, "cannot read the anchors file \(path); check its permissions")
            }
            return nil
        }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let start = size > UInt64(tail) ? size - UInt64(tail) : 0
        try handle.seek(toOffset: start)
        let anchors = parsedLines(Array(try handle.readToEnd() ?? Data()), droppingFirst: start > 0)  // cut in the middle
        let counted = anchors.lastIndex(where: \.isAcceptance).map { Array(anchors[$0...]) } ?? anchors
        return counted.max { $0.position < $1.position }
    }

    /// The anchors of the non-empty lines of `bytes`, in order; lines that do not parse are skipped. With
    /// `droppingFirst` the first non-empty line is left out (a tail read from the middle of a line).
    private static func parsedLines(_ bytes: [UInt8], droppingFirst: Bool) -> [Anchor] {
        bytes.withUnsafeBytes { buffer in
            var anchors: [Anchor] = []
            var dropping = droppingFirst
            var start = 0
            while start < buffer.count {
                let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) ?? buffer.count
                if end > start {
                    if dropping {
                        dropping = false
                    } else if let anchor = Anchor(line: UnsafeRawBufferPointer(rebasing: buffer[start..<end])) {
                        anchors.append(anchor)
                    }
                }
                start = end + 1
            }
            return anchors
        }
    }

    private static func failure(_ call: String, _ path: String) -> EventLogError {
        EventLogError(.corrupt, "cannot \(call) the anchors file \(path): \(String(cString: strerror(errno)))")
    }
}

/// The transaction ids of LMDB's two meta pages, read from the data file itself.
///
/// LMDB writes commit `t` to meta page `t & 1`, so a sound file holds `t` and `t − 1` (or two zeros before
/// the first commit). LMDB opens whichever page has the higher id: when a damaged page breaks that pattern,
/// LMDB may have opened the *older* state, silently losing the last commit.
public struct MetaPages: Sendable, Equatable {
    public let txnids: (UInt64, UInt64)

    public static func == (lhs: MetaPages, rhs: MetaPages) -> Bool { lhs.txnids == rhs.txnids }

    /// Reads both meta pages of `dataFile`; nil when the file is too short to hold them or is not LMDB's.
    public static func read(_ dataFile: String) -> MetaPages? {
        guard let handle = FileHandle(forReadingAtPath: dataFile) else { return nil }
        defer { try? handle.close() }
        guard var head = try? handle.read(upToCount: 8192), head.count >= 4096 + 152 else { return nil }
        let declared = head.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 40, as: UInt32.self))) }
        if declared > 4096, declared <= 65_536, let more = try? handle.read(upToCount: declared + 152 - head.count) {
            head.append(more)
        }
        let bytes = Array(head)
        func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) } }
        func u32(_ offset: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) } }
        // The free database's `md_pad` in the first meta page holds the page size.
        var pageSize = Int(u32(40))
        if pageSize < 4096 || pageSize > 65_536 || pageSize & (pageSize - 1) != 0 || bytes.count < pageSize + 152 { pageSize = 4096 }
        // Not LMDB's (neither page holds its magic, 0xBEEFC0DE after the page header): no meta pages to judge; LMDB
        // itself then refuses the file as not a store.
        guard u32(16) == 0xBEEF_C0DE || u32(pageSize + 16) == 0xBEEF_C0DE else { return nil }
        return MetaPages(txnids: (u64(144), u64(pageSize + 144)))
    }

    /// The meta pages of `dataFile` as they stand, not torn by a commit: reading the two pages is not atomic, so a
    /// reader that another process's commits overtake between its copy of the first page and of the second sees ids
    /// no commit leaves behind (210 and 213: commits 211–213 landed in between). A read that looks rolled back is read
    /// again until two reads agree, or one looks sound; a damaged file reads the same every time.
    public static func readSettled(_ dataFile: String) -> MetaPages? {
        settled { read(dataFile) }
    }

    /// `readSettled` over `read` (tests): at most `attempts` reads.
    static func settled(attempts: Int = 8, _ read: () -> MetaPages?) -> MetaPages? {
        var last = read()
        for _ in 1..<max(attempts, 1) {
            guard let seen = last, !seen.isConsistent else { return last }
            let again = read()
            if again == seen { return seen }
            last = again
        }
        return last
    }

    /// True when the two ids are what LMDB's commits leave behind.
    public var isConsistent: Bool {
        let (first, second) = txnids
        if first == 0 && second == 0 { return true }
        let newer = max(first, second)
        let newerPage: UInt64 = first > second ? 0 : 1
        return newer - min(first, second) == 1 && newer & 1 == newerPage
    }
}
