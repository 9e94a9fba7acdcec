import Domain
import EventLog
import Foundation
import Testing

@testable import DocketApp

/// The shared decode of ticket events (`TicketChanges`, `FastPayloads`, `CanonicalJSONReader.text`, the SLA terms'
/// priority): each shortcut answers exactly what the path it replaces answers.
@Suite struct SharedDecodeTests {
    /// A short string is made in place and a long one decoded; either way the string of `String(decoding:as:)`,
    /// ill-formed bytes repaired the same way.
    @Test func jsonTextIsStringDecoding() {
        var samples: [[UInt8]] = [[], [0xFF], [0x61, 0xC3], [0xC3, 0xA9], [0xE2, 0x82], [0xF0, 0x9F, 0x94, 0xA5], [0xC0, 0xAF]]
        for count in 0...20 {
            samples.append([UInt8](repeating: 0x61, count: count))
            samples.append([UInt8](repeating: 0x62, count: count) + [0xC3, 0xA9])
            samples.append([0xC3, 0xA9] + [UInt8](repeating: 0x63, count: count))
            samples.append([UInt8](repeating: 0x64, count: count) + [0xFF])
            samples.append([0x80] + [UInt8](repeating: 0x65, count: count))
        }
        for bytes in samples {
            let text = bytes.withUnsafeBytes { CanonicalJSONReader.text($0) }
            let expected = String(decoding: bytes, as: UTF8.self)
            #expect(text == expected, "\(bytes)")
            #expect(Array(text.utf8) == Array(expected.utf8), "\(bytes)")
        }
    }

    /// Every ticket event type is told apart by its bytes: the five the fast reader takes and `ticket.sla-started` by
    /// name, every other registered type (and near misses) as other.
    @Test func ticketTypesAreToldByTheirBytes() {
        let expected: [String: FastPayloads.TicketType] = [
            TicketOpened.descriptor.type: .opened, TicketAssigned.descriptor.type: .assigned,
            TicketStatusChanged.descriptor.type: .statusChanged, TicketCommented.descriptor.type: .commented,
            TicketClosed.descriptor.type: .closed, TicketSLAStarted.descriptor.type: .slaStarted,
        ]
        #expect(expected.count == 6)
        for type in EventCatalog.all.map(\.type) {
            #expect(FastPayloads.TicketType(type) == expected[type] ?? .other, "\(type)")
        }
        for type in expected.keys {
            #expect(FastPayloads.TicketType(type + "x") == .other)
            #expect(FastPayloads.TicketType(String(type.dropLast()) + "x") == .other)
            #expect(FastPayloads.TicketType("x" + type.dropFirst()) == .other)
            // A bridged or otherwise non-contiguous string is read the same.
            #expect(FastPayloads.TicketType(NSString(string: type) as String) == expected[type])
        }
        #expect(FastPayloads.TicketType("") == .other)
    }

    /// With the texts skipped, a payload reads as with them, but for the description of an opening and the text of a
    /// comment, which are empty; a payload whose text is not a string is still left to `JSONDecoder`.
    @Test func skippedTextsLeaveEverythingElse() throws {
        let number = try #require(TicketNumber(42))
        let events: [TicketEvent] = [
            .opened(TicketOpened(number: number, client: "acme", contact: nil, category: "net", priority: .p2, source: .email,
                subject: "Printer \"3\" on fire \u{1F525}\n", description: "a\\b/c é")),
            .opened(TicketOpened(number: number, client: "acme-long-client-code", contact: "c-1", category: nil, priority: .p4,
                source: .portal, subject: "", description: "")),
            .commented(TicketCommented(text: "line\u{2028}\ttab \"q\"", visibility: .internal)),
            .commented(TicketCommented(text: "plain", visibility: .public)),
            .assigned(TicketAssigned(assignee: "tia", previousAssignee: "bob")),
            .statusChanged(TicketStatusChanged(status: .waitingOnClient, previousStatus: .inProgress)),
            .closed(TicketClosed(resolution: "fixed", noTimeReason: "warranty")),
        ]
        for event in events {
            var expected = event
            switch event {
            case .opened(var opened):
                opened.description = ""
                expected = .opened(opened)
            case .commented(var commented):
                commented.text = ""
                expected = .commented(commented)
            default: break
            }
            let type = FastPayloads.TicketType(event.eventType)
            #expect(FastPayloads.ticketEvent(type, schemaVersion: 1, payload: event.payload(), texts: .skip) == expected)
            #expect(FastPayloads.ticketEvent(type, schemaVersion: 1, payload: event.payload(), texts: .read) == event)
        }
        for text in [#"{"text":5,"visibility":"public"}"#, #"{"text":null,"visibility":"public"}"#, #"{"text":"a","visibility":"loud"}"#] {
            #expect(FastPayloads.ticketEvent(.commented, schemaVersion: 1, payload: Array(text.utf8), texts: .skip) == nil, "\(text)")
        }
        let opening = #"{"client":"a","description":{"x":1},"number":"T-1","priority":"P1","source":"email","subject":"s"}"#
        #expect(FastPayloads.ticketEvent(.opened, schemaVersion: 1, payload: Array(opening.utf8), texts: .skip) == nil)
    }

