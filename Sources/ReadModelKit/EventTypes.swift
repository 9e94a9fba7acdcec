import Foundation

/// The event types a fold reads, told apart by their bytes: every fold sees every event of the log and passes over
/// most of them, so the test that passes over one must cost little. A `Set<String>` hashed the whole type on every
/// event (some 480 instructions), and `==` against a type of 16 bytes or more compared it through the string
/// runtime (some 85); this compares the byte count first and the bytes only when it matches (a few dozen).
public struct EventTypes: Sendable {
    /// The types' bytes, in the order given.
    private let types: [[UInt8]]

    /// The types `types` (duplicates are harmless).
    public init(_ types: [String]) {
        self.types = types.map { Array($0.utf8) }
    }

    /// Whether `type` is one of the types.
    public func contains(_ type: String) -> Bool {
        // A type decoded from the log is native UTF-8, read in place; any other string is read through a copy.
        if let found = type.utf8.withContiguousStorageIfAvailable({ contains($0) }) { return found }
        return Array(type.utf8).withUnsafeBufferPointer { contains($0) }
    }

    private func contains(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for type in types where type.count == bytes.count {
            guard let base = bytes.baseAddress else { return true }
            if type.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, bytes.count) == 0 }) { return true }
        }
        return false
    }
}
