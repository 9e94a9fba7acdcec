/// UTC offsets of one zone over a span of instants, as a sorted list of transitions; all values in seconds.
///
/// This is where a local wall-clock time becomes an instant (`resolve(local:)`), so the DST rules live here:
/// a local time that happens twice means its first occurrence; a local time skipped by a clock change moves
/// forward by the length of the skip (it is read with the offset in force before the change).
struct OffsetTable: Sendable {
    /// Further from any instant than any UTC offset, so every candidate reading of a local time lies within it.
    static let margin: Int64 = 2 * 86_400

    /// The table is exact for instants in `[coverageStart, coverageEnd)`.
    let coverageStart: Int64
    let coverageEnd: Int64
    /// Instants at which a new offset starts, increasing.
    let transitions: [Int64]
    /// `offsets[i]` is in force from `transitions[i - 1]` (or `coverageStart`) until `transitions[i]`
    /// (or `coverageEnd`).
    let offsets: [Int64]

    /// A zone with one offset for all time.
    static func fixed(offset: Int64) -> OffsetTable {
        OffsetTable(coverageStart: Int64.min / 4, coverageEnd: Int64.max / 4, transitions: [], offsets: [offset])
    }

    /// Whether `first...last` lies inside the covered span.
    func covers(_ first: Int64, _ last: Int64) -> Bool {
        first >= coverageStart && last < coverageEnd
    }

    /// The index of the offset in force at `instant` (the number of transitions at or before it).
    func segment(containing instant: Int64) -> Int {
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= instant { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func segmentStart(_ index: Int) -> Int64 { index == 0 ? coverageStart : transitions[index - 1] }
    func segmentEnd(_ index: Int) -> Int64 { index == transitions.count ? coverageEnd : transitions[index] }

    /// The offset in force at `instant`.
    func offset(at instant: Int64) -> Int64 { offsets[segment(containing: instant)] }

    /// The instant at which the local clock reads `local` (seconds since 1970-01-01T00:00 local, as if it were UTC).
    ///
    /// Rule 1: a local time that happens twice (the clock was set back) means its first, earlier occurrence.
    /// Rule 2: a local time that never happens (the clock was set forward) is moved forward by the length of the
    /// skip: it is read with the offset in force before the change (02:30 on a spring-forward night gives 03:30).
    /// The caller makes sure `local ± margin` is covered.
    func resolve(local: Int64) -> Int64 {
        resolve(local: local, first: segment(containing: local - Self.margin), last: segment(containing: local + Self.margin))
    }

    /// `resolve(local:)`, its segments searched from `hint`, a segment at or before the one holding `local - margin`
    /// (the times of one day are resolved from the segment of its first: a few steps each, not two searches).
    func resolve(local: Int64, from hint: Int) -> Int64 {
        var first = hint
        while first < transitions.count, transitions[first] <= local - Self.margin { first += 1 }
        var last = first
        while last < transitions.count, transitions[last] <= local + Self.margin { last += 1 }
        return resolve(local: local, first: first, last: last)
    }

    /// `resolve(local:)` with `first` and `last` the segments holding `local - margin` and `local + margin`.
    private func resolve(local: Int64, first: Int, last: Int) -> Int64 {
        if first == last { return local - offsets[first] }
        // Segments are in time order, so the first that holds a reading holds the earliest one (rule 1).
        for index in first...last {
            let instant = local - offsets[index]
            if instant >= segmentStart(index) && instant < segmentEnd(index) { return instant }
        }
        // No reading: `local` falls in the skip of a forward change (rule 2).
        for index in (first + 1)...last {
            let change = transitions[index - 1]
            if change + offsets[index - 1] <= local && local < change + offsets[index] {
                return local - offsets[index - 1]
            }
        }
        return local - offsets[first]
    }
}
