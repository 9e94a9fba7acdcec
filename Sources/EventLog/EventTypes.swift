/// The event types a fold reads, told apart by their bytes (`UTF8Lookup`): every fold sees every event of the log and
/// passes over most of them, so the test that passes over one must cost little. A `Set<String>` hashed the whole type
/// on every event (some 480 instructions), and `==` against a type of 16 bytes or more compared it through the string
/// runtime (some 85); this compares the byte count first and the bytes only when it matches (a few dozen).
///
/// Most events are passed over by their byte count alone: bit n of `lengths` is set when a type of n bytes is among
/// them (bit 63: one of 63 bytes or more), and a type whose count has no bit is not looked for (the `outbox`, `alerts`
/// and `mail` folds pass over nearly every event of a log; the look-up cost them ~75 instructions an event each).
public struct EventTypes: Sendable {
    private let types: UTF8Lookup<Bool>
    private let lengths: UInt64

    /// The types `types` (duplicates are harmless).
    public init(_ types: [String]) {
        self.types = UTF8Lookup(types.map { ($0, true) })
        lengths = types.reduce(0) { $0 | EventTypes.bit(ofCount: $1.utf8.count) }
    }

    /// The bit of `lengths` for types of `count` bytes.
    private static func bit(ofCount count: Int) -> UInt64 { 1 << UInt64(min(count, 63)) }

    /// Whether `type` is one of the types.
    public func contains(_ type: String) -> Bool {
        guard lengths & EventTypes.bit(ofCount: type.utf8.count) != 0 else { return false }
        return types.value(type) ?? false
    }
}
