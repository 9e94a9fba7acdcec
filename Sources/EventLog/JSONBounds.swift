/// How deeply JSON text nests, measured without parsing it, so a hostile input can be refused before a
/// recursive parser overflows the stack on it.
public enum JSONBounds {
    /// The deepest nesting of objects and arrays Docket accepts in any JSON or YAML input.
    public static let maxDepth = 64

    /// The deepest nesting of `[` and `{` in `bytes`. With `quotes` (JSON), brackets inside strings are
    /// skipped; without (YAML, whose quoting rules differ), every bracket counts, which can only overstate.
    /// Inlinable, so that a caller's module specializes it for its collection: unspecialized, every byte went
    /// through the generic iterator's witness table (56 % of `event append --stdin`'s CPU).
    @inlinable
    public static func depth(of bytes: some Sequence<UInt8>, quotes: Bool = true) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\"") where quotes: inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }
}
