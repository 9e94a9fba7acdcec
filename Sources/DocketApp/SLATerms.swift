import DocketTime
import Domain
import EventLog
import Foundation
import LMDB
import ReadModelKit

/// Frozen SLA terms stored once per distinct content (read-model format of `sla` 2 and `queue` 3).
///
/// A `ticket.sla-started` payload is the policy, the whole calendar, the targets, the warnings and escalations —
/// the same for every ticket under one policy — plus the ticket's own `priority` and `startedAt`. Its *content* is
/// the schema version and the payload bytes with the values of those two top-level keys cut out; the SHA-256 of the
/// content addresses it. A model keeps one copy per content (`digest → schema version u16 BE ‖ the first payload
/// seen`) and each ticket's row keeps the digest, its start instant and its start priority.
///
/// Two payloads with the same content differ only in those two values, so the terms decoded from the stored copy
/// with the row's start instant and priority put back are exactly the ticket's own `TicketSLAStarted`.
enum SLATerms {
    /// The content address of a `ticket.sla-started` payload and the raw values of its `priority` and `startedAt`;
    /// nil when the payload is not a JSON object with exactly one of each key at the top (then it is not shared).
    struct Content {
        let digest: Digest
        let priority: Range<Int>
        let startedAt: Range<Int>
    }

    static func content(schemaVersion: UInt16, payload: [UInt8]) -> Content? {
        guard let (priority, startedAt) = ranges(in: payload) else { return nil }
        let (first, second) = ordered(priority, startedAt)
        var bytes = withUnsafeBytes(of: schemaVersion.bigEndian) { Array($0) }
        bytes.reserveCapacity(payload.count + 2)
        bytes += payload[..<first.lowerBound]
        bytes.append(0)
        bytes += payload[first.upperBound..<second.lowerBound]
        bytes.append(0)
        bytes += payload[second.upperBound...]
        return Content(digest: bytes.withUnsafeBytes { Digest.sha256($0) }, priority: priority, startedAt: startedAt)
    }

    /// The byte ranges of the values of the top-level `priority` and `startedAt` of `payload`; nil when it is not a
    /// JSON object with exactly one of each.
    static func ranges(in payload: [UInt8]) -> (priority: Range<Int>, startedAt: Range<Int>)? {
        guard let values = TopLevelJSON.values(of: keys, in: payload), let priority = values[0], let startedAt = values[1]
        else { return nil }
        return (priority, startedAt)
    }

    private static let keys = [Array("priority".utf8), Array("startedAt".utf8)]

    /// Two ranges, the one that comes first in the payload first.
    static func ordered(_ a: Range<Int>, _ b: Range<Int>) -> (Range<Int>, Range<Int>) {
        a.lowerBound < b.lowerBound ? (a, b) : (b, a)
    }

