import Foundation
import LMDB
import Testing
import TestSupport

@testable import EventLog

/// `EventRouting`: a bulk fold calls a projection for exactly the events its `interest` includes — a stream that starts
/// with one of its prefixes (any, without prefixes) and one of its types (any, without types) — and every projection
/// without an interest for every event.
@Suite struct EventRoutingTests {
    /// A projection that only declares what it takes.
    final class Interested: Projection {
        let name: String
        let tables: [String] = []
        let interest: EventInterest?

        init(_ name: String, _ interest: EventInterest?) {
            (self.name, self.interest) = (name, interest)
        }

        func attach(_ tables: ReadModelTables) {}
        func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws {}
    }

    static func event(stream: String, type: String) -> RecordedEvent {
        RecordedEvent(
            position: 1, stream: stream, streamVersion: 1, type: type, schemaVersion: 1, eventId: UUID(), commandId: nil,
            actor: "ann", recordedAt: .init(millisecondsSinceEpoch: 0), payload: Array("{}".utf8), hash: .zero)
    }

    /// What each projection is meant to take, said plainly: the prefixes and types it names, by `hasPrefix` and `==`.
    static func takes(_ projection: Interested, _ stream: String, _ type: String) -> Bool {
        guard let interest = projection.interest else { return true }
        let prefixes = interest.streamPrefixes.map(\.description)
        let stream = prefixes.isEmpty || prefixes.contains { stream.utf8.starts(with: $0.utf8) }
        return stream && (interest.types?.contains(type) ?? true)
    }

    static let streams = [
        "ticket-T-1", "ticket-", "ticket", "tick", "", "time-TE-4", "time", "billing-INV-1", "billing-", "billin",
        "client-acme", "portal-c-1", "ticketing-x", "tïcket-T-1", "a-very-long-stream-name-past-eight-bytes", "-", "t",
    ]
    static let types = ["ticket.opened", "ticket.alert-received", "ticket.status-changed", "mail.sent", "", "x", "time.logged"]

    /// Short prefixes (compared as a word) and types, as Docket's models name them.
    @Test func eachProjectionGetsTheEventsItsInterestIncludes() {
        let projections = [
            Interested("all", nil),
            Interested("tickets", EventInterest(streamPrefixes: ["ticket-"])),
            Interested("time", EventInterest(streamPrefixes: ["time-"])),
            Interested("billing", EventInterest(streamPrefixes: ["ticket-", "billing-"])),
            Interested("alerts", EventInterest(types: EventTypes(["ticket.alert-received"]))),
            Interested("both", EventInterest(streamPrefixes: ["ticket-"], types: EventTypes(["ticket.opened", "mail.sent"]))),
            Interested("any", EventInterest()),
            Interested("eight", EventInterest(streamPrefixes: ["billing-", "t"])),
        ]
        check(projections)
    }

    /// A prefix of more than 8 bytes (compared byte for byte), an empty one, and non-ASCII streams.
    @Test func longAndEmptyPrefixesAreComparedByTheirBytes() {
        let projections = [
            Interested("long", EventInterest(streamPrefixes: ["a-very-long-stream"])),
            Interested("short", EventInterest(streamPrefixes: ["ticket-"])),
            Interested("empty", EventInterest(streamPrefixes: [""])),
            Interested("accent", EventInterest(streamPrefixes: ["tï"])),
        ]
        check(projections)
    }

    /// A projection that counts the events it is applied.
    final class Counting: Projection {
        let name: String
        let tables: [String] = []
        let interest: EventInterest?
        private(set) var applied: [String] = []

        init(_ name: String, _ interest: EventInterest?) {
            (self.name, self.interest) = (name, interest)
        }

        func attach(_ tables: ReadModelTables) {}
        func apply(_ event: RecordedEvent, in txn: borrowing Transaction) throws { applied.append(event.stream) }
    }

    /// An append (one request, and a batch of many in one transaction) applies each event to the projections whose
    /// interest takes it, as a bulk fold does; with `routesAppends` off, every projection gets every event.
    @Test(arguments: [true, false])
    func appendsApplyEachEventToTheProjectionsOfItsInterest(routes: Bool) throws {
        let folder = TemporaryFolder()
        let projections = [
            Counting("all", nil), Counting("tickets", EventInterest(streamPrefixes: ["ticket-"])),
            Counting("noted", EventInterest(types: EventTypes(["bench.noted"]))),
        ]
        let store = try EventStore(path: folder.child("store"), projections: projections)
        store.routesAppends = routes
        let event = { (type: String) in NewEvent(type: type, payload: Array("{}".utf8)) }
        try store.append(AppendRequest(stream: "ticket-T-1", events: [event("ticket.opened")], actor: "ann"))
        try store.append([
            AppendRequest(stream: "bench-1", events: [event("bench.noted"), event("bench.other")], actor: "ann"),
            AppendRequest(stream: "ticket-T-2", events: [event("bench.noted")], actor: "ann"),
        ])
        let all = ["ticket-T-1", "bench-1", "bench-1", "ticket-T-2"]
        #expect(projections[0].applied == all)
        #expect(projections[1].applied == (routes ? ["ticket-T-1", "ticket-T-2"] : all))
        #expect(projections[2].applied == (routes ? ["bench-1", "ticket-T-2"] : all))
    }

    func check(_ projections: [Interested], sourceLocation: SourceLocation = #_sourceLocation) {
        let routing = EventRouting(projections)
        var taken = 0
        for stream in Self.streams {
            for type in Self.types {
                let expected = projections.indices.reduce(UInt64(0)) {
                    Self.takes(projections[$1], stream, type) ? $0 | 1 << UInt64($1) : $0
                }
                let routed = routing.projections(for: Self.event(stream: stream, type: type))
                #expect(routed == expected, "\(stream) \(type)", sourceLocation: sourceLocation)
                taken += routed.nonzeroBitCount
            }
        }
        #expect(taken > 0, sourceLocation: sourceLocation)
    }
}
