import Domain
import EventLog
import Foundation
import LMDB

/// The ticket event the queue or sla projection decoded last. The store applies each event to every
/// projection in turn, so the second of the two finds the first one's `TicketChange` here and the payload
/// (a `ticket.sla-started` one carries a whole calendar) is decoded once between them; a `ticket.sla-started`
/// whose terms were seen before is not decoded at all (`SLATermsCache`).
/// `TicketChange` is a pure function of an event's type, schema version and payload, so a hit requires all
/// three to be equal (the payload comparison is a pointer check when it is the same event).
final class LastTicketChange: @unchecked Sendable {
    // @unchecked Sendable: every access to `last` takes `lock`.
    static let shared = LastTicketChange()

    private let lock = NSLock()
    private var last: (type: String, schemaVersion: UInt16, payload: [UInt8], change: TicketChange, terms: Digest?)?

    private func hit(_ event: RecordedEvent) -> (change: TicketChange, terms: Digest?)? {
        lock.withLock {
            guard let last, last.schemaVersion == event.schemaVersion, last.type == event.type,
                last.payload == event.payload
            else { return nil }
            return (last.change, last.terms)
        }
    }

    /// `TicketChange(event)`, decoded at most once for consecutive calls with the same event.
    func change(of event: RecordedEvent) throws -> TicketChange {
        if let hit = hit(event) { return hit.change }
        let change: TicketChange
        var terms: Digest?
        if event.type == TicketSLAStarted.descriptor.type {
            let (started, digest) = try SLATermsCache.shared.started(event)
            change = .sla(.started(started))
            terms = digest
        } else {
            change = try TicketChange(event)
        }
        lock.withLock { last = (event.type, event.schemaVersion, event.payload, change, terms) }
        return change
    }

    /// The content digest of the terms of a `ticket.sla-started` event (see `SLATerms`); nil when they are not shared.
    func termsDigest(of event: RecordedEvent) -> Digest? {
        if let hit = hit(event) { return hit.terms }
        return SLATerms.content(schemaVersion: event.schemaVersion, payload: event.payload)?.digest
    }
}