    /// The priority a JSON string value without escapes names (`"P3"`), read from its four bytes; nil otherwise, as
    /// `plainString(payload, range).flatMap(Priority.init(rawValue:))` answers (without making the string, ~500
    /// instructions a `ticket.sla-started`).
    static func priority(_ payload: [UInt8], _ range: Range<Int>) -> Priority? {
        guard range.count == 4, range.upperBound <= payload.count, payload[range.lowerBound] == UInt8(ascii: "\""),
            payload[range.lowerBound + 1] == UInt8(ascii: "P"), payload[range.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        switch payload[range.lowerBound + 2] {
        case UInt8(ascii: "1"): return .p1
        case UInt8(ascii: "2"): return .p2
        case UInt8(ascii: "3"): return .p3
        case UInt8(ascii: "4"): return .p4
        default: return nil
        }
    }

    /// The instant a JSON string value without escapes names, as
    /// `plainString(payload, range).flatMap(Timestamp.init(iso8601:))` answers, parsed from the payload's bytes where
    /// they are (making the text first cost ~1,500 instructions a `ticket.sla-started`).
    static func instant(_ payload: [UInt8], _ range: Range<Int>) -> Timestamp? {
        guard range.count >= 2, range.upperBound <= payload.count, payload[range.lowerBound] == UInt8(ascii: "\""),
            payload[range.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        return payload.withUnsafeBytes { bytes in
            let text = UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
            return canonicalInstant(text) ?? Timestamp(iso8601UTF8: text)
        }
    }

    /// The instant of `2026-03-02T09:00:00.000Z` exactly as Docket writes it (24 bytes, every field its digits, a valid
    /// date and time), read field by field; nil for anything else, which `Timestamp(iso8601UTF8:)` then reads (its
    /// scanner, written for every RFC 3339 form, made `instant` some 410 instructions, 320 this way).
    static func canonicalInstant(_ text: UnsafeRawBufferPointer) -> Timestamp? {
        guard text.count == 24, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: "T"),
            text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[19] == UInt8(ascii: "."),
            text[23] == UInt8(ascii: "Z")
        else { return nil }
        var valid = true
        func number(_ start: Int, _ count: Int) -> Int {
            var value = 0
            for index in start..<(start + count) {
                let digit = text[index] &- UInt8(ascii: "0")
                if digit > 9 { valid = false }
                value = value * 10 + Int(digit)
            }
            return value
        }
        let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2))
        let (hour, minute, second, millis) = (number(11, 2), number(14, 2), number(17, 2), number(20, 3))
        guard valid, month >= 1, month <= 12, day >= 1, day <= CivilCalendar.daysIn(month: month, year: year), hour < 24,
            minute < 60, second < 60
        else { return nil }
        let days = CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Timestamp(millisecondsSinceEpoch: seconds * 1000 + Int64(millis))
    }

    /// A JSON string value without escapes (`"p3"`), as text; nil otherwise.
    static func plainString(_ payload: [UInt8], _ range: Range<Int>) -> String? {
        guard range.count >= 2, payload[range.lowerBound] == UInt8(ascii: "\""), payload[range.upperBound - 1] == UInt8(ascii: "\""),
            !payload[range].dropFirst().dropLast().contains(UInt8(ascii: "\\"))
        else { return nil }
        return String(decoding: payload[(range.lowerBound + 1)..<(range.upperBound - 1)], as: UTF8.self)
    }
}

/// Decoded `ticket.sla-started` terms by content digest: decoding one (a whole calendar) is the costly part of
/// folding a ticket, and every ticket under one policy carries the same terms.
/// One cache per `TicketChanges` (per store's read models), never a global.
final class SLATermsCache: @unchecked Sendable {
    // @unchecked Sendable: every access to `terms` and `recent` takes `lock`, held only to read or replace them: the
    // payload comparisons run on a copy of `recent` (an array is copied on write, so a copy stays as it was taken). Both
    // fold threads ask at once (each model's fold asks for the terms of each start, and of each stored clock read
    // back), and a thread that waited for the other while it compared 2 KB payloads slept (`AdaptiveLock`).
    /// Distinct terms kept before the cache starts afresh (a store has a handful of policies × amendments).
    static let capacity = 4_096

    /// Payloads whose content was hashed last, newest first: the next `ticket.sla-started` is most often under a
    /// policy seen just before, and comparing its ~2 KB with one of them costs far less than hashing it.
    static let recentCapacity = 8

    private let lock = AdaptiveLock()
    private var terms: [Digest: TicketSLAStarted] = [:]
    /// Only read or replaced under `lock`: its accesses are not checked at run time for overlap as well
    /// (`swift_beginAccess`, some 60 instructions a `ticket.sla-started`).
    @exclusivity(unchecked) private var recent: [RecentContent] = []

    /// A payload whose content was hashed: the digest holds for any payload equal to it outside the values of
    /// `priority` and `startedAt` (with the same schema version): its content bytes are then the same.
    struct RecentContent {
        let schemaVersion: UInt16
        let payload: [UInt8]
        let priority: Range<Int>
        let startedAt: Range<Int>
        let first: Range<Int>
        let second: Range<Int>
        let digest: Digest
        /// Whether both values are strings without escapes (`"p3"`): see `sameLayout`.
        let plainValues: Bool
        /// The terms of this content, decoded, once they are kept (`SLATermsCache.keep`).
        var terms: TicketSLAStarted?

