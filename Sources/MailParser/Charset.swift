import Foundation

/// Text decoded from bytes in a declared charset.
public struct DecodedText: Equatable, Sendable {
    /// The text.
    public var text: String
    /// False when the charset was not recognised and the bytes were read as UTF-8 with replacement characters.
    public var charsetRecognized: Bool
}

/// Decodes bytes in a MIME charset to text. Never fails: unknown charsets fall back to lossy UTF-8, flagged.
public enum Charset {
    /// The text of `bytes` in the charset labelled `label` (case-insensitive; nil means none was declared).
    ///
    /// Lenient rules: US-ASCII (and no charset) accept 8-bit bytes as UTF-8 when valid, else as Windows-1252;
    /// ISO-8859-1 is read as Windows-1252 like browsers do (WHATWG Encoding), because text labelled Latin-1 often
    /// carries Windows quotes and dashes in 0x80–0x9F, where real Latin-1 has only invisible controls.
    public static func decode(_ bytes: some Collection<UInt8>, label: String?) -> DecodedText {
        guard let label, let kind = Kind(label: label) else {
            if label.map({ normalized($0).isEmpty }) ?? true {
                return DecodedText(text: utf8OrWindows1252(bytes), charsetRecognized: true)
            }
            return DecodedText(text: String(decoding: bytes, as: UTF8.self), charsetRecognized: false)
        }
        switch kind {
        case .utf8:
            return DecodedText(text: String(decoding: bytes, as: UTF8.self), charsetRecognized: true)
        case .ascii:
            return DecodedText(text: utf8OrWindows1252(bytes), charsetRecognized: true)
        case .windows1252:
            return DecodedText(text: SingleByteCharset.windows1252.decode(bytes), charsetRecognized: true)
        case .foundation(let encoding):
            if bytes.isEmpty { return DecodedText(text: "", charsetRecognized: true) }
            var input = Array(bytes)
            if encoding == .iso2022JP { input = withoutEmptyEscapeRuns(input) }
            if let text = String(bytes: input, encoding: encoding) {
                return DecodedText(text: text, charsetRecognized: true)
            }
            // The bytes do not fit the charset: keep what UTF-8 can make of them, flagged.
            return DecodedText(text: String(decoding: bytes, as: UTF8.self), charsetRecognized: false)
        }
    }

    /// Whether `label` names a charset this parser decodes.
    public static func isRecognized(_ label: String) -> Bool { Kind(label: label) != nil }

    /// ISO-2022-JP with an escape that switches back to ASCII immediately followed by another escape removed:
    /// such empty runs appear where encoded words were joined, and Foundation rejects them.
    private static func withoutEmptyEscapeRuns(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x1B, index + 3 < bytes.count, bytes[index + 1] == 0x28,
                bytes[index + 2] == 0x42 || bytes[index + 2] == 0x4A, bytes[index + 3] == 0x1B
            {
                index += 3
                continue
            }
            output.append(bytes[index])
            index += 1
        }
        return output
    }

    /// Raw header bytes as text: UTF-8 when valid (RFC 6532), ISO-2022-JP when they hold its escape sequences
    /// (old Japanese mailers wrote it unencoded), else Windows-1252 (raw 8-bit headers).
    static func headerText(_ bytes: some Collection<UInt8>) -> String {
        if bytes.contains(0x1B), let text = String(bytes: Array(bytes), encoding: .iso2022JP) { return text }
        return utf8OrWindows1252(bytes)
    }

    static func utf8OrWindows1252(_ bytes: some Collection<UInt8>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return SingleByteCharset.windows1252.decode(bytes)
    }

    /// The label lowercased, unquoted and without an RFC 2231 language suffix (`utf-8*en`).
    static func normalized(_ label: String) -> String {
        var name = ASCII.lowercased(ASCII.trimmed(label))
        name = String(name.filter { $0 != "\"" && $0 != "'" })
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        return ASCII.trimmed(name)
    }

    private enum Kind {
        case utf8
        case ascii
        case windows1252
        case foundation(String.Encoding)

        init?(label: String) {
            let name = Charset.normalized(label)
            if let kind = Self.byName[name] {
                self = kind
                return
            }
            // "iso8859-2", "iso_8859-2", "iso-8859-2:1987" all name the same part of ISO 8859.
            let compact = name.replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: ":", with: "-")
            if compact.hasPrefix("iso"), let marker = compact.range(of: "8859-") {
                let digits = compact[marker.upperBound...].prefix { $0.isASCII && $0.isNumber }
                if let part = Int(digits), let kind = Self.isoPart(part) {
                    self = kind
                    return
                }
            }
            return nil
        }

        private static func isoPart(_ part: Int) -> Kind? {
            switch part {
            case 1: .windows1252
            case 2...11, 13...16: .foundation(coreFoundation(0x0200 + UInt(part)))
            default: nil
            }
        }

        /// A Foundation encoding from its CoreFoundation number (NSString encodings set the high bit).
        private static func coreFoundation(_ value: UInt) -> String.Encoding {
            String.Encoding(rawValue: 0x8000_0000 | value)
        }

        private static let byName: [String: Kind] = {
            var table: [String: Kind] = [:]
            func add(_ names: [String], _ kind: Kind) { for name in names { table[name] = kind } }
            add(["utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8"], .utf8)
            add(
                [
                    "us-ascii", "ascii", "us", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso646-us", "iso-ir-6", "cp367",
                    "ibm367",
                ], .ascii)
            add(
                ["iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819", "iso-ir-100"],
                .windows1252)
            add(["windows-1252", "cp1252", "x-cp1252", "ms-ansi"], .windows1252)
            add(["utf-16", "utf16"], .foundation(.utf16))
            add(["utf-16be"], .foundation(.utf16BigEndian))
            add(["utf-16le"], .foundation(.utf16LittleEndian))
            add(["utf-7", "unicode-1-1-utf-7"], .foundation(coreFoundation(0x0400_0100)))
            add(
                ["shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "cp932", "csshiftjis"],
                .foundation(.shiftJIS))
            add(["iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2"], .foundation(.iso2022JP))
            add(
                [
                    "euc-kr", "ks_c_5601-1987", "ks_c_5601", "ksc5601", "ksc_5601", "cp949", "x-windows-949",
                    "windows-949", "korean",
                ], .foundation(coreFoundation(0x0422)))
            add(
                ["gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "x-euc-cn", "chinese", "csgb2312"],
                .foundation(coreFoundation(0x0632)))
            add(["big5", "big-5", "cn-big5", "x-x-big5", "csbig5"], .foundation(coreFoundation(0x0A03)))
            add(["big5-hkscs"], .foundation(coreFoundation(0x0A06)))
            add(["koi8-r", "koi8r", "cskoi8r"], .foundation(coreFoundation(0x0A02)))
            add(["koi8-u", "koi8u"], .foundation(coreFoundation(0x0A08)))
            let windows: [(String, UInt)] = [
                ("1250", 0x0501), ("1251", 0x0502), ("1253", 0x0503), ("1254", 0x0504),
                ("1255", 0x0505), ("1256", 0x0506), ("1257", 0x0507), ("1258", 0x0508),
            ]
            for (number, value) in windows {
                add(["windows-" + number, "cp" + number, "x-cp" + number], .foundation(coreFoundation(value)))
            }
            add(["latin2", "l2"], .foundation(coreFoundation(0x0202)))
            add(["latin9", "latin-9", "l9"], .foundation(coreFoundation(0x020F)))
            return table
        }()
    }
}
