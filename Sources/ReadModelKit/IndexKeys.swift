/// The keys of rows in a table's secondary indexes, as the indexes write them (`RowIndex`, `add`): the ordered bytes
/// of every key one after the other in one array, and where each key is. A batch's index entries live in the batch's
/// one array of bytes (`RowTable.Writes`) and a row's stored keys in one `IndexKeys` of its own: an array per key (and
/// one per row and index to hold them) cost an allocation and a free each, for every row written.
public struct IndexKeys {
    /// The keys' bytes, one after the other (in a batch's writes, with the rows' keys and stored bytes).
    @usableFromInline var bytes: [UInt8]
    /// The keys, in the order they were added.
    @usableFromInline var entries: [IndexEntry]
    /// The place in the table's `indexes` of the index whose keys `add` adds.
    @usableFromInline var index = 0

    @inlinable init(bytes: [UInt8] = [], entries: [IndexEntry] = []) {
        self.bytes = bytes
        self.entries = entries
    }

    /// Adds the key of `parts`, in order: the bytes of `OrderedKey.of(parts...)`, written where the keys are kept.
    @inlinable public mutating func add<each Part: OrderedKeyPart>(_ parts: repeat each Part) {
        let start = bytes.count
        repeat (each parts).appendOrdered(to: &bytes)
        entries.append(IndexEntry(index, start..<bytes.count, fresh: true))
    }

    /// Keeps only the changes of a row's index entries: its keys added since `first` (`entries[first...]`, all fresh) are
    /// compared with `stored`, the keys of the row as stored; a key both have is dropped (it stays as it is), and a
    /// key only `stored` has is added to be deleted.
    @inlinable mutating func keepChanges(from stored: IndexKeys, after first: Int) {
        let fresh = first..<entries.count
        for old in stored.entries {
            let kept = stored.bytes.withUnsafeBytes { contains(UnsafeRawBufferPointer(rebasing: $0[old.key]), index: old.index, among: fresh) }
            guard !kept else { continue }
            let start = bytes.count
            bytes.append(contentsOf: stored.bytes[old.key])
            entries.append(IndexEntry(old.index, start..<bytes.count, fresh: false))
        }
        var changed = first
        for place in fresh {
            let entry = entries[place]
            let kept = bytes.withUnsafeBytes { stored.contains(UnsafeRawBufferPointer(rebasing: $0[entry.key]), index: entry.index, among: stored.entries.indices) }
            guard !kept else { continue }
            entries[changed] = entry
            changed += 1
        }
        entries.removeSubrange(changed..<fresh.upperBound)
    }

    /// Whether a key of index `index` among `entries[range]` has the bytes `key`.
    @inlinable func contains(_ key: UnsafeRawBufferPointer, index: Int, among range: Range<Int>) -> Bool {
        bytes.withUnsafeBytes { bytes in
            entries[range].contains { $0.index == index && UnsafeRawBufferPointer(rebasing: bytes[$0.key]).elementsEqual(key) }
        }
    }
}

/// A key of the index `index` (the place in the table's `indexes`): its bytes in the `IndexKeys` or batch that holds
/// it, and whether it is to be put (`fresh`) or deleted (the row as stored had it).
@usableFromInline struct IndexEntry {
    @usableFromInline let index: Int
    @usableFromInline let key: Range<Int>
    @usableFromInline var fresh: Bool

    @inlinable init(_ index: Int, _ key: Range<Int>, fresh: Bool) { (self.index, self.key, self.fresh) = (index, key, fresh) }
}