        init(schemaVersion: UInt16, payload: [UInt8], priority: Range<Int>, startedAt: Range<Int>, digest: Digest) {
            (self.schemaVersion, self.payload, self.priority, self.startedAt, self.digest) =
                (schemaVersion, payload, priority, startedAt, digest)
            (first, second) = SLATerms.ordered(priority, startedAt)
            plainValues = RecentContent.isPlainString(payload, priority) && RecentContent.isPlainString(payload, startedAt)
        }

        /// Whether `payload` is this payload with other values of `priority` and `startedAt` of the same lengths,
        /// both strings without escapes — checked without reading it as JSON (a `ticket.sla-started` is ~2 KB). Then
        /// `SLATerms.ranges` finds the same two ranges in it (a string of the same length with no quote or backslash
        /// inside ends where the old one did, and every other byte is the same), so its content is this one's.
        func sameLayout(_ schemaVersion: UInt16, _ payload: [UInt8]) -> Bool {
            guard plainValues, schemaVersion == self.schemaVersion, payload.count == self.payload.count,
                RecentContent.isPlainString(payload, first), RecentContent.isPlainString(payload, second)
            else { return false }
            return payload.withUnsafeBytes { new in
                self.payload.withUnsafeBytes { old in
                    memcmp(new.baseAddress!, old.baseAddress!, first.lowerBound) == 0
                        && memcmp(
                            new.baseAddress! + first.upperBound, old.baseAddress! + first.upperBound,
                            second.lowerBound - first.upperBound) == 0
                        && memcmp(
                            new.baseAddress! + second.upperBound, old.baseAddress! + second.upperBound,
                            payload.count - second.upperBound) == 0
                }
            }
        }

        /// Whether `payload[range]` is a JSON string with no quote or backslash inside (a control character inside
        /// would be invalid JSON either way: the full decode refuses it).
        static func isPlainString(_ payload: [UInt8], _ range: Range<Int>) -> Bool {
            guard range.count >= 2, range.upperBound <= payload.count, payload[range.lowerBound] == UInt8(ascii: "\""),
                payload[range.upperBound - 1] == UInt8(ascii: "\"")
            else { return false }
            return !payload[(range.lowerBound + 1)..<(range.upperBound - 1)].contains {
                $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
            }
        }

        /// Whether `payload`, whose values of `priority` and `startedAt` are at `first` and `second` (in payload
        /// order), has this content.
        func matches(_ schemaVersion: UInt16, _ payload: [UInt8], _ first: Range<Int>, _ second: Range<Int>) -> Bool {
            guard schemaVersion == self.schemaVersion, first.lowerBound == self.first.lowerBound,
                payload.count - first.count - second.count == self.payload.count - self.first.count - self.second.count,
                second.lowerBound - first.upperBound == self.second.lowerBound - self.first.upperBound
            else { return false }
            return payload.withUnsafeBytes { new in
                self.payload.withUnsafeBytes { old in
                    memcmp(new.baseAddress!, old.baseAddress!, first.lowerBound) == 0
                        && memcmp(
                            new.baseAddress! + first.upperBound, old.baseAddress! + self.first.upperBound,
                            second.lowerBound - first.upperBound) == 0
                        && memcmp(
                            new.baseAddress! + second.upperBound, old.baseAddress! + self.second.upperBound,
                            payload.count - second.upperBound) == 0
                }
            }
        }
    }

