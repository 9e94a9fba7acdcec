import DocketTime
import Domain
import EventLog
import Foundation
import ReadModelKit

/// The payloads of the commonest events, read with `CanonicalJSONReader` instead of `JSONDecoder`: a rebuild or a
/// replay folds every `ticket.opened`, `ticket.assigned`, `ticket.status-changed`, `ticket.commented`,
/// `ticket.closed`, `time.logged`, `time.corrected`, `time.voided` and `invoice.finalized` of the log, and `JSONDecoder` costs several
/// microseconds for each (Benchmarks/README.md).
///
/// It answers only for a payload it reads exactly as `JSONDecoder` would: schema version 1, a JSON object with each
/// known key at most once, no other key, every required key present, every value of the right kind, nothing after the
/// object. For anything else it answers nil and the caller decodes as before (which also gives the error, if any), so
/// it never changes what a fold sees (`RowCodecTests` compares both on every sample and on edge cases).
enum FastPayloads {
    /// The ticket event of `type` in `payload`, or nil (decode it with `TicketEvent.decode`).
    static func ticketEvent(type: String, schemaVersion: UInt16, payload: [UInt8]) -> TicketEvent? {
        ticketEvent(TicketType(type), schemaVersion: schemaVersion, payload: payload, texts: .read)
    }

    /// Whether the free texts of a ticket event — a `ticket.opened`'s description, a `ticket.commented`'s text and mail
    /// subject — are read, or checked to be strings and left empty (the subject nil): no fold reads them (queue, sla
    /// and billing keep neither), and they are the longest strings of the commonest events.
    enum Texts { case read, skip }

    /// The ticket event of `type` in `payload`, or nil; with `texts` `.skip` the texts no fold reads are empty.
    static func ticketEvent(_ type: TicketType, schemaVersion: UInt16, payload: [UInt8], texts: Texts) -> TicketEvent? {
        guard schemaVersion == 1 else { return nil }
        return payload.withUnsafeBytes { bytes -> TicketEvent? in
            var reader = CanonicalJSONReader(bytes)
            let event: TicketEvent?
            switch type {
            // Each reader returns its event, its strings moved into it (`take()`) rather than bound as copies (a retain
            // and a release each).
            case .opened: event = try? opened(&reader, texts)
            case .assigned: event = try? assigned(&reader)
            case .statusChanged: event = try? statusChanged(&reader).map(TicketEvent.statusChanged)
            case .commented: event = try? commented(&reader, texts).map(TicketEvent.commented)
            case .closed: event = try? closed(&reader)
            case .slaStarted, .other: return nil
            }
            return reader.offset == bytes.count ? event : nil
        }
    }

    /// The statuses of a `ticket.status-changed` payload (what `ticketEvent` reads of it), or nil.
    static func statusChange(schemaVersion: UInt16, payload: [UInt8]) -> TicketStatusChanged? {
        whole(schemaVersion, payload) { try statusChanged(&$0) }
    }

    /// The visibility of a `ticket.commented` payload, its text checked to be a string and not made (what `ticketEvent`
    /// reads of it with texts skipped), or nil.
    static func commentVisibility(schemaVersion: UInt16, payload: [UInt8]) -> CommentVisibility? {
        whole(schemaVersion, payload) { try commented(&$0, .skip)?.visibility }
    }

    /// What `read` reads of `payload` when the payload is of schema version 1 and `read` reads it to its last byte.
    private static func whole<Value>(
        _ schemaVersion: UInt16, _ payload: [UInt8], _ read: (inout CanonicalJSONReader) throws -> Value?
    ) -> Value? {
        guard schemaVersion == 1 else { return nil }
        return payload.withUnsafeBytes { bytes -> Value? in
            var reader = CanonicalJSONReader(bytes)
            guard let value = try? read(&reader), reader.offset == bytes.count else { return nil }
            return value
        }
    }

    /// The ticket event types this reader tells apart, known by their bytes: matching a type against each name in turn
    /// compared strings (some 75 instructions each, up to six a ticket event).
    enum TicketType: Equatable {
        case opened, assigned, statusChanged, commented, closed
        /// `ticket.sla-started` (read by `SLATermsCache`, not here).
        case slaStarted
        case other

        init(_ type: String) {
            self = type.utf8.withContiguousStorageIfAvailable { TicketType($0) } ?? TicketType(slow: type)
        }

