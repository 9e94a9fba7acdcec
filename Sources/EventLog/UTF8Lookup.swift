import Foundation

/// Values found by the exact UTF-8 bytes of a string: the byte count first, then one `memcmp`. Meant for the short
/// lists a fold matches on every event or field (the event types it reads, an enumeration's raw values), where
/// hashing the string, or comparing `String`s through the string runtime, cost several times more.
public struct UTF8Lookup<Value: Sendable>: Sendable {
    @usableFromInline let entries: [(bytes: [UInt8], value: Value)]

    /// The entries, looked through in this order.
    public init(_ entries: [(key: String, value: Value)]) {
        self.entries = entries.map { (Array($0.key.utf8), $0.value) }
    }

    /// The value of the first entry whose key is `bytes`, or nil.
    @inlinable public func value(_ bytes: UnsafeRawBufferPointer) -> Value? {
        // By index: a copy of an entry retained and released its bytes.
        for index in entries.indices where entries[index].bytes.count == bytes.count {
            guard let base = bytes.baseAddress else { return entries[index].value }
            if entries[index].bytes.withUnsafeBytes({ memcmp($0.baseAddress!, base, bytes.count) }) == 0 { return entries[index].value }
        }
        return nil
    }

    /// The value of the first entry whose key is `text`, byte for byte, or nil. A string decoded from the log is native
    /// UTF-8, read in place; any other is read through a copy.
    @inlinable public func value(_ text: String) -> Value? {
        if let found = text.utf8.withContiguousStorageIfAvailable({ value(UnsafeRawBufferPointer($0)) }) { return found }
        return Array(text.utf8).withUnsafeBytes { value($0) }
    }
}
