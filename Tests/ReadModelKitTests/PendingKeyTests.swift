import Testing

@testable import ReadModelKit

/// The keys a `RowTable` keeps its folded rows under (`PendingKey`): a number is hashed by a mix of its bits and the
/// dictionary's seed, any other key as it hashes itself; a table finds every row it keeps, under numbers far apart or
/// next to each other.
@Suite struct PendingKeyTests {
    typealias NumberKey = RowTable<UInt64, Int, Int>.PendingKey
    typealias TextKey = RowTable<String, Int, Int>.PendingKey

    @Test func aNumberHashesTheSameForOneSeedAndDifferentlyForAnother() {
        for number: UInt64 in [0, 1, 2, 1_000_003, .max] {
            #expect(NumberKey(number)._rawHashValue(seed: 7) == NumberKey(number)._rawHashValue(seed: 7))
            #expect(NumberKey(number)._rawHashValue(seed: 7) != NumberKey(number)._rawHashValue(seed: 8))
            // Not SipHash's value: the mix, not `Hasher`, hashes numbers.
            #expect(NumberKey(number)._rawHashValue(seed: 7) != number._rawHashValue(seed: 7))
        }
        // Neighbouring numbers do not land in neighbouring buckets (the mix spreads them over the low bits a
        // dictionary's buckets use), and fill about as many of 4,096 buckets as random hashes would (~2,590).
        let low = (0..<4_097 as Range<UInt64>).map { NumberKey($0)._rawHashValue(seed: 0) & 0xFFF }
        let neighbours = zip(low, low.dropFirst()).filter { ($1 - $0) & 0xFFF == 1 }.count
        #expect(neighbours < 20, "\(neighbours) neighbours in neighbouring buckets")
        #expect(Set(low).count > 2_400, "\(Set(low).count) of 4,096 buckets")
    }

    @Test func anotherKeyHashesItself() {
        #expect(TextKey("T-1")._rawHashValue(seed: 3) == "T-1"._rawHashValue(seed: 3))
        #expect(TextKey("T-1") == TextKey("T-1") && TextKey("T-1") != TextKey("T-2"))
    }

    @Test func aDictionaryFindsEveryNumberItKeeps() {
        var kept: [NumberKey: Int] = [:]
        let numbers = (0..<20_000 as Range<UInt64>).map { $0 * 7_919 % 100_003 } + [.max, 0x8000_0000_0000_0000]
        for (index, number) in numbers.enumerated() { kept[NumberKey(number)] = index }
        #expect(kept.count == numbers.count)
        for (index, number) in numbers.enumerated() { #expect(kept[NumberKey(number)] == index) }
        #expect(kept[NumberKey(100_004)] == nil)
    }
}
