@testable import EventLog
import Foundation
import Testing

/// `NameCounts` (the counts behind `stream-counts`): each name counted apart, whatever names share their hash.
@Suite struct NameCountsTests {
    /// Names of one length whose first and last eight bytes are the same hash alike and must still be told apart by
    /// their bytes; 100 of them grow the table past its first size; short names are counted too.
    @Test func namesThatHashAlikeAreCountedApart() {
        var counts = NameCounts()
        let names = (0..<100).map { "ticket.event-\(String(format: "%03d", $0))-changed" } + ["time", "mail", "a", ""]
        for (index, name) in names.enumerated() {
            for repeat_ in 0...(index % 3) {
                var name = name
                name.withUTF8 { counts.count($0, streams: repeat_ == 0 ? 1 : 0) }
            }
        }
        let sorted = counts.sorted()
        #expect(sorted.map { String(decoding: $0.name, as: UTF8.self) } == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for entry in sorted {
            let index = names.firstIndex(of: String(decoding: entry.name, as: UTF8.self))!
            #expect(entry.counts.events == UInt64(index % 3 + 1))
            #expect(entry.counts.streams == 1)
        }
    }
}
