import DocketTime
import Domain
import Testing

@testable import DocketApp

/// The queue row's fold (`TicketSummary.apply`), event by event.
@Suite struct TicketSummaryFoldTests {
    static let opened = TicketOpened(
        number: TicketNumber.first, client: "acme", contact: nil, category: nil, priority: .p3, source: .portal,
        subject: "VPN", description: "")

    /// Watchers added in any order are kept sorted, each once (as sorting the list after every addition kept them).
    @Test(arguments: [["dora", "bob", "zed", "bob", "ann"], ["ann", "bob", "dora", "zed"], ["zed", "dora", "bob", "ann", "zed"]])
    func watchersStaySortedAndUnique(_ logins: [String]) {
        var row = TicketSummary(opened: Self.opened, at: Timestamp(millisecondsSinceEpoch: 1_000), position: 1)
        for (offset, login) in logins.enumerated() {
            row.apply(.watcherAdded(TicketWatcherAdded(login: login)), at: Timestamp(millisecondsSinceEpoch: 2_000), position: UInt64(offset + 2))
        }
        #expect(row.watchers == Array(Set(logins)).sorted())
        row.apply(.watcherRemoved(TicketWatcherRemoved(login: "bob")), at: Timestamp(millisecondsSinceEpoch: 3_000), position: 99)
        #expect(row.watchers == Array(Set(logins).subtracting(["bob"])).sorted())
        #expect(row.updatedAt == 3_000 && row.updatedPosition == 99 && row.openedPosition == 1)
    }
}
