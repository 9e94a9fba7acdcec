import Domain
import ReadModelKit

/// A time entry as the `time` read model keeps it while it folds: its stored row (`TimeProjection.codec`, the format
/// number first), not a `TimeEntryState`. Most entries are one `time.logged`, whose row is written straight from the
/// payload's bytes (`FastPayloads.loggedRow`) and goes into the table as it is: no `String` per field, no entry to
/// copy and encode at the flush. The rarer corrections and voids read the entry back, change it and write it again.
struct TimeRow: Equatable {
    /// The row's stored bytes, the format number first.
    let bytes: [UInt8]

    /// A row of stored bytes (`TimeProjection.codec`'s).
    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The row of `entry`.
    init(_ entry: TimeEntryState) {
        var writer = RowWriter(format: TimeProjection.codec.format)
        TimeProjection.write(entry, &writer)
        bytes = writer.bytes
    }

    /// The entry the row holds.
    func entry() throws -> TimeEntryState { try bytes.withUnsafeBytes { try TimeProjection.codec.decode($0) } }

    /// Writes the row's fields after the format number (which `writer` wrote first).
    func write(to writer: inout RowWriter) {
        bytes.withUnsafeBytes { writer.fixed(UnsafeRawBufferPointer(rebasing: $0[1...])) }
    }

    /// Adds the row's key in the `by-ticket` index — its ticket, then its entry number — as an entry's is added
    /// (`keys.add(entry.ticket, number)`), read from the row's first two fields (the entry id and the ticket): none
    /// when the entry does not exist (an empty id) or its id has no number.
    func addIndexKeys(to keys: inout IndexKeys) {
        bytes.withUnsafeBytes { bytes in
            var reader = RowReader(bytes)
            guard let id = try? reader.fixed(reader.length()), !id.isEmpty, let number = TimeProjection.number(id),
                let ticket = try? reader.fixed(reader.length())
            else { return }
            keys.add(ShortlexUTF8(ticket), number)
        }
    }
}