    /// Values of string enumerations are matched on their bytes: every case of each, and nothing else.
    @Test func enumerationValuesMatchTheirRawValues() throws {
        for status in TicketStatus.allCases {
            for previous in TicketStatus.allCases {
                let event = TicketEvent.statusChanged(TicketStatusChanged(status: status, previousStatus: previous))
                #expect(FastPayloads.ticketEvent(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
            }
        }
        let number = try #require(TicketNumber(7))
        for priority in Priority.allCases {
            for source in TicketSource.allCases {
                let event = TicketEvent.opened(TicketOpened(
                    number: number, client: "c", contact: nil, category: nil, priority: priority, source: source, subject: "s",
                    description: "d"))
                #expect(FastPayloads.ticketEvent(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
            }
        }
        for visibility in CommentVisibility.allCases {
            let event = TicketEvent.commented(TicketCommented(text: "t", visibility: visibility))
            #expect(FastPayloads.ticketEvent(type: event.eventType, schemaVersion: 1, payload: event.payload()) == event)
        }
        for value in ["", "new ", "New", "closedx", "close", "in-progres", "waiting-on-clien", "\u{212A}"] {
            let text = #"{"previousStatus":"new","status":"\#(value)"}"#
            #expect(FastPayloads.ticketEvent(type: "ticket.status-changed", schemaVersion: 1, payload: Array(text.utf8)) == nil, "\(value)")
        }
    }

    /// Each raw value's bytes give its case, and bytes that are no raw value (a prefix, a longer text, another case of
    /// letters, nothing) give none.
    @Test func rawValuesMatchTheirBytesOnly() {
        func check<E: RawRepresentable & CaseIterable & Sendable & Equatable>(_: E.Type) where E.RawValue == String {
            let values = FastPayloads.RawValues<E>()
            for value in E.allCases {
                let raw = value.rawValue
                #expect(Array(raw.utf8).withUnsafeBytes { values.value($0) } == value, "\(raw)")
                for near in [raw + "x", String(raw.dropLast()), raw.uppercased() == raw ? raw.lowercased() : raw.uppercased(), " " + raw] {
                    #expect(Array(near.utf8).withUnsafeBytes { values.value($0) } == E(rawValue: near), "\(near)")
                }
            }
            #expect([UInt8]().withUnsafeBytes { values.value($0) } == nil)
        }
        check(TicketStatus.self)
        check(Priority.self)
        check(TicketSource.self)
        check(CommentVisibility.self)
    }