        private init(_ utf8: UnsafeBufferPointer<UInt8>) {
            func `is`(_ name: StaticString) -> Bool {
                utf8.count == name.utf8CodeUnitCount && memcmp(utf8.baseAddress!, name.utf8Start, utf8.count) == 0
            }
            switch utf8.count {
            case 13: self = `is`("ticket.opened") ? .opened : `is`("ticket.closed") ? .closed : .other
            case 15: self = `is`("ticket.assigned") ? .assigned : .other
            case 16: self = `is`("ticket.commented") ? .commented : .other
            case 18: self = `is`("ticket.sla-started") ? .slaStarted : .other
            case 21: self = `is`("ticket.status-changed") ? .statusChanged : .other
            default: self = .other
            }
        }

        /// A type whose bytes are not contiguous (a bridged string): compared as strings.
        private init(slow type: String) {
            var type = type
            self = type.withUTF8 { TicketType($0) }
        }
    }

    /// The time event of `type` in `payload` — `time.corrected` or `time.voided` (a `time.logged` is read straight
    /// into its entry: `loggedEntry`) — or nil (decode it with `TimeEvent.decode`).
    static func timeEvent(type: String, schemaVersion: UInt16, payload: [UInt8]) -> TimeEvent? {
        guard schemaVersion == 1 else { return nil }
        return payload.withUnsafeBytes { bytes -> TimeEvent? in
            var reader = CanonicalJSONReader(bytes)
            let event: TimeEvent?
            switch type {
            case "time.corrected": event = try? timeCorrected(&reader).map(TimeEvent.corrected)
            case "time.voided": event = try? timeVoided(&reader).map(TimeEvent.voided)
            default: return nil
            }
            return reader.offset == bytes.count ? event : nil
        }
    }

    /// The entry the `time.logged` in `payload` logs (`TimeEntryState(logged:)`), when `type` is that, or nil (any
    /// other type, or decode it with `TimeEvent.decode`): the fold's commonest time event, read straight into the entry
    /// (a `TimeLogged` in a `TimeEvent`, unwrapped, copied into the entry and destroyed, cost some 800 instructions an
    /// event more).
    static func loggedEntry(type: String, schemaVersion: UInt16, payload: [UInt8]) -> TimeEntryState? {
        guard schemaVersion == 1, type == TimeLogged.descriptor.type else { return nil }
        return payload.withUnsafeBytes { bytes -> TimeEntryState? in
            var reader = CanonicalJSONReader(bytes)
            let entry = try? loggedEntry(&reader)
            return reader.offset == bytes.count ? entry : nil
        }
    }

    /// The stored row of the entry the `time.logged` in `payload` logs, with `position` (what `loggedEntry` answers, its
    /// position set, written by `TimeProjection.codec`: the same bytes), written straight from the payload's bytes —
    /// when `type` is that, the entry id is not empty and every string is valid UTF-8 without escapes (its bytes are
    /// then those of the string `loggedEntry` makes). Nil otherwise: read it with `loggedEntry`.
    static func loggedRow(type: String, schemaVersion: UInt16, payload: [UInt8], position: UInt64) -> TimeRow? {
        guard schemaVersion == 1, type == TimeLogged.descriptor.type else { return nil }
        return payload.withUnsafeBytes { bytes -> TimeRow? in
            var reader = CanonicalJSONReader(bytes)
            var entryId, ticket, tech, workType, startedAt, note: UnsafeRawBufferPointer?
            var minutes: Int?, billable: Bool?
            do {
                try members(&reader, ["billable", "entryId", "minutes", "note", "startedAt", "tech", "ticket", "workType"]) {
                    index, reader in
                    switch index {
                    case 0: billable = try reader.bool()
                    case 1: entryId = try utf8(&reader)
                    case 2: minutes = Int(exactly: try reader.int())
                    case 3: note = reader.null() ? nil : try utf8(&reader)
                    case 4: startedAt = try utf8(&reader)
                    case 5: tech = try utf8(&reader)
                    case 6: ticket = try utf8(&reader)
                    default: workType = try utf8(&reader)
                    }
                }
            } catch {
                return nil
            }
            guard reader.offset == bytes.count, let entryId, !entryId.isEmpty, let ticket, let tech, let minutes, let workType,
                let billable, let startedAt
            else { return nil }
            // The fields in the order of `TimeProjection.write`, as `RowWriter` writes them, straight into the row's one
            // array (through `RowWriter`, each field was appended on its own: some 500 instructions a row more).
            let texts = entryId.count + ticket.count + tech.count + workType.count + startedAt.count + (note?.count ?? 0)
            // Room: the texts, a varint for each of 8 numbers and lengths, and 5 single bytes.
            let bytes = [UInt8](unsafeUninitializedCapacity: texts + 8 * RowWriter.varintRoom + 5) { buffer, count in
                var next = buffer.baseAddress.unsafelyUnwrapped
                func byte(_ value: UInt8) {
                    next.pointee = value
                    next += 1
                }
                func uint(_ value: UInt64) { next = RowWriter.write(varint: value, at: next) }
                func text(_ utf8: UnsafeRawBufferPointer) {
                    uint(UInt64(utf8.count))
                    guard let source = utf8.baseAddress else { return }
                    UnsafeMutableRawPointer(next).copyMemory(from: source, byteCount: utf8.count)
                    next += utf8.count
                }
                byte(TimeProjection.codec.format)
                text(entryId)
                text(ticket)
                text(tech)
                uint(RowWriter.zigZag(Int64(minutes)))
                text(workType)
                byte(billable ? 1 : 0)
                text(startedAt)
                // An optional: its marker (1: a value follows), then the value.
                if let note {
                    byte(1)
                    text(note)
                } else {
                    byte(0)
                }
                byte(0)  // voided
                byte(1)
                uint(position)
                count = next - buffer.baseAddress.unsafelyUnwrapped
            }
            return TimeRow(bytes: bytes)
        }
    }

