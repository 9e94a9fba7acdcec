import DocketTime
import Domain
import EventLog
import Foundation
import ReadModelKit
import TestSupport
import Testing

@testable import DocketApp

/// The hand-written row formats of `sla` and `queue` (`SLARowCodecs`) and the fast ticket payload reader
/// (`FastPayloads`): both must give exactly what the slower paths give.
@Suite struct RowCodecTests {
    /// Every clock and summary of a random history (priority changes, pauses, merges, recorded alarms) reads back
    /// equal from its row, with its terms by reference or kept whole; a cut row is an error, never a crash; a queue
    /// row written straight from the folded row has the bytes of its stored form.
    @Test func slaAndQueueRowsReadBackExactly() throws {
        let f = try PendingRowsTests().fixtureWithSLAs()
        var random = SeededRandom(seed: 11)
        var tickets: [TicketNumber] = []
        for _ in 0..<300 {
            f.clock.advance(milliseconds: Int64(random.next() % 1_800_000))
            do {
                if tickets.isEmpty || random.next() % 5 == 0 {
                    tickets.append(try f.app.tickets.openTicket(
                        TicketIntake(client: random.next() % 2 == 0 ? "acme" : "globex", priority: Priority.allCases[Int(random.next() % 4)],
                            subject: "Ünïcode \(tickets.count)"), as: "bob"))
                    continue
                }
                let number = tickets[Int(random.next() % UInt64(tickets.count))]
                switch random.next() % 7 {
                case 0: try f.app.tickets.ticket(number, .assign(to: "tia", user: nil), as: "ann")
                case 1: try f.app.tickets.ticket(number, .setPriority(Priority.allCases[Int(random.next() % 4)]), as: "ann")
                case 2: try f.app.tickets.ticket(number, .setStatus(TicketStatus.settable[Int(random.next() % 3)]), as: "ann")
                case 3: try f.app.tickets.ticket(number, .comment("hi", visibility: .public), as: "bob")
                case 4: try f.app.tickets.mergeTicket(number, into: tickets[Int(random.next() % UInt64(tickets.count))], as: "ann")
                default: _ = try f.app.sla.tick(as: "ann")
                }
            } catch is DomainError {
                continue
            }
        }
        var clocks = 0
        try f.models.sla.all(in: f.store) { row in
            let stored = StoredSLARow(row, terms: nil)
            let bytes = try SLARowCodecs.sla.encode(stored)
            let back = try bytes.withUnsafeBytes { try SLARowCodecs.sla.decode($0) }
            #expect(back.clock == stored.clock && back.number == row.number && back.assignee == row.assignee)
            #expect(back.clock?.started == row.clock?.started, "unshared terms are kept whole")
            #expect(try SLARowCodecs.sla.encode(back) == bytes)
            if let clock = row.clock {
                clocks += 1
                let shared = StoredSLARow(row, terms: [1, 2, 3].withUnsafeBytes { Digest.sha256($0) })
                let sharedBytes = try SLARowCodecs.sla.encode(shared)
                #expect(try sharedBytes.withUnsafeBytes { try SLARowCodecs.sla.decode($0) }.clock?.progress == clock.progress)
                let codable = try BinaryRowEncoder().encode(clock.progress).count
                #expect(sharedBytes.count < codable, "\(sharedBytes.count) bytes, its progress alone \(codable) as Codable")
                for cut in [1, sharedBytes.count / 2, sharedBytes.count - 1] {
                    #expect(throws: DecodingError.self) { try Array(sharedBytes.prefix(cut)).withUnsafeBytes { try SLARowCodecs.sla.decode($0) } }
                }
            }
            // Written straight from a folded entry (`writeSLA`, as the sla table writes): its `StoredSLARow`'s bytes.
            for terms in [nil, [1, 2, 3].withUnsafeBytes { Digest.sha256($0) }] as [Digest?] {
                var writer = RowWriter(format: SLARowCodecs.sla.format)
                try SLARowCodecs.writeSLA(SLAProjection.SLAEntry(row: row, terms: row.clock == nil ? nil : terms), &writer)
                #expect(try writer.bytes == SLARowCodecs.sla.encode(StoredSLARow(row, terms: terms)))
            }
            if let summary = try f.models.queue.summary(row.number, in: f.store) {
                let queueRow = QueueRow(ticket: summary, clock: row.clock.map { StoredSLAClock($0, terms: nil) })
                let queueBytes = try SLARowCodecs.queue.encode(queueRow)
                let read = try queueBytes.withUnsafeBytes { try SLARowCodecs.queue.decode($0) }
                #expect(read.ticket == summary && read.clock == queueRow.clock)
                // Written straight from a folded row (`writeQueue`, as the queue's table writes): its `QueueRow`'s bytes.
                for terms in [nil, [1, 2, 3].withUnsafeBytes { Digest.sha256($0) }] as [Digest?] {
                    var folded = summary
                    (folded.clock, folded.slaTerms) = (row.clock, terms)
                    var writer = RowWriter(format: SLARowCodecs.queue.format)
                    try SLARowCodecs.writeQueue(folded, &writer)
                    let stored = QueueRow(ticket: summary, clock: row.clock.map { StoredSLAClock($0, terms: terms) })
                    #expect(try writer.bytes == SLARowCodecs.queue.encode(stored))
                }
            }
        }
        #expect(clocks > 40)
        var alarms = [SLAAlarm]()
        var reasons = Set<String>()
        try f.models.sla.all(in: f.store) { row in
            alarms += row.clock?.recorded ?? []
            for timer in [row.clock?.progress.response, row.clock?.progress.resolution].compactMap({ $0 }) {
                reasons.formUnion(timer.intervals.map(\.reason))
            }
        }
        #expect(!alarms.isEmpty, "the history recorded alarms")
        // Every reason the clock gives its stretches has a code, but the changes of priority (their own text).
        #expect(reasons.count > 5 && reasons.contains { $0.hasPrefix("priority ") }, "\(reasons)")
        for reason in reasons where !reason.hasPrefix("priority ") {
            #expect(SLAClockCodes.code(ofReason: reason) != 0, "\(reason) is written as text")
        }
    }