    /// `time.logged` read straight into its entry is the entry `JSONDecoder`'s reading logs, for the form Docket writes
    /// and any other it takes; what it does not take `JSONDecoder` refuses, and another type or schema version is not read.
    @Test func loggedEntryIsTheEntryTheEventLogs() throws {
        let payloads: [String] = [
            #"{"billable":true,"entryId":"TE-1","minutes":15,"note":"remote session","startedAt":"2026-01-01T00:00:00.000Z","tech":"tech00","ticket":"T-1001","workType":"remote"}"#,
            #"{"billable":false,"entryId":"TE-2","minutes":1440,"startedAt":"s","tech":"t\u00e9","ticket":"T-1","workType":"w"}"#,
            #"{"workType":"remote","ticket":"T-1001","tech":"tech00","startedAt":"s","note":null,"minutes":15,"entryId":"TE-1","billable":false}"#,
            #"{ "billable" : true , "entryId":"TE-1","minutes":15,"startedAt":"s","tech":"t","ticket":"T-1","workType":"w"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":9.5,"startedAt":"s","tech":"t","ticket":"T-1","workType":"w"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":"s","tech":"t","ticket":"T-1"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":null,"tech":"t","ticket":"T-1","workType":"w"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":"s","tech":"t","ticket":"T-1","workType":"w"} x"#,
        ]
        var taken = 0
        for text in payloads {
            let payload = Array(text.utf8)
            let decoded = try? TimeEvent.decode(type: "time.logged", schemaVersion: 1, payload: payload)
            let entry = FastPayloads.loggedEntry(type: "time.logged", schemaVersion: 1, payload: payload)
            #expect(entry == decoded.map(TimeEntryState.none.applying), "\(text)")
            if let entry {
                taken += 1
                #expect(entry.position == nil && !entry.voided)
            }
            #expect(FastPayloads.loggedEntry(type: "time.logged", schemaVersion: 2, payload: payload) == nil)
            #expect(FastPayloads.loggedEntry(type: "time.corrected", schemaVersion: 1, payload: payload) == nil)
        }
        #expect(taken == 4)
        // Nor does `timeEvent` read it: the fold reads a `time.logged` only into its entry.
        #expect(FastPayloads.timeEvent(type: "time.logged", schemaVersion: 1, payload: Array(payloads[0].utf8)) == nil)
    }

