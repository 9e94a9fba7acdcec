import Testing

@testable import LMDB

/// A damaged database's statistics can hold any counts (a flipped byte in its record): the sizes worked out from them
/// saturate, never trap (`DamagedStoreTests.randomFlipsAreReportedAndNeverCrash` once crashed `stats --read-models` on
/// an overflow in `pageBytes`; `EnvironmentTests.reservingMoreThanAnyMapGrowsItToItsMost` covers the map's reserve).
@Suite struct DamagedStatisticsTests {
    @Test func pageBytesSaturateAtTheLargestInt() {
        #expect(Transaction.pageBytes(pages: [1, 2, 3], pageSize: 4096) == 6 * 4096)
        #expect(Transaction.pageBytes(pages: [Int.max, 1, 0], pageSize: 4096) == .max)
        #expect(Transaction.pageBytes(pages: [1 << 60, 1 << 60], pageSize: 1) == 1 << 61)
        #expect(Transaction.pageBytes(pages: [1 << 52, 0, 0], pageSize: 4096) == .max)
        #expect(Transaction.pageBytes(pages: [-5, 2], pageSize: 4096) == 2 * 4096)
        #expect(Transaction.pageBytes(pages: [3], pageSize: -1) == 0)
    }
}