    /// The content of a `ticket.sla-started` payload (`SLATerms.content`), its digest taken from a recent payload
    /// with the same content when there is one, with that payload's decoded terms when they were kept (`keep`).
    /// A payload laid out like a recent one (the commonest case: the same policy, another ticket) is not scanned at all.
    func content(schemaVersion: UInt16, payload: [UInt8]) -> (content: SLATerms.Content, terms: TicketSLAStarted?)? {
        // The entries compared are those of a copy taken under the lock (the array's storage retained, no entry
        // copied); the recent entry's fields are read where it is kept: a copy of the entry retained its payload and
        // every part of its terms.
        let seen = lock.withLock { recent }
        if let index = seen.firstIndex(where: { $0.sameLayout(schemaVersion, payload) }) {
            return (
                SLATerms.Content(digest: seen[index].digest, priority: seen[index].priority, startedAt: seen[index].startedAt),
                seen[index].terms
            )
        }
        guard let (priority, startedAt) = SLATerms.ranges(in: payload) else { return nil }
        let (first, second) = SLATerms.ordered(priority, startedAt)
        if let index = seen.firstIndex(where: { $0.matches(schemaVersion, payload, first, second) }) {
            return (SLATerms.Content(digest: seen[index].digest, priority: priority, startedAt: startedAt), seen[index].terms)
        }
        guard let content = SLATerms.content(schemaVersion: schemaVersion, payload: payload) else { return nil }
        lock.withLock {
            if recent.count >= SLATermsCache.recentCapacity { recent.removeLast() }
            recent.insert(
                RecentContent(
                    schemaVersion: schemaVersion, payload: payload, priority: priority, startedAt: startedAt, digest: content.digest),
                at: 0)
        }
        return (content, nil)
    }

    func cached(_ digest: Digest) -> TicketSLAStarted? { lock.withLock { terms[digest] } }

    func keep(_ started: TicketSLAStarted, for digest: Digest) {
        lock.withLock {
            if terms.count >= SLATermsCache.capacity { terms.removeAll(keepingCapacity: true) }
            terms[digest] = started
            for index in recent.indices where recent[index].digest == digest { recent[index].terms = started }
        }
    }

    /// The event's `TicketSLAStarted` with its content digest: from the cache when terms of the same content were
    /// decoded before (only the priority and start instant are read), else decoded in full. Terms of a recent payload
    /// come with its content, without a look-up by digest (hashing 32 bytes, ~800 instructions a start).
    func started(_ event: RecordedEvent) throws -> (TicketSLAStarted, Digest?) {
        let found = content(schemaVersion: event.schemaVersion, payload: event.payload)
        let content = found?.content
        if let content, var started = found?.terms ?? cached(content.digest),
            let priority = SLATerms.priority(event.payload, content.priority),
            let startedAt = SLATerms.instant(event.payload, content.startedAt)
        {
            started.priority = priority
            started.startedAt = startedAt
            return (started, content.digest)
        }
        guard case .started(let started) = try TicketSLAEvent.decode(
            type: event.type, schemaVersion: event.schemaVersion, payload: event.payload)
        else { throw SLATermsError.notAStart(event.type) }
        if let content { keep(started, for: content.digest) }
        return (started, content?.digest)
    }
}

/// One model's table of frozen SLA terms: digest (32 bytes) → schema version (u16 BE) ‖ the first payload seen.
struct SLATermsTable {
    /// The model's terms table: read through it, so that a fold sees terms its batch (or the sealed one) kept.
    let table: RawTable
    /// The decoded terms already seen, by digest.
    let cache: SLATermsCache

    /// Keeps the terms of `event` (a `ticket.sla-started` with content `digest`) in `table`, the model's terms table
    /// (written at its `flush`), unless the transaction sees them there already: the first payload seen stays.
    static func keep(_ event: RecordedEvent, digest: Digest, in table: RawTable, txn: borrowing Transaction) throws {
        try table.putIfAbsent(withUnsafeBytes(of: digest) { Array($0) }, txn: txn) {
            withUnsafeBytes(of: event.schemaVersion.bigEndian) { Array($0) } + event.payload
        }
    }

