// A hand-written Windows-1252 table: Foundation on Linux refuses Windows-1252's five unassigned bytes and the parser
// must never fail on text. ISO-8859-1 is decoded with it too: both map 0x00–0x7F and 0xA0–0xFF to the code point of
// the same value, and 0x80–0x9F holds only invisible controls in real Latin-1 (see `Charset.decode`).

/// A charset mapping each byte to one Unicode scalar.
struct SingleByteCharset: Sendable {
    /// The scalars for bytes 0x80 through 0xFF; bytes below 0x80 are ASCII.
    private let upperHalf: [UInt16]

    /// Windows-1252: Latin-1 with printable characters in 0x80–0x9F. The five unassigned bytes (0x81, 0x8D,
    /// 0x8F, 0x90, 0x9D) map to the C1 control of the same value, as the WHATWG Encoding standard does.
    static let windows1252 = SingleByteCharset(
        upperHalf: [
            0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
            0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
            0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
            0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
        ] + (0xA0...0xFF).map { UInt16($0) })

    /// The text of `bytes`; never fails.
    func decode(_ bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            let value = byte < 0x80 ? UInt16(byte) : upperHalf[Int(byte) - 0x80]
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        return String(scalars)
    }

    /// The Windows-1252 character for a byte in 0x80–0x9F (used for HTML numeric references in that range).
    static func windows1252Scalar(for byte: UInt8) -> Unicode.Scalar? {
        Unicode.Scalar(windows1252.upperHalf[Int(byte) - 0x80])
    }
}