    /// The bytes of the string at `reader` when they are the UTF-8 of the string `reader.string()` makes: no escapes,
    /// valid UTF-8 (ill-formed bytes would be repaired); `NotHandled` otherwise.
    private static func utf8(_ reader: inout CanonicalJSONReader) throws -> UnsafeRawBufferPointer {
        guard let plain = try reader.plainString(), TextBytes.areASCII(plain) || String(validating: plain, as: UTF8.self) != nil
        else { throw NotHandled() }
        return plain
    }

    /// The invoice event of `type` in `payload` — `invoice.finalized` (one per invoice a billing run finalizes) — or nil
    /// (decode it with `InvoiceEvent.decode`).
    static func invoiceEvent(type: String, schemaVersion: UInt16, payload: [UInt8]) -> InvoiceEvent? {
        guard schemaVersion == 1, type == InvoiceFinalized.descriptor.type else { return nil }
        return payload.withUnsafeBytes { bytes -> InvoiceEvent? in
            var reader = CanonicalJSONReader(bytes)
            let event = try? invoiceFinalized(&reader).map(InvoiceEvent.finalized)
            return reader.offset == bytes.count ? event : nil
        }
    }

    /// A key that no case of this reader knows, or one seen twice: decode with `JSONDecoder`.
    private struct NotHandled: Error {}

    /// Reads the object at `reader`, calling `body` with the index in `names` of each member's key (each at most
    /// once; an unknown key or a repeat is `NotHandled`). `names` are listed in the order Docket writes them (sorted):
    /// the next key is then most often the name after the last one read, or after one that is absent, and is matched
    /// where it stands (`takeKey`: a few byte comparisons); any other is read and looked up (`nextKey`: some 160
    /// instructions, and a comparison with each name).
    private static func members(
        _ reader: inout CanonicalJSONReader, _ names: [StaticString], _ body: (Int, inout CanonicalJSONReader) throws -> Void
    ) throws {
        var seen = 0
        var next = 0
        try reader.beginObject()
        while true {
            // The closing brace right there (as Docket writes): the object ends, no key looked for.
            if reader.takeEndOfObject() { return }
            var index = next
            while index < names.count, !reader.takeKey(names[index]) { index += 1 }
            if index == names.count {
                guard let key = try reader.nextKey() else { return }
                guard let found = names.firstIndex(where: { CanonicalJSONReader.key(key, is: $0) }) else { throw NotHandled() }
                index = found
            }
            guard seen & (1 << index) == 0 else { throw NotHandled() }
            seen |= 1 << index
            try body(index, &reader)
            next = index + 1
        }
    }

    private static func optionalString(_ reader: inout CanonicalJSONReader) throws -> String? {
        reader.null() ? nil : try reader.string()
    }

    /// The case of `E` whose raw value the string at `reader` is, matched on its bytes in `cases` (`E(rawValue:)` of a
    /// string made for it compared the string with each raw value: some 300 instructions for a priority).
    private static func value<E>(_ reader: inout CanonicalJSONReader, _ cases: RawValues<E>) throws -> E {
        guard let plain = try reader.plainString() else {
            guard let value = E(rawValue: try reader.string()) else { throw NotHandled() }
            return value
        }
        guard let value = cases.value(plain) else { throw NotHandled() }
        return value
    }