    /// A status change and a comment are read into boxes made once (`Decoded.shared`): the change of each is the one
    /// `JSONDecoder` reads (a comment's text left empty, as for every change kept), for every pair of statuses and every
    /// visibility, and the status change and visibility read alone are `ticketEvent`'s, or nil where it answers nil.
    @Test func sharedChangesAreTheDecodedOnes() throws {
        func recorded(_ type: String, _ payload: [UInt8], actor: String = "ann") -> RecordedEvent {
            RecordedEvent(
                position: 1, stream: "ticket-T-1001", streamVersion: 1, type: type, schemaVersion: 1, eventId: UUID(),
                commandId: nil, actor: actor, recordedAt: .init(millisecondsSinceEpoch: 0), payload: payload, hash: .zero)
        }
        for status in TicketStatus.allCases {
            for previous in TicketStatus.allCases {
                let changed = TicketStatusChanged(status: status, previousStatus: previous)
                let payload = TicketEvent.statusChanged(changed).payload()
                #expect(TicketChanges.Decoded.shared(changed).change == .ticket(.statusChanged(changed)))
                #expect(FastPayloads.statusChange(schemaVersion: 1, payload: payload) == changed)
                let decoded = try TicketChanges().decoded(of: recorded(TicketStatusChanged.descriptor.type, payload))
                #expect(decoded.change == (try TicketChange(recorded(TicketStatusChanged.descriptor.type, payload))))
                #expect(decoded.terms == nil)
            }
        }
        for visibility in CommentVisibility.allCases {
            let payload = TicketEvent.commented(TicketCommented(text: "Restarted \"it\" é", visibility: visibility)).payload()
            let blank = TicketChange.ticket(.commented(TicketCommented(text: "", visibility: visibility)))
            #expect(TicketChanges.Decoded.shared(visibility, fromClient: false).change == blank)
            #expect(FastPayloads.commentVisibility(schemaVersion: 1, payload: payload) == visibility)
            #expect(try TicketChanges().decoded(of: recorded(TicketCommented.descriptor.type, payload)).change == blank)
            // A portal contact's comment from before `fromClient`: the fast path and `TicketChange` both tell it by its actor.
            let client = TicketChange.ticket(.commented(TicketCommented(text: "", visibility: visibility, isFromClient: true)))
            #expect(TicketChanges.Decoded.shared(visibility, fromClient: true).change == client)
            #expect(try TicketChanges().decoded(of: recorded(TicketCommented.descriptor.type, payload, actor: "contact:acme-1")).change == client)
            let slow = try TicketChange(recorded(TicketCommented.descriptor.type, payload, actor: "contact:acme-1"))
            #expect(slow == .ticket(.commented(TicketCommented(text: "Restarted \"it\" é", visibility: visibility, isFromClient: true))))
        }
        let statusChanges = [
            #"{"previousStatus":"new","status":"closed"}"#, #"{ "status" : "new" , "previousStatus" : "closed" }"#,
            #"{"previousStatus":"new","status":"in-progress","x":1}"#, #"{"previousStatus":"new"}"#,
            #"{"previousStatus":"new","status":"sleeping"}"#, #"{"previousStatus":"new","status":"new"} x"#,
            #"{"previousStatus":"new","status":"new","status":"closed"}"#, #"{"previousStatus":"new","status":"n\u0065w"}"#, "[]",
        ]
        for text in statusChanges {
            let payload = Array(text.utf8)
            let event = FastPayloads.ticketEvent(type: TicketStatusChanged.descriptor.type, schemaVersion: 1, payload: payload)
            var expected: TicketStatusChanged?
            if case .statusChanged(let changed)? = event { expected = changed }
            #expect(FastPayloads.statusChange(schemaVersion: 1, payload: payload) == expected, "\(text)")
            #expect(FastPayloads.statusChange(schemaVersion: 2, payload: payload) == nil)
            if let expected {
                #expect(TicketEvent.statusChanged(expected) == (try? TicketEvent.decode(type: "ticket.status-changed", schemaVersion: 1, payload: payload)))
            }
        }
        let comments = [
            #"{"text":"a","visibility":"public"}"#, #"{ "visibility" : "internal" , "text" : "a\nb" }"#, #"{"text":5,"visibility":"public"}"#,
            #"{"text":null,"visibility":"public"}"#, #"{"text":"a","visibility":"loud"}"#, #"{"visibility":"public"}"#,
            #"{"text":"a","visibility":"public","x":1}"#, #"{"text":"a","visibility":"public"}}"#, #"{"text":"a\u00"}"#,
        ]
        for text in comments {
            let payload = Array(text.utf8)
            let event = FastPayloads.ticketEvent(.commented, schemaVersion: 1, payload: payload, texts: .skip)
            var expected: CommentVisibility?
            if case .commented(let commented)? = event { expected = commented.visibility }
            #expect(FastPayloads.commentVisibility(schemaVersion: 1, payload: payload) == expected, "\(text)")
            #expect(FastPayloads.commentVisibility(schemaVersion: 2, payload: payload) == nil)
            if let expected {
                let slow = try? TicketEvent.decode(type: "ticket.commented", schemaVersion: 1, payload: payload)
                if case .commented(let commented)? = slow { #expect(commented.visibility == expected, "\(text)") } else { Issue.record("\(text)") }
            }
        }
    }

    /// A ticket number read from its bytes is the one read from its text, for every form (escapes aside: those are
    /// read as text).
    @Test func ticketNumberFromBytesIsTheNumberFromText() {
        var texts = [
            "T-1", "T-1042", "T-999999999", "T-1000000000", "T-0", "T-01", "T-", "T", "", "t-1", "T_1", "T-1a", "T--1", "T-+1",
            " T-1", "T-1 ", "TT-1", "T-12345678901", "T-١", "T-\u{FF11}",
        ]
        var random = SeededRandom(seed: 16)
        let alphabet = Array("T-0123456789 t".utf8)
        for _ in 0..<3_000 {
            let count = Int(random.next() % 13)
            texts.append(String(decoding: (0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }, as: UTF8.self))
        }
        for text in texts {
            let fromBytes = Array(text.utf8).withUnsafeBytes { TicketNumber(utf8: $0) }
            #expect(fromBytes == TicketNumber(text), "\(text)")
        }
        for text in [#"{"client":"c","description":"d","number":"T-1\u0030","priority":"P1","source":"email","subject":"s"}"#,
            #"{"client":"c","description":"d","number":"T-01","priority":"P1","source":"email","subject":"s"}"#,
            #"{"client":"c","description":"d","number":"T-10","priority":"P1","source":"email","subject":"s"}"#] {
            let payload = Array(text.utf8)
            #expect(FastPayloads.ticketEvent(type: "ticket.opened", schemaVersion: 1, payload: payload)
                == (try? TicketEvent.decode(type: "ticket.opened", schemaVersion: 1, payload: payload)), "\(text)")
        }
    }