    /// The terms stored under `digest`, with `priority` and `startedAt` put back.
    func started(_ digest: Digest, priority: Priority, startedAt: Timestamp, txn: borrowing Transaction) throws -> TicketSLAStarted {
        var started: TicketSLAStarted
        if let cached = cache.cached(digest) {
            started = cached
        } else {
            let stored = try table.value(withUnsafeBytes(of: digest) { Array($0) }, txn: txn)
            guard let stored, stored.count > 2,
                case .started(let decoded) = try TicketSLAEvent.decode(
                    type: "ticket.sla-started", schemaVersion: UInt16(stored[0]) << 8 | UInt16(stored[1]),
                    payload: Array(stored[2...]))
            else { throw SLATermsError.missing(table.database.name, digest) }
            cache.keep(decoded, for: digest)
            started = decoded
        }
        started.priority = priority
        started.startedAt = startedAt
        return started
    }
}

/// A clock as a row stores it: its progress, and its terms by reference (see `SLATerms`).
struct StoredSLAClock: Equatable {
    /// The terms' content digest, or nil for terms that are not shared: then `started` holds them.
    var terms: Digest?
    var startedAt: Int64
    var startPriority: Priority
    var started: TicketSLAStarted?
    var progress: SLAClockProgress

    init(terms: Digest?, startedAt: Int64, startPriority: Priority, started: TicketSLAStarted?, progress: SLAClockProgress) {
        self.terms = terms
        self.startedAt = startedAt
        self.startPriority = startPriority
        self.started = started
        self.progress = progress
    }

    /// The whole clock, its terms read from `table`.
    func clock(_ table: SLATermsTable, txn: borrowing Transaction) throws -> SLAClock {
        if let started { return SLAClock(started: started, progress: progress) }
        guard let digest = terms else { throw SLATermsError.missing(table.table.database.name, nil) }
        let terms = try table.started(
            digest, priority: startPriority, startedAt: Timestamp(millisecondsSinceEpoch: startedAt), txn: txn)
        return SLAClock(started: terms, progress: progress)
    }
}

/// A read model's SLA terms are missing or the event is not a start: the model is damaged (`docket rebuild`).
enum SLATermsError: Error, CustomStringConvertible {
    case missing(String, Digest?)
    case notAStart(String)

    var description: String {
        switch self {
        case .missing(let database, let digest):
            "the SLA terms \(digest?.hex ?? "(no reference)") are missing from \(database); run `docket rebuild`"
        case .notAStart(let type): "\(type) is not a ticket.sla-started event"
        }
    }
}

/// Finding the values of chosen keys at the top level of a JSON object without decoding it.
enum TopLevelJSON {
    /// The byte range of the value of each of `keys` (UTF-8) at the top level of the object in `bytes`, in the order
    /// of `keys` (nil for a key not there); nil when the text is not an object, a key has escapes, or one of `keys`
    /// appears twice.
    static func values(of keys: [[UInt8]], in bytes: [UInt8]) -> [Range<Int>?]? {
        var found = [Range<Int>?](repeating: nil, count: keys.count)
        var i = skipSpace(bytes, 0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        i = skipSpace(bytes, i + 1)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return found }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\""), let keyEnd = stringEnd(bytes, i) else { return nil }
            let keyBytes = bytes[(i + 1)..<(keyEnd - 1)]
            if keyBytes.contains(UInt8(ascii: "\\")) { return nil }
            i = skipSpace(bytes, keyEnd)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            let start = skipSpace(bytes, i + 1)
            guard let end = valueEnd(bytes, start) else { return nil }
            if let index = keys.firstIndex(where: { $0.elementsEqual(keyBytes) }) {
                guard found[index] == nil else { return nil }
                found[index] = start..<end
            }
            i = skipSpace(bytes, end)
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "}") { return found }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i = skipSpace(bytes, i + 1)
        }
        return nil
    }

    private static func skipSpace(_ bytes: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i
    }

    /// The index after the closing quote of the string starting at `start`.
    private static func stringEnd(_ bytes: [UInt8], _ start: Int) -> Int? {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// The index after the value starting at `start`.
    private static func valueEnd(_ bytes: [UInt8], _ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return stringEnd(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(bytes, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            var i = start
            while i < bytes.count, !",}] \n\r\t".utf8.contains(bytes[i]) { i += 1 }
            return i > start ? i : nil
        }
    }
}