    /// The cases of a string enumeration by the bytes of their raw values, made once (`UTF8Lookup`): a value is matched
    /// by its length and one `memcmp`, some 80 instructions (the raw values made anew for each value read, from
    /// `allCases`, cost some 330 a status).
    struct RawValues<E: RawRepresentable & CaseIterable & Sendable>: Sendable where E.RawValue == String {
        private let cases = UTF8Lookup(E.allCases.map { (key: $0.rawValue, value: $0) })

        /// The case whose raw value is `plain`, byte for byte, or nil.
        func value(_ plain: UnsafeRawBufferPointer) -> E? { cases.value(plain) }
    }

    private static let priorities = RawValues<Priority>()
    private static let sources = RawValues<TicketSource>()
    private static let statuses = RawValues<TicketStatus>()
    private static let visibilities = RawValues<CommentVisibility>()

    /// A string the caller reads, or (`texts` `.skip`) one it does not: checked to be a string, left empty.
    private static func text(_ reader: inout CanonicalJSONReader, _ texts: Texts) throws -> String {
        if texts == .read { return try reader.string() }
        guard try reader.skipString() else { throw NotHandled() }
        return ""
    }

    private static func opened(_ reader: inout CanonicalJSONReader, _ texts: Texts) throws -> TicketEvent? {
        var number: TicketNumber?, client: String?, contact: String?, category: String?, priority: Priority?
        var source: TicketSource?, subject: String?, description: String?
        try members(&reader, ["category", "client", "contact", "description", "number", "priority", "source", "subject"]) {
            index, reader in
            switch index {
            case 0: category = try optionalString(&reader)
            case 1: client = try reader.string()
            case 2: contact = try optionalString(&reader)
            case 3: description = try text(&reader, texts)
            // Read from its bytes, no string made (one with escapes is made and parsed).
            case 4:
                if let plain = try reader.plainString() { number = TicketNumber(utf8: plain) } else { number = TicketNumber(try reader.string()) }
            case 5: priority = try value(&reader, priorities)
            case 6: source = try value(&reader, sources)
            default: subject = try reader.string()
            }
        }
        // The strings moved into the event (`take()`), not bound as copies.
        guard let number, let priority, let source, let client = client.take(), let subject = subject.take(),
            let description = description.take()
        else { return nil }
        return .opened(TicketOpened(
            number: number, client: client, contact: contact.take(), category: category.take(), priority: priority,
            source: source, subject: subject, description: description))
    }

    private static func loggedEntry(_ reader: inout CanonicalJSONReader) throws -> TimeEntryState? {
        var entryId: String?, ticket: String?, tech: String?, minutes: Int?, workType: String?, billable: Bool?
        var startedAt: String?, note: String?
        try members(&reader, ["billable", "entryId", "minutes", "note", "startedAt", "tech", "ticket", "workType"]) { index, reader in
            switch index {
            case 0: billable = try reader.bool()
            case 1: entryId = try reader.string()
            case 2: minutes = Int(exactly: try reader.int())
            case 3: note = try optionalString(&reader)
            case 4: startedAt = try reader.string()
            case 5: tech = try reader.string()
            case 6: ticket = try reader.string()
            default: workType = try reader.string()
            }
        }
        guard let entryId, let ticket, let tech, let minutes, let workType, let billable, let startedAt else { return nil }
        return TimeEntryState(
            entryId: entryId, ticket: ticket, tech: tech, minutes: minutes, workType: workType, billable: billable,
            startedAt: startedAt, note: note, voided: false)
    }

    private static func timeCorrected(_ reader: inout CanonicalJSONReader) throws -> TimeCorrected? {
        var minutes: Int?, workType: String?, billable: Bool?, startedAt: String?, note: String?, reason: String?
        try members(&reader, ["billable", "minutes", "note", "reason", "startedAt", "workType"]) { index, reader in
            switch index {
            case 0: billable = reader.null() ? nil : try reader.bool()
            case 1: minutes = reader.null() ? nil : Int(exactly: try reader.int())
            case 2: note = try optionalString(&reader)
            case 3: reason = try reader.string()
            case 4: startedAt = try optionalString(&reader)
            default: workType = try optionalString(&reader)
            }
        }
        return reason.map {
            TimeCorrected(minutes: minutes, workType: workType, billable: billable, startedAt: startedAt, note: note, reason: $0)
        }
    }

    private static func timeVoided(_ reader: inout CanonicalJSONReader) throws -> TimeVoided? {
        var reason: String?
        try members(&reader, ["reason"]) { _, reader in reason = try reader.string() }
        return reason.map(TimeVoided.init)
    }

