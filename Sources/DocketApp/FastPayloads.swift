import Domain
import EventLog

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
        guard schemaVersion == 1 else { return nil }
        return payload.withUnsafeBytes { bytes -> TicketEvent? in
            var reader = CanonicalJSONReader(bytes)
            let event: TicketEvent?
            switch type {
            case "ticket.opened": event = try? opened(&reader).map(TicketEvent.opened)
            case "ticket.assigned": event = try? assigned(&reader).map(TicketEvent.assigned)
            case "ticket.status-changed": event = try? statusChanged(&reader).map(TicketEvent.statusChanged)
            case "ticket.commented": event = try? commented(&reader).map(TicketEvent.commented)
            case "ticket.closed": event = try? closed(&reader).map(TicketEvent.closed)
            default: return nil
            }
            return reader.offset == bytes.count ? event : nil
        }
    }

    /// The time event of `type` in `payload` — `time.logged` (a rebuild folds one per time entry), `time.corrected`
    /// or `time.voided` — or nil (decode it with `TimeEvent.decode`).
    static func timeEvent(type: String, schemaVersion: UInt16, payload: [UInt8]) -> TimeEvent? {
        guard schemaVersion == 1 else { return nil }
        return payload.withUnsafeBytes { bytes -> TimeEvent? in
            var reader = CanonicalJSONReader(bytes)
            let event: TimeEvent?
            switch type {
            case "time.logged": event = try? timeLogged(&reader).map(TimeEvent.logged)
            case "time.corrected": event = try? timeCorrected(&reader).map(TimeEvent.corrected)
            case "time.voided": event = try? timeVoided(&reader).map(TimeEvent.voided)
            default: return nil
            }
            return reader.offset == bytes.count ? event : nil
        }
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
    /// once; an unknown key or a repeat is `NotHandled`).
    private static func members(
        _ reader: inout CanonicalJSONReader, _ names: [StaticString], _ body: (Int, inout CanonicalJSONReader) throws -> Void
    ) throws {
        var seen = 0
        try reader.forEachMember { key, reader in
            guard let index = names.firstIndex(where: { CanonicalJSONReader.key(key, is: $0) }), seen & (1 << index) == 0
            else { throw NotHandled() }
            seen |= 1 << index
            try body(index, &reader)
        }
    }

    private static func optionalString(_ reader: inout CanonicalJSONReader) throws -> String? {
        reader.null() ? nil : try reader.string()
    }

    private static func value<E: RawRepresentable>(_ reader: inout CanonicalJSONReader) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: try reader.string()) else { throw NotHandled() }
        return value
    }

    private static func opened(_ reader: inout CanonicalJSONReader) throws -> TicketOpened? {
        var number: TicketNumber?, client: String?, contact: String?, category: String?, priority: Priority?
        var source: TicketSource?, subject: String?, description: String?
        try members(&reader, ["number", "client", "contact", "category", "priority", "source", "subject", "description"]) {
            index, reader in
            switch index {
            case 0: number = TicketNumber(try reader.string())
            case 1: client = try reader.string()
            case 2: contact = try optionalString(&reader)
            case 3: category = try optionalString(&reader)
            case 4: priority = try value(&reader)
            case 5: source = try value(&reader)
            case 6: subject = try reader.string()
            default: description = try reader.string()
            }
        }
        guard let number, let client, let priority, let source, let subject, let description else { return nil }
        return TicketOpened(
            number: number, client: client, contact: contact, category: category, priority: priority, source: source,
            subject: subject, description: description)
    }

    private static func timeLogged(_ reader: inout CanonicalJSONReader) throws -> TimeLogged? {
        var entryId: String?, ticket: String?, tech: String?, minutes: Int?, workType: String?, billable: Bool?
        var startedAt: String?, note: String?
        try members(&reader, ["entryId", "ticket", "tech", "minutes", "workType", "billable", "startedAt", "note"]) { index, reader in
            switch index {
            case 0: entryId = try reader.string()
            case 1: ticket = try reader.string()
            case 2: tech = try reader.string()
            case 3: minutes = Int(exactly: try reader.int())
            case 4: workType = try reader.string()
            case 5: billable = try reader.bool()
            case 6: startedAt = try reader.string()
            default: note = try optionalString(&reader)
            }
        }
        guard let entryId, let ticket, let tech, let minutes, let workType, let billable, let startedAt else { return nil }
        return TimeLogged(
            entryId: entryId, ticket: ticket, tech: tech, minutes: minutes, workType: workType, billable: billable,
            startedAt: startedAt, note: note)
    }

    private static func timeCorrected(_ reader: inout CanonicalJSONReader) throws -> TimeCorrected? {
        var minutes: Int?, workType: String?, billable: Bool?, startedAt: String?, note: String?, reason: String?
        try members(&reader, ["minutes", "workType", "billable", "startedAt", "note", "reason"]) { index, reader in
            switch index {
            case 0: minutes = reader.null() ? nil : Int(exactly: try reader.int())
            case 1: workType = try optionalString(&reader)
            case 2: billable = reader.null() ? nil : try reader.bool()
            case 3: startedAt = try optionalString(&reader)
            case 4: note = try optionalString(&reader)
            default: reason = try reader.string()
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
        var invoice: String?, number: String?, finalizedAt: String?
        try members(&reader, ["finalizedAt", "invoice", "number"]) { index, reader in
            switch index {
            case 0: finalizedAt = try reader.string()
            case 1: invoice = try reader.string()
            default: number = try reader.string()
            }
        }
        guard let invoice, let number, let finalizedAt else { return nil }
        return InvoiceFinalized(invoice: invoice, number: number, finalizedAt: finalizedAt)
    }

    private static func assigned(_ reader: inout CanonicalJSONReader) throws -> TicketAssigned? {
        var assignee: String?, previous: String?
        try members(&reader, ["assignee", "previousAssignee"]) { index, reader in
            if index == 0 { assignee = try reader.string() } else { previous = try optionalString(&reader) }
        }
        return assignee.map { TicketAssigned(assignee: $0, previousAssignee: previous) }
    }

    private static func statusChanged(_ reader: inout CanonicalJSONReader) throws -> TicketStatusChanged? {
        var status: TicketStatus?, previous: TicketStatus?
        try members(&reader, ["status", "previousStatus"]) { index, reader in
            if index == 0 { status = try value(&reader) } else { previous = try value(&reader) }
        }
        guard let status, let previous else { return nil }
        return TicketStatusChanged(status: status, previousStatus: previous)
    }

    private static func commented(_ reader: inout CanonicalJSONReader) throws -> TicketCommented? {
        var text: String?, visibility: CommentVisibility?
        try members(&reader, ["text", "visibility"]) { index, reader in
            if index == 0 { text = try reader.string() } else { visibility = try value(&reader) }
        }
        guard let text, let visibility else { return nil }
        return TicketCommented(text: text, visibility: visibility)
    }

    private static func closed(_ reader: inout CanonicalJSONReader) throws -> TicketClosed? {
        var resolution: String?, noTimeReason: String?
        try members(&reader, ["resolution", "noTimeReason"]) { index, reader in
            if index == 0 { resolution = try reader.string() } else { noTimeReason = try optionalString(&reader) }
        }
        return resolution.map { TicketClosed(resolution: $0, noTimeReason: noTimeReason) }
    }
}
