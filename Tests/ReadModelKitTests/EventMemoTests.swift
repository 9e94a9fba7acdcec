import EventLog
import Foundation
import ReadModelKit
import Testing

/// `EventMemo`: a value is derived once per event while the memo holds it; forgetting through a position lets go of
/// the events at it and before, and keeps the later ones.
@Suite struct EventMemoTests {
    static func event(_ position: UInt64) -> RecordedEvent {
        RecordedEvent(
            position: position, stream: "s-\(position)", streamVersion: 1, type: "test.noted", schemaVersion: 1,
            eventId: UUID(), commandId: nil, actor: "ann", recordedAt: .init(millisecondsSinceEpoch: 0),
            payload: Array("{\"n\":\(position)}".utf8), hash: .zero)
    }

    /// Counts the derivations of a memo of positions.
    final class Counter: @unchecked Sendable {
        var derived: [UInt64] = []
        func derive(_ event: RecordedEvent) -> UInt64 {
            derived.append(event.position)
            return event.position * 10
        }
    }

    @Test func aHeldEventIsDerivedOnce() {
        let memo = EventMemo<UInt64>()
        let counter = Counter()
        let events = (1...4 as ClosedRange<UInt64>).map(Self.event)
        for _ in 0..<3 {
            for event in events { #expect(memo.value(of: event, counter.derive) == event.position * 10) }
        }
        #expect(counter.derived == [1, 2, 3, 4])
        #expect(memo.highestPosition == 4)
    }

    /// A memo of references starts from zeroed memory it does not write empty slots into (`EventMemo.init`): every slot
    /// reads as empty, so each event is derived once and then held, and `forget` lets go of each slot filled (were the
    /// zeroed slots not empty, they would not be known as filled: nothing would be forgotten, and the highest position
    /// held would be 0).
    @Test func aMemoOfReferencesStartsEmptyInEverySlot() {
        final class Box {
            let position: UInt64
            init(_ position: UInt64) { self.position = position }
        }
        let memo = EventMemo<Box>(capacity: 64)
        var derived = 0
        let events = (137...200 as ClosedRange<UInt64>).map(Self.event)
        func look(_ event: RecordedEvent) -> UInt64 {
            memo.value(of: event) { event in
                derived += 1
                return Box(event.position)
            }.position
        }
        for event in events { #expect(look(event) == event.position) }
        #expect(derived == 64)
        for event in events { _ = look(event) }
        #expect(derived == 64, "every slot holds its event")
        #expect(memo.highestPosition == 200)
        memo.forget()
        #expect(memo.highestPosition == 0)
        for event in events { _ = look(event) }
        #expect(derived == 128, "every slot was forgotten")
    }

    /// A hit is the very event handed over before: the same position decoded again (another payload buffer) is derived
    /// again, never taken for another event's value.
    @Test func theSamePositionDecodedAgainIsDerivedAgain() {
        let memo = EventMemo<UInt64>()
        let counter = Counter()
        let first = Self.event(7)
        _ = memo.value(of: first, counter.derive)
        let again = Self.event(7)
        #expect(memo.value(of: again, counter.derive) == 70)
        #expect(counter.derived == [7, 7])
        // The slot now holds the second decode: it is the one found.
        #expect(memo.value(of: again, counter.derive) == 70)
        #expect(counter.derived == [7, 7])
    }

    /// Another event at the same position is never taken for the one held, even when it comes in the same payload
    /// buffer (a buffer freed and made again at the same address): its chained hash differs.
    @Test func anotherEventInTheSameBufferIsDerivedAgain() {
        let memo = EventMemo<UInt64>()
        let counter = Counter()
        var first = Self.event(5)
        first.hash = Digest(hex: String(repeating: "ab", count: 32))!
        var other = first
        other.hash = Digest(hex: String(repeating: "cd", count: 32))!
        #expect(first.payload.withUnsafeBytes { $0.baseAddress } == other.payload.withUnsafeBytes { $0.baseAddress })
        _ = memo.value(of: first, counter.derive)
        _ = memo.value(of: other, counter.derive)
        #expect(counter.derived == [5, 5])
        _ = memo.value(of: other, counter.derive)
        #expect(counter.derived == [5, 5], "the event held now is found")
    }

    /// The memo keeps no reference to an event: its payload's buffer is still the event's alone (changing it in place
    /// copies nothing), so forgetting the memo's slots frees no event's bytes.
    @Test func theMemoHoldsNoReferenceToThePayload() {
        let memo = EventMemo<UInt64>()
        var event = Self.event(3)
        _ = memo.value(of: event, Counter().derive)
        let before = event.payload.withUnsafeBytes { $0.baseAddress }
        let after = event.payload.withUnsafeMutableBytes { $0.baseAddress.map(UnsafeRawPointer.init) }
        #expect(before != nil && before == after)
    }

    @Test func forgettingThroughAPositionKeepsTheEventsAfterIt() {
        let memo = EventMemo<UInt64>()
        let counter = Counter()
        let events = (1...6 as ClosedRange<UInt64>).map(Self.event)
        for event in events { _ = memo.value(of: event, counter.derive) }
        memo.forget(through: 3)
        #expect(memo.highestPosition == 6)
        for event in events { #expect(memo.value(of: event, counter.derive) == event.position * 10) }
        #expect(counter.derived == [1, 2, 3, 4, 5, 6, 1, 2, 3])
        memo.forget()
        #expect(memo.highestPosition == 0)
        _ = memo.value(of: events[5], counter.derive)
        #expect(counter.derived.last == 6 && counter.derived.count == 10)
    }

    /// Threads asking for events at once, and forgetting them, each get every event's own value: a slot and its stripe's
    /// list of slots used are only touched with the stripe's mutex held (97 slots: two stripes of runs of 64).
    @Test func threadsAskingAtOnceGetEachEventsValue() {
        let memo = EventMemo<[UInt64]>(capacity: 97)
        let events = (1...600 as ClosedRange<UInt64>).map(Self.event)
        let wrong = NSLock()
        nonisolated(unsafe) var mismatches = 0
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<40 {
                for event in events where (event.position + UInt64(round)) % 3 != UInt64(thread % 3) {
                    // An array value: a slot read while another thread writes it would be a torn or freed reference.
                    let value = memo.value(of: event) { [$0.position, $0.position * 2] }
                    if value != [event.position, event.position * 2] { wrong.withLock { mismatches += 1 } }
                }
                if round % 7 == thread { memo.forget() } else if round % 5 == 0 { memo.forget(through: UInt64(round * 15)) }
                _ = memo.highestPosition
            }
        }
        #expect(mismatches == 0)
    }
}