    /// A clock's codes read back as what was written; a reason without a code is its text; a byte that is no code is a
    /// damaged row, never a value.
    @Test func clockCodesReadBackAndUnknownCodesAreDamage() throws {
        for kind in SLAClockKind.allCases { #expect(try SLAClockCodes.kind(SLAClockCodes.code(of: kind)) == kind) }
        for mode in [SLAIntervalMode.running, .paused, .met] { #expect(try SLAClockCodes.mode(SLAClockCodes.code(of: mode)) == mode) }
        for priority in Priority.allCases { #expect(try SLAClockCodes.priority(SLAClockCodes.code(of: priority)) == priority) }
        let coded = SLAClockCodes.reasons.map(\.description)
        // A timer with one stretch of each reason, written as a clock writes it: the reason takes one byte, or a zero,
        // its length and its text, and reads back.
        func timer(_ reason: String) -> SLATimer {
            let start = Timestamp(millisecondsSinceEpoch: 1_000)
            return SLATimer(
                kind: .response, targetSeconds: 60, bankedMilliseconds: 0, runningSince: start, metAt: nil, targetSince: start,
                breachedAt: nil,
                intervals: [SLAInterval(start: start, end: nil, mode: .running, reason: reason, targetSeconds: 60, countedMilliseconds: nil)])
        }
        func written(_ timer: SLATimer) -> [UInt8] {
            var writer = RowWriter(format: 1)
            writer.withClockWriter { $0.timer(timer) }
            return writer.bytes
        }
        let codedSize = written(timer("opened")).count
        for reason in coded + ["priority P3→P1, earlier deadline kept", "", "opened ", "Closed", "opene", "réopened"] {
            let bytes = written(timer(reason))
            #expect(bytes.count == codedSize + (coded.contains(reason) ? 0 : 1 + reason.utf8.count))
            let read = try bytes.withUnsafeBytes { bytes -> SLATimer in
                var reader = RowReader(bytes)
                return try reader.timer()
            }
            #expect(read == timer(reason))
        }
        for code: UInt8 in [2, 9, 255] { #expect(throws: DecodingError.self) { try SLAClockCodes.kind(code) } }
        for code: UInt8 in [3, 255] { #expect(throws: DecodingError.self) { try SLAClockCodes.mode(code) } }
        for code: UInt8 in [0, 5, 255] { #expect(throws: DecodingError.self) { try SLAClockCodes.priority(code) } }
        for code: UInt8 in [8, 255] { #expect(throws: DecodingError.self) { try SLAClockCodes.reason(code) } }
    }

    /// The billing status row, written member by member, has the bytes its `Codable` encoding had (the stored format),
    /// for every status and any mix of numbers, instants and reasons; it reads back the same.
    @Test(arguments: [Invoice.Status.draft, .final, .voided, .discarded])
    func invoiceStatusRowsKeepTheirBytes(status: Invoice.Status) throws {
        let values: [String?] = [nil, "INV-2026-0001", "2026-02-01T00:00:00.000Z", "2026-02-01T00:00:00Z", "", "déjà vu"]
        for (index, number) in values.enumerated() {
            var row = InvoiceStatusRow(status: status)
            row.number = number
            row.creditNote = values[(index + 1) % values.count]
            row.finalizedAt = values[(index + 2) % values.count]
            row.closedAt = values[(index + 3) % values.count]
            row.reason = values[(index + 4) % values.count]
            row.billTo = values[(index + 5) % values.count].map {
                BillTo(name: $0, address: index.isMultiple(of: 2) ? ["12 Rue de la Paix", $0] : nil, taxId: values[index], purchaseOrders: [$0])
            }
            let codable = [UInt8(2)] + (try BinaryRowEncoder(keys: ModelRowKeys.invoiceStatus).encode(row))
            let bytes = try BillingProjection.statusRows.encode(row)
            #expect(bytes == codable)
            #expect(try bytes.withUnsafeBytes { try BillingProjection.statusRows.decode($0) } == row)
        }
        #expect(BillingProjection.draftStatusRow == [2] + (try BinaryRowEncoder(keys: ModelRowKeys.invoiceStatus).encode(InvoiceStatusRow(status: .draft))))
    }

    /// `invoice.finalized` read by the fast reader is what `JSONDecoder` reads; anything unusual is left to it.
    @Test func fastInvoicePayloadsEqualJSONDecoder() throws {
        let finalized = InvoiceEvent.finalized(InvoiceFinalized(invoice: "acme-D3", number: "INV-2026-0001", finalizedAt: "2026-02-01T00:00:00.000Z"))
        #expect(FastPayloads.invoiceEvent(type: "invoice.finalized", schemaVersion: 1, payload: finalized.payload()) == finalized)
        // The bill-to an invoice was finalized with is read too, not left to `JSONDecoder`.
        let billTo = BillTo(name: "Acme", address: ["12 Rue de la Paix", "75002 Paris"], taxId: "FR40303265045", purchaseOrders: ["4500012345", "PO-2"])
        for billTo in [billTo, BillTo(name: "Acme \"Zahnärzte\"")] {
            let addressed = InvoiceEvent.finalized(
                InvoiceFinalized(invoice: "acme-D3", number: "INV-2026-0001", finalizedAt: "2026-02-01T00:00:00.000Z", billTo: billTo))
            #expect(FastPayloads.invoiceEvent(type: "invoice.finalized", schemaVersion: 1, payload: addressed.payload()) == addressed)
        }
        for text in [
            #"{"billTo":{"address":[],"name":"A","purchaseOrders":null,"taxId":null},"finalizedAt":"x","invoice":"acme-D3","number":"N"}"#,
            #"{"billTo":{"name":"A","other":1},"finalizedAt":"x","invoice":"acme-D3","number":"N"}"#,
            #"{"billTo":{"address":["a",1],"name":"A"},"finalizedAt":"x","invoice":"acme-D3","number":"N"}"#,
            #"{"billTo":{"taxId":"T"},"finalizedAt":"x","invoice":"acme-D3","number":"N"}"#,
            #"{"billTo":null,"finalizedAt":"x","invoice":"acme-D3","number":"N"}"#,
            #"{"finalizedAt":"2026-02-01T00:00:00.000Z","invoice":"acme-D3","number":"INV-2026-0001","extra":1}"#,
            #"{"finalizedAt":"2026-02-01T00:00:00.000Z","invoice":"acme-D3"}"#,
            #"{"finalizedAt":null,"invoice":"acme-D3","number":"INV-2026-0001"}"#,
            #"{"finalizedAt":"x","invoice":"acme-D3","number":"N","invoice":"b"}"#,
            #"{"finalizedAt":"x","invoice":"acme-D3","number":"N"} "#,
        ] {
            let payload = Array(text.utf8)
            let slow = try? InvoiceEvent.decode(type: "invoice.finalized", schemaVersion: 1, payload: payload)
            if let fast = FastPayloads.invoiceEvent(type: "invoice.finalized", schemaVersion: 1, payload: payload) {
                #expect(fast == slow, "\(text)")
            }
        }
        #expect(FastPayloads.invoiceEvent(type: "invoice.finalized", schemaVersion: 2, payload: finalized.payload()) == nil)
        #expect(FastPayloads.invoiceEvent(type: "invoice.voided", schemaVersion: 1, payload: Array("{}".utf8)) == nil)
    }

    /// The fast reader gives `JSONDecoder`'s answer for each payload it takes, and takes every canonical payload
    /// of the five types; anything unusual it leaves to `JSONDecoder`.
    @Test func fastTicketPayloadsEqualJSONDecoder() throws {
        let number = try #require(TicketNumber(42))
        let canonical: [TicketEvent] = [
            .opened(TicketOpened(number: number, client: "acme", contact: nil, category: "net", priority: .p2, source: .email,
                subject: "Printer \"3\" on fire \u{1F525}\n", description: "a\\b/c é")),
            .opened(TicketOpened(number: number, client: "acme", contact: "c-1", category: nil, priority: .p4, source: .portal,
                subject: "", description: "")),
            .assigned(TicketAssigned(assignee: "tia", previousAssignee: nil)),
            .assigned(TicketAssigned(assignee: "tia", previousAssignee: "bob")),
            .assigned(TicketAssigned(assignee: "tia", previousAssignee: nil, routingRule: "alerts-to-noc")),
            .assigned(TicketAssigned(assignee: "tia", previousAssignee: "bob", escalationRule: "p1-untouched")),
            .statusChanged(TicketStatusChanged(status: .waitingOnClient, previousStatus: .new)),
            .commented(TicketCommented(text: "line\u{2028}\ttab", visibility: .internal)),
            .commented(TicketCommented(text: "Done.", visibility: .public, mailSubject: "Password \"reset\" é")),
            .closed(TicketClosed(resolution: "fixed", noTimeReason: nil)),
            .closed(TicketClosed(resolution: "fixed", noTimeReason: "warranty")),
            .closed(TicketClosed(resolution: "part on order", alertSilencedUntil: Timestamp(iso8601: "2026-12-08T09:30:00.000Z")!)),
        ]
        for event in canonical {
            let fast = FastPayloads.ticketEvent(type: event.eventType, schemaVersion: 1, payload: event.payload())
            #expect(fast == event, "\(event.eventType) \(String(decoding: event.payload(), as: UTF8.self))")
        }
        let unusual: [(String, String)] = [
            ("ticket.assigned", #"{"assignee":"tia","previousAssignee":null}"#),
            ("ticket.assigned", #"{ "assignee" : "t\u0069a" }"#),
            ("ticket.assigned", #"{"assignee":"tia","extra":1}"#),
            ("ticket.assigned", #"{"assignee":"tia","assignee":"bob"}"#),
            ("ticket.assigned", #"{"previousAssignee":"bob"}"#),
            ("ticket.assigned", #"{"assignee":null}"#),
            ("ticket.assigned", #"{"assignee":"tia"} "#),
            ("ticket.assigned", #"{"assignee":"tia","routingRule":5}"#),
            ("ticket.status-changed", #"{"status":"sleeping","previousStatus":"new"}"#),
            ("ticket.opened", #"{"number":"X-1","client":"a","priority":"p1","source":"email","subject":"s","description":"d"}"#),
            ("ticket.opened", #"{"number":"T-1","client":"a","priority":"p1","source":"email","subject":"s","description":"d"}"#),
            ("ticket.commented", #"{"text":5,"visibility":"public"}"#),
            ("ticket.commented", #"{"mailSubject":null,"text":"t","visibility":"public"}"#),
            ("ticket.commented", #"{"mailSubject":7,"text":"t","visibility":"public"}"#),
            ("ticket.closed", #"["resolution"]"#),
            ("ticket.closed", #"{"alertSilencedUntil":"tomorrow","resolution":"r"}"#),
            ("ticket.closed", #"{"alertSilencedUntil":null,"resolution":"r"}"#),
        ]
        for (type, text) in unusual {
            let payload = Array(text.utf8)
            let slow = try? TicketEvent.decode(type: type, schemaVersion: 1, payload: payload)
            if let fast = FastPayloads.ticketEvent(type: type, schemaVersion: 1, payload: payload) {
                #expect(fast == slow, "\(type) \(text)")
            }
        }
        let logged = TimeLogged(
            entryId: "TE-7", ticket: "T-42", tech: "tia", minutes: 95, workType: "remote", billable: true,
            startedAt: "2026-03-01T09:00:00.000Z", note: nil)
        #expect(FastPayloads.loggedEntry(type: "time.logged", schemaVersion: 1, payload: TimeEvent.logged(logged).payload()) == TimeEntryState(logged: logged))
        var noted = logged
        noted.note = "on \"site\""
        #expect(FastPayloads.loggedEntry(type: "time.logged", schemaVersion: 1, payload: TimeEvent.logged(noted).payload()) == TimeEntryState(logged: noted))
        for text in [
            #"{"entryId":"TE-7","ticket":"T-42","tech":"tia","minutes":9.5,"workType":"w","billable":true,"startedAt":"s"}"#,
            #"{"entryId":"TE-7","ticket":"T-42","tech":"tia","minutes":9,"workType":"w","billable":1,"startedAt":"s"}"#,
            #"{"entryId":"TE-7","ticket":"T-42","tech":"tia","minutes":9,"workType":"w","billable":true}"#,
            #"{"entryId":"TE-7","ticket":"T-42","tech":"tia","minutes":9,"workType":"w","billable":true,"startedAt":"s","note":null}"#,
        ] {
            let payload = Array(text.utf8)
            guard let fast = FastPayloads.loggedEntry(type: "time.logged", schemaVersion: 1, payload: payload) else { continue }
            #expect(fast == TimeEntryState.none.applying(try TimeEvent.decode(type: "time.logged", schemaVersion: 1, payload: payload)), "\(text)")
        }
        // Corrections and voids: every canonical payload is taken and read as `JSONDecoder` reads it.
        let corrections: [TimeEvent] = [
            .corrected(TimeCorrected(minutes: 30, reason: "typo")),
            .corrected(TimeCorrected(minutes: nil, workType: "onsite", billable: false, startedAt: "2026-03-01T10:00:00.000Z", note: "é \"x\"", reason: "")),
            .corrected(TimeCorrected(billable: true, reason: "billable after all")),
            .voided(TimeVoided(reason: "logged on the wrong ticket")),
        ]
        for event in corrections {
            let fast = FastPayloads.timeEvent(type: event.eventType, schemaVersion: 1, payload: event.payload())
            #expect(fast == event, "\(event.eventType) \(String(decoding: event.payload(), as: UTF8.self))")
        }
        for (type, text) in [
            ("time.corrected", #"{"minutes":null,"reason":"r"}"#),
            ("time.corrected", #"{"minutes":9.5,"reason":"r"}"#),
            ("time.corrected", #"{"minutes":9,"reason":"r","extra":1}"#),
            ("time.corrected", #"{"minutes":9}"#),
            ("time.corrected", #"{"billable":"yes","reason":"r"}"#),
            ("time.voided", #"{"reason":null}"#),
            ("time.voided", #"{}"#),
            ("time.voided", #"{"reason":"r","reason":"s"}"#),
        ] {
            let payload = Array(text.utf8)
            let slow = try? TimeEvent.decode(type: type, schemaVersion: 1, payload: payload)
            if let fast = FastPayloads.timeEvent(type: type, schemaVersion: 1, payload: payload) {
                #expect(fast == slow, "\(type) \(text)")
            }
        }
        #expect(FastPayloads.timeEvent(type: "time.voided", schemaVersion: 2, payload: Array(#"{"reason":"r"}"#.utf8)) == nil)
        #expect(FastPayloads.ticketEvent(type: "ticket.assigned", schemaVersion: 2, payload: Array(#"{"assignee":"tia"}"#.utf8)) == nil)
        #expect(FastPayloads.ticketEvent(type: "ticket.reopened", schemaVersion: 1, payload: Array(#"{}"#.utf8)) == nil)
    }
}

extension StoredSLAClock {
    /// A clock's stored form, as the rows wrote it before they were written straight from the clock (`SLARowCodecs`):
    /// the reference the tests compare the direct writers with.
    init(_ clock: SLAClock, terms: Digest?) {
        self.init(
            terms: terms, startedAt: clock.started.startedAt.millisecondsSinceEpoch, startPriority: clock.started.priority,
            started: terms == nil ? clock.started : nil, progress: clock.progress)
    }
}

extension StoredSLARow {
    /// A folded row in its stored form, field by field: the reference `SLARowCodecs.writeSLA` is checked against.
    init(_ row: SLARow, terms: Digest?) {
        self.init(
            number: row.number, client: row.client, assignee: row.assignee, openedAt: row.openedAt, isOpen: row.isOpen,
            clock: row.clock.map { StoredSLAClock($0, terms: terms) })
    }
}
