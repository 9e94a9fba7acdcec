@testable import DocketApp
import DocketTime
import Domain
import EventLog
import Foundation
import TestSupport
import Testing

/// Which events of which streams the queue folds: a ticket stream's by the stream's number, and an opening by its
/// payload's number even on a stream of the category whose name is no ticket number (an import's); nothing of other
/// streams.
@Suite struct QueueStreamsTests {
    static func opened(_ number: String) -> TicketEvent {
        .opened(TicketOpened(
            number: TicketNumber(number)!, client: "acme", contact: nil, category: nil, priority: .p3, source: .portal,
            subject: "Issue \(number)", description: ""))
    }

    static let assigned = TicketEvent.assigned(TicketAssigned(assignee: "bob", previousAssignee: nil))

    @Test func anOpeningOnAStreamWithoutANumberIsFoldedAndNothingElseOfIt() throws {
        let folder = TemporaryFolder()
        let queue = QueueProjection()
        let store = try EventStore(path: folder.child("store"), clock: ManualClock("2026-11-02T09:00:00Z"), projections: [queue])
        func append(_ stream: String, _ events: [TicketEvent]) throws {
            _ = try store.append(AppendRequest(stream: stream, expectedVersion: .any, events: events.map { NewEvent($0) }, actor: "ann"))
        }
        try append("ticket-imported", [Self.opened("T-1005"), Self.assigned])
        try append("ticket-T-1001", [Self.opened("T-1001"), Self.assigned])
        try append("client-T-1002", [Self.opened("T-1002")])
        for batchSize in [0, 1, 1_000] {
            if batchSize > 0 { try store.rebuild(["queue"], batchSize: batchSize) }
            let imported = try #require(try queue.summary(TicketNumber("T-1005")!, in: store))
            #expect(imported.assignee == nil && imported.updatedPosition == imported.openedPosition)
            #expect(try queue.summary(TicketNumber("T-1001")!, in: store)?.assignee == "bob")
            #expect(try queue.summary(TicketNumber("T-1002")!, in: store) == nil)
        }
    }
}
