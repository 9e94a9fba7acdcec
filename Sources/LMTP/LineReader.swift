/// Splits the bytes a client sends into lines, ending at LF with an optional CR before it (both removed).
/// A line longer than ``maxLineBytes`` is an error: RFC 5321 allows 1,000 bytes, so a client sending far more is
/// broken or hostile, and its connection is closed rather than buffered without bound.
public struct LineReader: Sendable {
    /// The longest line taken, in bytes, without its line end.
    public let maxLineBytes: Int
    private var partial: [UInt8] = []

    /// The line is longer than the reader takes.
    public struct LineTooLong: Error, Equatable, Sendable {}

    /// A reader taking lines up to `maxLineBytes` long.
    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// The complete lines in what has arrived so far, with `bytes` added; an unfinished line waits for more.
    public mutating func lines(adding bytes: some Sequence<UInt8>) throws(LineTooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in bytes {
            if byte == 10 {
                if partial.last == 13 { partial.removeLast() }
                lines.append(partial)
                partial = []
            } else {
                guard partial.count <= maxLineBytes else { throw LineTooLong() }
                partial.append(byte)
            }
        }
        return lines
    }

    /// True when nothing is left over from an unfinished line.
    public var isEmpty: Bool { partial.isEmpty }
}
