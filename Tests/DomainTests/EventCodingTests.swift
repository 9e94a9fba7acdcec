import DocketTime
@testable import Domain
import Foundation
import Testing

@Suite("Event coding")
struct EventCodingTests {
    @Test("every event round-trips through payload() and decode", arguments: EventSamples.all)
    func roundTrip(event: DocketEvent) throws {
        let payload = event.payload()
        let decoded = try DocketEvent.decode(
            type: event.eventType, schemaVersion: event.schemaVersion, payload: payload)
        #expect(decoded == event)
        #expect(decoded.payload() == payload, "canonical: encoding again gives the same bytes")
    }

    @Test func eachAggregateDecodesItsOwnEvents() throws {
        for event in EventSamples.tickets {
            #expect(try TicketEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
        }
        for event in EventSamples.clients {
            #expect(try ClientEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
        }
        for event in EventSamples.contracts {
            #expect(
                try ContractEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
        }
        for event in EventSamples.users {
            #expect(try UserEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
        }
        for event in EventSamples.templates {
            #expect(
                try TemplateEvent.decode(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
        }
    }

    @Test func samplesCoverTheWholeCatalogue() {
        let sampled = Set(EventSamples.all.map { "\($0.eventType).v\($0.schemaVersion)" })
        #expect(sampled == Set(EventCatalog.all.map(\.qualifiedName)))
    }

    @Test func catalogueTypesAreUniqueAndWellFormed() throws {
        let names = EventCatalog.all.map(\.qualifiedName)
        #expect(Set(names).count == names.count)
        let shape = try Regex("^(ticket|client|contract|user|template|calendar|sla-policy|routing|mail|time|invoice|token|hook|portal|schedule|notify|charge|follow-up|survey)\\.[a-z]+(-[a-z]+)*$")
        for entry in EventCatalog.all {
            #expect(entry.type.wholeMatch(of: shape) != nil, "\(entry.type)")
            #expect(entry.type.hasPrefix(entry.category + "."))
            #expect(entry.schemaVersion == 1)
            #expect(EventCatalog.descriptor(type: entry.type, schemaVersion: 1) == entry)
        }
        #expect(EventCatalog.all.count >= 64, "no released type is ever dropped")
        #expect(EventCatalog.all == DocketEvent.catalog)
    }

    /// The type strings already released are read forever (new ones may follow; none may be renamed).
    @Test func typeStringsAreFixed() {
        #expect(
            TicketEvent.catalog.map(\.qualifiedName).starts(with: [
                "ticket.opened.v1", "ticket.assigned.v1", "ticket.unassigned.v1", "ticket.priority-changed.v1",
                "ticket.category-changed.v1", "ticket.watcher-added.v1", "ticket.watcher-removed.v1",
                "ticket.commented.v1",
                "ticket.status-changed.v1", "ticket.merged.v1", "ticket.merge-received.v1", "ticket.closed.v1",
                "ticket.reopened.v1",
            ]))
        #expect(
            ClientEvent.catalog.map(\.type) == [
                "client.registered", "client.updated", "client.deactivated", "client.reactivated",
                "client.contact-added",
                "client.contact-updated", "client.contact-removed",
            ])
        #expect(ContractEvent.catalog.map(\.type) == ["contract.created", "contract.amended", "contract.ended"])
        #expect(
            UserEvent.catalog.map(\.type) == [
                "user.added", "user.role-changed", "user.deactivated", "user.reactivated", "user.cost-rate-set",
                "user.time-zone-set", "user.os-account-set", "user.kind-set",
            ])
        #expect(TemplateEvent.catalog.map(\.type) == ["template.added", "template.updated", "template.removed"])
        #expect(
            InvoiceEvent.catalog.map(\.type) == [
                "invoice.drafted", "invoice.finalized", "invoice.discarded", "invoice.voided", "invoice.number-issued",
            ])
    }

    /// One dispatch: every family's own decoding, ``DocketEvent``'s and ``EventCatalog`` agree on every type.
    @Test func theRegistryIsTheOneDispatch() throws {
        for family in DocketEvent.families {
            let types = family.catalog.map(\.type)
            #expect(Set(types).count == types.count)
        }
        for sample in EventSamples.all {
            let descriptor = try #require(EventCatalog.descriptor(type: sample.eventType, schemaVersion: sample.schemaVersion))
            #expect(descriptor.qualifiedName == "\(sample.eventType).v\(sample.schemaVersion)")
        }
        #expect(throws: EventDecodingError.self) { try DocketEvent.decode(type: "ticket.unheard-of", schemaVersion: 1, payload: Array("{}".utf8)) }
        let error = try #require(throws: EventDecodingError.self) {
            try TicketEvent.decode(type: "ticket.opened", schemaVersion: 2, payload: Array("{}".utf8))
        }
        #expect(error.reason == .unsupportedVersion)
    }

    @Test func payloadIsCanonicalJSON() {
        let opened = Fixture.opened()
        #expect(
            String(decoding: opened.payload(), as: UTF8.self)
                == #"{"category":"Network","client":"acme","contact":"c-1","description":"Since this morning","number":"T-1001","priority":"P3","source":"email","subject":"VPN down"}"#
        )
        let ended = ContractEvent.ended(
            ContractEnded(effectiveFrom: Timestamp(millisecondsSinceEpoch: 1_793_000_000_123)))
        #expect(String(decoding: ended.payload(), as: UTF8.self) == #"{"effectiveFrom":"2026-10-26T07:33:20.123Z"}"#)
        #expect(String(decoding: ClientEvent.deactivated(ClientDeactivated()).payload(), as: UTF8.self) == "{}")
        let status = TicketEvent.statusChanged(
            TicketStatusChanged(status: .waitingOnClient, previousStatus: .inProgress))
        #expect(
            String(decoding: status.payload(), as: UTF8.self)
                == #"{"previousStatus":"in-progress","status":"waiting-on-client"}"#)
    }

    @Test func timestampsWithOffsetsAreRead() throws {
        let payload = Array(#"{"effectiveFrom":"2026-01-01T01:00:00+01:00"}"#.utf8)
        let event = try ContractEvent.decode(type: "contract.ended", schemaVersion: 1, payload: payload)
        #expect(event == .ended(ContractEnded(effectiveFrom: Fixture.date(1, 1))))
    }

    @Test func unknownTypeIsAnError() throws {
        let error = try #require(throws: EventDecodingError.self) {
            try TicketEvent.decode(type: "ticket.exploded", schemaVersion: 1, payload: Array("{}".utf8))
        }
        #expect(error.reason == .unknownType)
        #expect(error.description.contains("ticket.exploded.v1"))
        #expect(throws: EventDecodingError.self) {
            try DocketEvent.decode(type: "invoice.issued", schemaVersion: 1, payload: Array("{}".utf8))
        }
        #expect(throws: EventDecodingError.self) {
            try ClientEvent.decode(type: "ticket.opened", schemaVersion: 1, payload: Fixture.opened().payload())
        }
    }

    @Test func unknownVersionIsAnError() throws {
        let error = try #require(throws: EventDecodingError.self) {
            try TicketEvent.decode(type: "ticket.closed", schemaVersion: 2, payload: Array(#"{"resolution":"x"}"#.utf8))
        }
        #expect(error.reason == .unsupportedVersion)
    }

    @Test(
        "malformed payloads are errors",
        arguments: [
            (type: "ticket.closed", payload: "{}"),
            (type: "ticket.opened", payload: #"{"number":"X-1"}"#),
            (type: "ticket.priority-changed", payload: #"{"priority":"P9","previousPriority":"P1"}"#),
            (type: "contract.ended", payload: #"{"effectiveFrom":"yesterday"}"#),
            (type: "user.added", payload: "not json"),
        ])
    func malformed(type: String, payload: String) throws {
        let error = try #require(throws: EventDecodingError.self) {
            try DocketEvent.decode(type: type, schemaVersion: 1, payload: Array(payload.utf8))
        }
        guard case .malformedPayload = error.reason else {
            Issue.record("expected malformedPayload, got \(error.reason)")
            return
        }
    }
}
