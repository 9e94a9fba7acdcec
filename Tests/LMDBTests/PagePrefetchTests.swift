import LMDB
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `PagePrefetch`: a scan asks for a page once, when it first lands on it, and the scans that use it read the same.
@Suite struct PagePrefetchTests {
    @Test func aPageIsPrefetchedOnceWhenAScanLandsOnIt() {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = UnsafeMutableRawPointer.allocate(byteCount: 3 * pageSize, alignment: pageSize)
        defer { pages.deallocate() }
        func value(page: Int, offset: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: pages + page * pageSize + offset, count: 16)
        }
        var prefetch = PagePrefetch()
        let landings = [
            value(page: 0, offset: pageSize - 500), value(page: 0, offset: pageSize - 1_000), value(page: 0, offset: 16),
            value(page: 1, offset: pageSize - 500), value(page: 2, offset: 0),
            // Back on a page landed on before (a scan never goes back; a new one may): asked for again.
            value(page: 0, offset: 16),
            UnsafeRawBufferPointer(start: nil, count: 0),
        ].map { prefetch.landed(on: $0) }
        #expect(landings == [true, false, false, true, true, true, false])
    }
}
