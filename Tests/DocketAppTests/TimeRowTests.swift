import Domain
import Foundation
import Testing

@testable import DocketApp
@testable import ReadModelKit

/// The `time` model folds its entries as stored rows (`TimeRow`), a `time.logged`'s written straight from the payload's
/// bytes (`FastPayloads.loggedRow`): each must be exactly what the entry and the codec give.
@Suite struct TimeRowTests {
    /// Texts a `time.logged` may carry: plain ASCII, empty, other UTF-8, and texts JSON writes with escapes.
    static let texts = [
        "TE-7", "T-42", "", "tia", "remote", "2026-03-01T09:00:00.000Z", "on site ✓", "é", "ünï 𝄞", "a \"quoted\" word",
        "back\\slash", "tab\there", "line\nbreak", "a/b", String(repeating: "x", count: 300),
    ]

    /// Over random `time.logged` payloads, the row read from the payload is the codec's row of the entry the payload
    /// logs, with the position; and every payload whose strings have no escapes and whose entry id is not empty is
    /// read that way (not left to the slower reader).
    @Test func theRowOfAPayloadIsTheCodecsRowOfItsEntry() throws {
        var random = SeededRandom(seed: 0x7E57_0001)
        func pick() -> String { Self.texts[Int(random.next() % UInt64(Self.texts.count))] }
        var (read, plain) = (0, 0)
        for round in 0..<3_000 {
            let minutes = round % 97 == 0 ? [Int.min, Int.max, 0, -1][(round / 97) % 4] : Int(random.next() % 2_000) - 500
            let logged = TimeLogged(
                entryId: round % 7 == 0 ? pick() : "TE-\(random.next() % 100_000)", ticket: pick(), tech: pick(), minutes: minutes,
                workType: pick(), billable: random.next() % 2 == 0, startedAt: pick(), note: random.next() % 3 == 0 ? nil : pick())
            let payload = TimeEvent.logged(logged).payload()
            let position = random.next() >> (random.next() % 64)
            // The entry as `JSONDecoder` reads the payload, the reference every fast reader must give.
            var entry = TimeEntryState.none.applying(try TimeEvent.decode(type: "time.logged", schemaVersion: 1, payload: payload))
            entry.position = position
            let row = FastPayloads.loggedRow(type: "time.logged", schemaVersion: 1, payload: payload, position: position)
            // `Int.min` minutes are beyond the fast readers' integers (left to `JSONDecoder`, as `loggedEntry` leaves them).
            if !payload.contains(UInt8(ascii: "\\")), !logged.entryId.isEmpty, minutes != .min {
                plain += 1
                #expect(row != nil, "\(String(decoding: payload, as: UTF8.self))")
            }
            guard let row else { continue }
            read += 1
            #expect(row.bytes == (try TimeProjection.codec.encode(entry)), "\(String(decoding: payload, as: UTF8.self))")
            #expect(try row.entry() == entry)
        }
        // Only those: a payload with an escape is left to `loggedEntry`.
        #expect(read == plain)
        #expect(plain > 300, "only \(plain) payloads without escapes")
    }

