import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Brings the pages a forward scan is about to read into the CPU's caches: the page of the value it lands on and the
/// page after it in the file, a whole page at a time, when it lands on a page it has not prefetched yet.
///
/// A scan of the log reads each record from the data file's mapping once, and the records that follow one another in
/// key order lie ~450 bytes apart, downwards in a page (LMDB lays a leaf's nodes from its end), so the CPU's own
/// prefetchers, which stop at a page's edge, barely learn the stride before the page ends: nearly every record
/// waited for memory on its own (the first load of its node in `mdb_cursor_get` was a fifth of `docket rebuild
/// alerts`' time on 10M events). Asked for at once, the page's 64 cache lines load side by side. The next page is a
/// guess: a log written in batches lays most of its leaves one after the other in the file (81 % of them in a store
/// seeded with 1M events); a wrong guess costs one page of memory bandwidth, and a prefetch never faults.
public struct PagePrefetch {
    private static let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
    /// The page size, read once per scan: the static behind it was a `swift_once` check on every record.
    private let pageSize: UInt
    private var lastPage: UInt = 0

    public init() { pageSize = PagePrefetch.pageSize }

    /// Prefetches the page `value` starts on and the next one, unless that page was the last one landed on (or the
    /// value has no bytes); returns whether it did.
    @discardableResult
    public mutating func landed(on value: UnsafeRawBufferPointer) -> Bool {
        guard let start = value.baseAddress else { return false }
        let page = UInt(bitPattern: start) & ~(pageSize - 1)
        guard page != lastPage else { return false }
        lastPage = page
        docket_prefetch(UnsafeRawPointer(bitPattern: page), 2 * Int(pageSize))
        return true
    }
}
