/// A Content-Transfer-Encoding (RFC 2045 §6).
public enum TransferEncoding: Equatable, Sendable {
    /// `7bit`, also the default: the body is as it is.
    case sevenBit
    /// `8bit`: the body is as it is.
    case eightBit
    /// `binary`: the body is as it is.
    case binary
    /// `quoted-printable` (RFC 2045 §6.7).
    case quotedPrintable
    /// `base64` (RFC 2045 §6.8).
    case base64
    /// A value this parser does not decode (x-uuencode, or junk); the body is taken as it is.
    case other(String)

    /// The encoding named by a Content-Transfer-Encoding value, or `.sevenBit` when `value` is nil.
    ///
    /// Lenient: case, blanks, parameters after `;` and spelling variants (`7-bit`, `quoted printable`) are
    /// tolerated.
    public init(headerValue value: String?) {
        guard let value else {
            self = .sevenBit
            return
        }
        let name = ASCII.lowercased(value.prefix { $0 != ";" && $0 != "(" })
            .filter { !$0.isWhitespace && $0 != "-" && $0 != "_" && $0 != "\"" }
        switch name {
        case "", "7bit", "7", "ascii", "usascii": self = .sevenBit
        case "8bit", "8": self = .eightBit
        case "binary": self = .binary
        case "quotedprintable", "qp": self = .quotedPrintable
        case "base64", "b64": self = .base64
        default: self = .other(ASCII.trimmed(value))
        }
    }

    /// `body` with this encoding undone.
    public func decode(_ body: some Collection<UInt8>) -> [UInt8] {
        switch self {
        case .quotedPrintable: QuotedPrintable.decode(body)
        case .base64: Base64.decode(body)
        case .sevenBit, .eightBit, .binary, .other: Array(body)
        }
    }
}
