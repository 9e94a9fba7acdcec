import DocketTime

/// A refusal's text that names instants, kept apart from the words around them: ``DomainError/message`` writes them
/// RFC 3339 UTC (what the HTTP API's problems and logs carry), and a caller that knows the reader's time zone writes
/// them in it (``DomainError/timesWritten(_:)``: the CLI's `2026-11-06 17:00 EST`, as its other output gives times).
///
///     DomainError(.invalid, timed: "the timer started at \(time: start); …")
public struct TimedMessage: ExpressibleByStringInterpolation, Equatable, Sendable {
    /// Words, or an instant to write.
    enum Piece: Equatable, Sendable {
        case text(String)
        case time(Timestamp)
    }

    private var pieces: [Piece]

    /// Words alone.
    public init(stringLiteral value: String) { pieces = [.text(value)] }

    public init(stringInterpolation: Interpolation) { pieces = stringInterpolation.pieces }

    /// One message after the other (a long message written in parts).
    public static func + (lhs: TimedMessage, rhs: TimedMessage) -> TimedMessage {
        var joined = lhs
        joined.pieces += rhs.pieces
        return joined
    }

    /// The text with each instant written by `write`.
    public func text(_ write: (Timestamp) -> String) -> String {
        var text = ""
        for piece in pieces {
            switch piece {
            case .text(let words): text += words
            case .time(let instant): text += write(instant)
            }
        }
        return text
    }

    /// Builds a message: `\(time: instant)` is an instant, anything else is words (as in a string).
    public struct Interpolation: StringInterpolationProtocol {
        fileprivate var pieces: [Piece] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { pieces.append(.text(literal)) }

        /// An instant, written as the reader's caller chooses.
        public mutating func appendInterpolation(time instant: Timestamp) { pieces.append(.time(instant)) }

        /// An RFC 3339 time kept as text (a payload's field): an instant when it reads as one, else the text.
        public mutating func appendInterpolation(time text: String) {
            pieces.append(Timestamp(iso8601: text).map(Piece.time) ?? .text(text))
        }

        /// Another message, its instants kept apart.
        public mutating func appendInterpolation(_ message: TimedMessage) { pieces += message.pieces }

        /// Anything else, as a string interpolation writes it.
        public mutating func appendInterpolation(_ value: some Any) { pieces.append(.text("\(value)")) }
    }
}