    /// An object's end is taken where Docket writes it (right after the last value) and nowhere else; after a space it
    /// is `nextKey`'s to find.
    @Test func endOfObjectIsTakenOnlyAtTheBrace() throws {
        for (text, ends) in [("}", true), (" }", false), (",}", false), ("", false), ("]", false)] {
            let bytes = Array(text.utf8)
            let taken = bytes.withUnsafeBytes { raw -> (Bool, Int) in
                var reader = CanonicalJSONReader(raw)
                return (reader.takeEndOfObject(), reader.offset)
            }
            #expect(taken.0 == ends && taken.1 == (ends ? 1 : 0), "\(text)")
        }
        for text in [#"{"assignee":"tia"}"#, #"{"assignee":"tia" }"#, #"{}"#, #"{ }"#, #"{"assignee":"tia","previousAssignee":"bob"}"#,
            #"{"assignee":"tia"}}"#, #"{"assignee":"tia"} "#] {
            let payload = Array(text.utf8)
            let slow = try? TicketEvent.decode(type: "ticket.assigned", schemaVersion: 1, payload: payload)
            if let fast = FastPayloads.ticketEvent(type: "ticket.assigned", schemaVersion: 1, payload: payload) {
                #expect(fast == slow, "\(text)")
            }
        }
        #expect(FastPayloads.ticketEvent(type: "ticket.assigned", schemaVersion: 1, payload: Array(#"{"assignee":"tia"}"#.utf8)) != nil)
    }

    /// The SLA terms' priority read from its bytes is the one read from its text.
    @Test func termsPriorityIsReadAsItsText() {
        let values = [#""P1""#, #""P2""#, #""P3""#, #""P4""#, #""P5""#, #""p1""#, #""P0""#, #""P""#, #""P12""#, "P1", "\"P1", #""Q1""#, #""\u0050""#, "null", "1"]
        for value in values {
            let prefix = "{\"priority\":"
            let payload = Array((prefix + value + "}").utf8)
            let range = prefix.utf8.count..<(prefix.utf8.count + value.utf8.count)
            #expect(
                SLATerms.priority(payload, range) == SLATerms.plainString(payload, range).flatMap(Priority.init(rawValue:)), "\(value)")
        }
        #expect(SLATerms.priority(Array(#"{"priority":"P3"}"#.utf8), 12..<16) == .p3)
    }