    private static func invoiceFinalized(_ reader: inout CanonicalJSONReader) throws -> InvoiceFinalized? {
        var invoice: String?, number: String?, finalizedAt: String?, billTo: BillTo?
        try members(&reader, ["billTo", "finalizedAt", "invoice", "number"]) { index, reader in
            switch index {
            case 0: billTo = reader.null() ? nil : try Self.billTo(&reader)
            case 1: finalizedAt = try reader.string()
            case 2: invoice = try reader.string()
            default: number = try reader.string()
            }
        }
        guard let invoice, let number, let finalizedAt else { return nil }
        return InvoiceFinalized(invoice: invoice, number: number, finalizedAt: finalizedAt, billTo: billTo)
    }

    /// The `billTo` object of `invoice.finalized`: every member `BillTo`'s `Codable` reads, nothing else.
    private static func billTo(_ reader: inout CanonicalJSONReader) throws -> BillTo {
        var name: String?, address: [String]?, taxId: String?, purchaseOrders: [String]?
        try members(&reader, ["address", "name", "purchaseOrders", "taxId"]) { index, reader in
            switch index {
            case 0: address = reader.null() ? nil : try strings(&reader)
            case 1: name = try reader.string()
            case 2: purchaseOrders = reader.null() ? nil : try strings(&reader)
            default: taxId = try optionalString(&reader)
            }
        }
        guard let name else { throw NotHandled() }
        // Member by member, as `JSONDecoder` sets them (the initializer would drop an empty list).
        var billTo = BillTo(name: name)
        billTo.address = address
        billTo.taxId = taxId
        billTo.purchaseOrders = purchaseOrders
        return billTo
    }

    /// An array of strings.
    private static func strings(_ reader: inout CanonicalJSONReader) throws -> [String] {
        var strings: [String] = []
        try reader.forEachElement { reader in strings.append(try reader.string()) }
        return strings
    }

    private static func assigned(_ reader: inout CanonicalJSONReader) throws -> TicketEvent? {
        var assignee: String?, escalationRule: String?, previous: String?, routingRule: String?
        try members(&reader, ["assignee", "escalationRule", "previousAssignee", "routingRule"]) { index, reader in
            switch index {
            case 0: assignee = try reader.string()
            case 1: escalationRule = try optionalString(&reader)
            case 2: previous = try optionalString(&reader)
            default: routingRule = try optionalString(&reader)
            }
        }
        guard let assignee = assignee.take() else { return nil }
        return .assigned(TicketAssigned(
            assignee: assignee, previousAssignee: previous.take(), routingRule: routingRule.take(), escalationRule: escalationRule.take()))
    }

    private static func statusChanged(_ reader: inout CanonicalJSONReader) throws -> TicketStatusChanged? {
        var status: TicketStatus?, previous: TicketStatus?
        try members(&reader, ["previousStatus", "status"]) { index, reader in
            if index == 0 { previous = try value(&reader, statuses) } else { status = try value(&reader, statuses) }
        }
        guard let status, let previous else { return nil }
        return TicketStatusChanged(status: status, previousStatus: previous)
    }

    private static func commented(_ reader: inout CanonicalJSONReader, _ texts: Texts) throws -> TicketCommented? {
        var text: String?, visibility: CommentVisibility?, mailSubject: String?
        try members(&reader, ["mailSubject", "text", "visibility"]) { index, reader in
            switch index {
            // Skipped, it is left out (nil), as the shared comment changes of `TicketChanges` have it.
            case 0:
                if !reader.null() {
                    let subject = try Self.text(&reader, texts)
                    if texts == .read { mailSubject = subject }
                }
            case 1: text = try Self.text(&reader, texts)
            default: visibility = try value(&reader, visibilities)
            }
        }
        guard let text, let visibility else { return nil }
        return TicketCommented(text: text, visibility: visibility, mailSubject: mailSubject)
    }

    private static func closed(_ reader: inout CanonicalJSONReader) throws -> TicketEvent? {
        var resolution: String?, noTimeReason: String?, silencedUntil: Timestamp?
        try members(&reader, ["alertSilencedUntil", "noTimeReason", "resolution"]) { index, reader in
            switch index {
            case 0:
                guard let instant = Timestamp(iso8601: try reader.string()) else { throw NotHandled() }
                silencedUntil = instant
            case 1: noTimeReason = try optionalString(&reader)
            default: resolution = try reader.string()
            }
        }
        guard let resolution = resolution.take() else { return nil }
        return .closed(TicketClosed(resolution: resolution, noTimeReason: noTimeReason.take(), alertSilencedUntil: silencedUntil))
    }
}
