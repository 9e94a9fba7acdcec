/// The event types a fold reads, told apart by their bytes (`UTF8Lookup`): every fold sees every event of the log and
/// passes over most of them, so the test that passes over one must cost little. A `Set<String>` hashed the whole type
/// on every event (some 480 instructions), and `==` against a type of 16 bytes or more compared it through the string
/// runtime (some 85); this compares the byte count first and the bytes only when it matches (a few dozen).
public struct EventTypes: Sendable {
    private let types: UTF8Lookup<Bool>

    /// The types `types` (duplicates are harmless).
    public init(_ types: [String]) {
        self.types = UTF8Lookup(types.map { ($0, true) })
    }

    /// Whether `type` is one of the types.
    public func contains(_ type: String) -> Bool { types.value(type) ?? false }
}