    /// Keys are matched where they stand when they come in the order Docket writes them; in any other order, with
    /// spaces, absent or repeated, the reader still answers what `JSONDecoder` answers, or leaves the payload to it.
    @Test func keysInAnyOrderReadAsJSONDecoderReadsThem() throws {
        let logged: [String] = [
            #"{"billable":true,"entryId":"TE-1","minutes":15,"note":"remote session","startedAt":"2026-01-01T00:00:00.000Z","tech":"tech00","ticket":"T-1001","workType":"remote"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":"2026-01-01T00:00:00.000Z","tech":"tech00","ticket":"T-1001","workType":"remote"}"#,
            #"{"workType":"remote","ticket":"T-1001","tech":"tech00","startedAt":"s","note":null,"minutes":15,"entryId":"TE-1","billable":false}"#,
            #"{ "billable" : true , "entryId":"TE-1","minutes":15,"startedAt":"s","tech":"t","ticket":"T-1","workType":"w"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":"s","tech":"t","tech":"u","ticket":"T-1","workType":"w"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":"s","tech":"t","ticket":"T-1","workType":"w","zzz":1}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":"s","techx":"t","ticket":"T-1","workType":"w"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":"s","tech":"t","ticket":"T-1","work\u0054ype":"w"}"#,
            #"{"billable":true,"entryId":"TE-1","minutes":15,"startedAt":"s","tech":"t","ticket":"T-1","workType":"w"#,
        ]
        var taken = 0
        for text in logged {
            let payload = Array(text.utf8)
            guard let fast = FastPayloads.loggedEntry(type: "time.logged", schemaVersion: 1, payload: payload) else { continue }
            taken += 1
            #expect(fast == TimeEntryState.none.applying(try TimeEvent.decode(type: "time.logged", schemaVersion: 1, payload: payload)), "\(text)")
        }
        #expect(taken >= 4)
        let opened: [String] = [
            #"{"category":"network","client":"c000","contact":"c-1","description":"d","number":"T-1001","priority":"P3","source":"email","subject":"s"}"#,
            #"{"subject":"s","source":"phone","priority":"P1","number":"T-7","description":"d","client":"c","category":null}"#,
            #"{"client":"c","number":"T-7","priority":"P2","source":"portal","subject":"s","description":"d"}"#,
            #"{"client":"c","number":"T-7","priority":"P2","source":"portal","subject":"s","description":"d","client":"e"}"#,
        ]
        for text in opened {
            let payload = Array(text.utf8)
            guard let fast = FastPayloads.ticketEvent(type: "ticket.opened", schemaVersion: 1, payload: payload) else { continue }
            #expect(fast == (try? TicketEvent.decode(type: "ticket.opened", schemaVersion: 1, payload: payload)), "\(text)")
        }
        for text in [#"{"status":"new","previousStatus":"closed"}"#, #"{"previousStatus":"closed","status":"new"}"#] {
            let payload = Array(text.utf8)
            let fast = try #require(FastPayloads.ticketEvent(type: "ticket.status-changed", schemaVersion: 1, payload: payload))
            #expect(fast == (try TicketEvent.decode(type: "ticket.status-changed", schemaVersion: 1, payload: payload)))
        }
    }