    /// Payloads the row reader must leave to `loggedEntry`: ill-formed UTF-8 (which a `String` repairs, so its bytes
    /// are not the payload's), an empty entry id, another type or schema version, and anything after the object.
    @Test func payloadsWhoseBytesAreNotTheEntrysAreLeftToTheEntryReader() throws {
        let good = #"{"billable":true,"entryId":"TE-1","minutes":5,"startedAt":"s","tech":"tia","ticket":"T-1","workType":"w"}"#
        #expect(FastPayloads.loggedRow(type: "time.logged", schemaVersion: 1, payload: Array(good.utf8), position: 1) != nil)
        // The tech "ti" and the byte 0xFF.
        let illFormed = Array(#"{"billable":true,"entryId":"TE-1","minutes":5,"startedAt":"s","tech":"ti"#.utf8) + [0xFF]
            + Array(#"","ticket":"T-1","workType":"w"}"#.utf8)
        #expect(FastPayloads.loggedEntry(type: "time.logged", schemaVersion: 1, payload: illFormed)?.tech == "ti\u{FFFD}")
        #expect(FastPayloads.loggedRow(type: "time.logged", schemaVersion: 1, payload: illFormed, position: 1) == nil)
        let emptyId = good.replacingOccurrences(of: "TE-1", with: "")
        #expect(FastPayloads.loggedRow(type: "time.logged", schemaVersion: 1, payload: Array(emptyId.utf8), position: 1) == nil)
        #expect(FastPayloads.loggedRow(type: "time.corrected", schemaVersion: 1, payload: Array(good.utf8), position: 1) == nil)
        #expect(FastPayloads.loggedRow(type: "time.logged", schemaVersion: 2, payload: Array(good.utf8), position: 1) == nil)
        #expect(FastPayloads.loggedRow(type: "time.logged", schemaVersion: 1, payload: Array((good + "1").utf8), position: 1) == nil)
    }

    /// Entries with and without their optional fields, ids with and without a number, and no entry at all.
    static let entries = [
        TimeEntryState(
            entryId: "TE-7", ticket: "T-42", tech: "tia", minutes: 95, workType: "remote", billable: true,
            startedAt: "2026-03-01T09:00:00.000Z", note: "on site ✓", voided: false, position: 1_234_567),
        TimeEntryState(
            entryId: "TE-9999999999", ticket: "T-ünï", tech: "", minutes: -3, workType: "", billable: false, startedAt: "",
            note: nil, voided: true, position: nil),
        TimeEntryState(
            entryId: "TE-0", ticket: "T-1", tech: "bob", minutes: 1, workType: "w", billable: true, startedAt: "s", note: nil,
            voided: false),
        TimeEntryState(
            entryId: "X-5", ticket: "T-1", tech: "bob", minutes: 1, workType: "w", billable: true, startedAt: "s", note: nil,
            voided: false),
        TimeEntryState(
            entryId: "TE-12345678901", ticket: "T-1", tech: "bob", minutes: 1, workType: "w", billable: true, startedAt: "s",
            note: nil, voided: false),
        .none,
    ]

    /// A time entry's row (`rm.time4.entries`, `TimeProjection.codec`) reads back field for field; a cut row or one
    /// with a byte more is an error.
    @Test(arguments: entries)
    func rowsReadBackExactly(entry: TimeEntryState) throws {
        let bytes = try TimeProjection.codec.encode(entry)
        #expect(try bytes.withUnsafeBytes { try TimeProjection.codec.decode($0) } == entry)
        #expect(throws: DecodingError.self) { try Array(bytes.dropLast()).withUnsafeBytes { try TimeProjection.codec.decode($0) } }
        #expect(throws: DecodingError.self) { try (bytes + [0]).withUnsafeBytes { try TimeProjection.codec.decode($0) } }
    }

    /// A row's key in the `by-ticket` index, read from its bytes, is the one its entry has: ticket (`ShortlexUTF8`), then
    /// entry number;
    /// none for an entry that does not exist or whose id has no number.
    @Test(arguments: entries)
    func theRowsIndexKeyIsItsEntrys(entry: TimeEntryState) throws {
        let row = TimeRow(entry)
        #expect(try row.entry() == entry)
        var fromRow = IndexKeys()
        row.addIndexKeys(to: &fromRow)
        var fromEntry = IndexKeys()
        if entry.exists, let number = TimeProjection.number(entry.entryId) {
            var ticket = entry.ticket
            ticket.withUTF8 { fromEntry.add(ShortlexUTF8(UnsafeRawBufferPointer($0)), number) }
        }
        #expect(fromRow.bytes == fromEntry.bytes)
        #expect(fromRow.entries.count == fromEntry.entries.count)
        #expect(fromRow.entries.count == (entry.entryId == "TE-7" || entry.entryId == "TE-9999999999" ? 1 : 0))
    }
}