    /// The SLA terms' start instant read from its bytes is the one `Timestamp(iso8601:)` reads from its text, for the
    /// form Docket writes and for anything else.
    @Test func termsInstantIsReadAsItsText() {
        var values = [
            "2026-03-02T09:00:00.000Z", "2024-02-29T23:59:59.999Z", "2025-02-29T00:00:00.000Z", "2026-04-31T00:00:00.000Z",
            "2026-13-01T00:00:00.000Z", "2026-00-01T00:00:00.000Z", "2026-01-00T00:00:00.000Z", "2026-01-01T24:00:00.000Z",
            "2026-01-01T00:60:00.000Z", "2026-01-01T00:00:60.000Z", "2026-01-01t00:00:00.000Z", "2026-01-01T00:00:00.000z",
            "2026-01-01 00:00:00.000Z", "2026-01-01T00:00:00.00Z", "2026-01-01T00:00:00.0000Z", "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.000+01:00", "2026-01-01T00:00:00.000-00:30", "0000-01-01T00:00:00.000Z",
            "9999-12-31T23:59:59.999Z", "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z", "2026-01-01T00:00:00.00AZ",
            "2026-01-01T00:00:00.000ZZ", "2026/01/01T00:00:00.000Z", "2026-01-01T00:00:0a.000Z", "+026-01-01T00:00:00.000Z",
            "", "x",
        ]
        var random = SeededRandom(seed: 5)
        for _ in 0..<2_000 {
            let n = { (bound: UInt64) in Int(random.next() % bound) }
            values.append(
                String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", n(10_000), n(14), n(33), n(25), n(61), n(61), n(1_000)))
        }
        for value in values {
            for text in ["\"" + value + "\"", value, "\"" + value] {
                let prefix = "{\"startedAt\":"
                let payload = Array((prefix + text + "}").utf8)
                let range = prefix.utf8.count..<(prefix.utf8.count + text.utf8.count)
                let expected = SLATerms.plainString(payload, range).flatMap(Timestamp.init(iso8601:))
                #expect(SLATerms.instant(payload, range) == expected, "\(text)")
            }
        }
        let written = Array(#"{"startedAt":"2026-03-02T09:00:00.000Z"}"#.utf8)
        #expect(SLATerms.instant(written, 13..<39) == Timestamp(iso8601: "2026-03-02T09:00:00.000Z"))
        #expect(SLATerms.instant(written, 13..<39) != nil)
    }
}

/// The time fold's fast path for `time.logged`: a new entry is the logged entry itself, a kept or stored one logs it,
/// and a payload that logs nothing (the empty entry) keeps no row; a rebuild gives the same rows.
@Suite struct LoggedEntryFoldTests {
    @Test func loggedEntriesFoldAsTheirEvents() throws {
        let f = try ServiceFixture()
        func log(_ stream: String, version: UInt64, _ payload: String) throws {
            try f.store.append(AppendRequest(
                stream: stream, expectedVersion: version == 0 ? .noStream : .exact(version),
                events: [NewEvent(type: "time.logged", payload: Array(payload.utf8))], actor: "tia"))
        }
        let first = #"{"billable":true,"entryId":"TE-1","minutes":30,"startedAt":"2026-11-02T08:30:00.000Z","tech":"tia","ticket":"T-1","workType":"remote"}"#
        let second = #"{"billable":false,"entryId":"TE-1","minutes":45,"note":"n","startedAt":"2026-11-02T08:30:00.000Z","tech":"tia","ticket":"T-1","workType":"onsite"}"#
        let empty = #"{"billable":false,"entryId":"","minutes":0,"startedAt":"","tech":"","ticket":"","workType":""}"#
        try log("time-TE-1", version: 0, first)
        let logged = try #require(try f.models.time.entry("TE-1", in: f.store))
        #expect(logged.minutes == 30 && logged.workType == "remote" && !logged.voided && logged.note == nil)
        try log("time-TE-1", version: 1, first)
        // The same entry again: a kept row has a position and the logged entry none, so it differs and takes the new one.
        var again = try #require(try f.models.time.entry("TE-1", in: f.store))
        #expect(again.position != logged.position)
        again.position = logged.position
        #expect(again == logged)
        try log("time-TE-1", version: 2, second)
        let relogged = try #require(try f.models.time.entry("TE-1", in: f.store))
        #expect(relogged.minutes == 45 && relogged.workType == "onsite" && relogged.note == "n" && relogged.position != logged.position)
        try log("time-TE-2", version: 0, empty)
        #expect(try f.models.time.entry("TE-2", in: f.store) == nil, "an entry that logs nothing keeps no row")
        #expect(try f.models.time.list(TimeFilter(), in: f.store).map(\.entryId) == ["TE-1"])
        let dump = try f.store.dump(projection: "time")
        try f.store.rebuild(["time"], batchSize: 1)
        #expect(try f.store.dump(projection: "time") == dump)
    }
}

/// `TicketChanges` in a pipelined bulk fold: once a batch is sealed, writing it forgets that batch's decodes only,
/// and the next batch's, begun meanwhile on another thread, stay; without a sealed batch (an append) writing forgets
/// them all.
@Suite struct TicketChangesMemoTests {
    /// A closing: its change holds a string, so it is boxed per event (a comment's or a status change's is a box made
    /// once, `Decoded.shared`).
    static func closing(_ position: UInt64) -> RecordedEvent {
        RecordedEvent(
            position: position, stream: "ticket-T-1001", streamVersion: position, type: TicketClosed.descriptor.type,
            schemaVersion: 1, eventId: UUID(), commandId: nil, actor: "ann", recordedAt: .init(millisecondsSinceEpoch: 0),
            payload: Array(#"{"resolution":"Spooler restarted."}"#.utf8), hash: .zero)
    }

    @Test func writingASealedBatchKeepsTheNextBatchsDecodes() throws {
        let changes = TicketChanges()
        let events = (1...6 as ClosedRange<UInt64>).map(Self.closing)
        let first = try events[..<3].map { try changes.decoded(of: $0) }
        changes.sealed()
        // The next batch's folds begin before the first is written.
        let second = try events[3...].map { try changes.decoded(of: $0) }
        changes.flushed()
        try Self.expectForgotten(first, kept: second, of: events, by: changes)
        changes.forget()
        #expect(try changes.decoded(of: events[5]) !== second[2])
    }

    /// The batch after the one being folded may be prepared before the folds of this one seal it (by a fold thread out of
    /// tasks, `FoldTasks.prepareUpcoming`): sealing then seals the oldest batch prepared, and writing it keeps the next
    /// batch's decodes, which its folds find.
    @Test func sealingAfterTheNextBatchIsPreparedSealsTheOldestPreparedBatch() throws {
        let changes = TicketChanges()
        let events = (1...6 as ClosedRange<UInt64>).map(Self.closing)
        changes.prepare(Array(events[..<3]))
        let first = try events[..<3].map { try changes.decoded(of: $0) }
        changes.prepare(Array(events[3...]))
        let second = try events[3...].map { try changes.decoded(of: $0) }
        changes.sealed()
        changes.flushed()
        try Self.expectForgotten(first, kept: second, of: events, by: changes)
        // The next batch sealed and written in turn: its decodes are forgotten too.
        changes.sealed()
        changes.flushed()
        #expect(try changes.decoded(of: events[4]) !== second[1])
    }

    /// Threads that come to a batch another is preparing share its chunks (`TicketChanges.prepare`), and none returns
    /// before every chunk is decoded: the second thread here takes every chunk but the one the first is held at, then
    /// waits for it; each event is decoded once, by one of them.
    @Test func threadsPreparingOneBatchShareItsChunksAndReturnOnceAllAreDecoded() throws {
        let chunk = TicketChanges.preparedChunk
        let events = (1...UInt64(4 * chunk)).map(Self.closing)
        let held = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let taken = Taken()
        let changes = TicketChanges(willDecodeChunk: { range in
            if range.lowerBound == 0 {
                held.signal()
                release.wait()
            } else {
                taken.add(range)
            }
        })
        let firstDone = DispatchSemaphore(value: 0), secondDone = DispatchSemaphore(value: 0)
        // Threads of their own: a queue's worker may not start while another is held.
        Thread {
            changes.prepare(events)
            firstDone.signal()
        }.start()
        held.wait()
        Thread {
            changes.prepare(events)
            secondDone.signal()
        }.start()
        #expect(secondDone.wait(timeout: .now() + 0.5) == .timedOut, "the first chunk is not decoded yet")
        #expect(taken.ranges == [chunk..<(2 * chunk), (2 * chunk)..<(3 * chunk), (3 * chunk)..<(4 * chunk)])
        release.signal()
        #expect(firstDone.wait(timeout: .now() + 10) == .success)
        #expect(secondDone.wait(timeout: .now() + 10) == .success)
        let boxes = try events.map { try changes.decoded(of: $0) }
        for (event, box) in zip(events, boxes) { #expect(try changes.decoded(of: event) === box) }
        changes.prepare(events)
        #expect(taken.ranges.count == 3, "a batch prepared already is not decoded again")
    }

    /// The chunks a test saw taken, from any thread.
    private final class Taken: @unchecked Sendable {
        // @unchecked Sendable: `taken` is only touched under `lock`.
        private let lock = NSLock()
        private var taken: [Range<Int>] = []

        func add(_ range: Range<Int>) { lock.withLock { taken.append(range) } }
        var ranges: [Range<Int>] { lock.withLock { taken } }
    }

    /// Each of `events` decoded again: the first batch's (`forgotten`) anew, the next batch's the very boxes `kept`.
    static func expectForgotten(
        _ forgotten: [TicketChanges.Decoded], kept: [TicketChanges.Decoded], of events: [RecordedEvent], by changes: TicketChanges
    ) throws {
        for (index, event) in events.enumerated() {
            let again = try changes.decoded(of: event)
            if index < forgotten.count {
                #expect(again !== forgotten[index], "position \(event.position) was of the sealed batch: forgotten")
            } else {
                #expect(again === kept[index - forgotten.count], "position \(event.position) is of the next batch: kept")
            }
        }
    }

    @Test func writingWithoutASealedBatchForgetsEveryDecode() throws {
        let changes = TicketChanges()
        let events = (1...4 as ClosedRange<UInt64>).map(Self.closing)
        let first = try events.map { try changes.decoded(of: $0) }
        changes.flushed()
        for (index, event) in events.enumerated() { #expect(try changes.decoded(of: event) !== first[index]) }
    }
}
