import MailParser
import Testing

@Suite("Charsets")
struct CharsetTests {
    @Test func labelsAreNormalized() {
        for label in ["UTF-8", "utf8", "\"utf-8\"", " utf-8 ", "utf-8*en"] {
            let decoded = Charset.decode([0xC3, 0xA9], label: label)
            #expect(decoded.text == "é" && decoded.charsetRecognized, "label \(label.debugDescription)")
        }
        #expect(Charset.isRecognized("ISO_8859-2:1987"))
        #expect(Charset.isRecognized("iso8859-15"))
        #expect(!Charset.isRecognized("x-unknown"))
    }

    @Test func windows1252IncludingItsUnassignedBytes() {
        let all = Charset.decode((0x80...0x9F).map { UInt8($0) }, label: "windows-1252")
        #expect(all.charsetRecognized)
        #expect(all.text.unicodeScalars.count == 32)
        #expect(all.text.hasPrefix("€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8D}Ž\u{8F}\u{90}‘’“”•–—˜™š›œ\u{9D}žŸ"))
    }

    @Test func latin1IsReadAsWindows1252() {
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9, 0xA0, 0xFF], label: "ISO-8859-1").text == "café\u{A0}ÿ")
        #expect(Charset.decode([0x93, 0x61, 0x94], label: "latin1").text == "“a”")
    }

    @Test func asciiAndMissingCharsetTolerate8BitBytes() {
        #expect(Charset.decode([0x61, 0xC3, 0xA9], label: "us-ascii").text == "aé")
        #expect(Charset.decode([0x61, 0xE9], label: nil).text == "aé")
        #expect(Charset.decode([0x61, 0xE9], label: "").charsetRecognized)
    }

    @Test func unknownCharsetsAreFlaggedAndReadAsUTF8() {
        let decoded = Charset.decode([0x61, 0xC3, 0xA9, 0xFF], label: "x-mac-klingon")
        #expect(!decoded.charsetRecognized)
        #expect(decoded.text == "aé\u{FFFD}")
    }

    @Test func foundationCharsets() {
        #expect(Charset.decode([0x82, 0xA0], label: "Shift_JIS").text == "あ")
        #expect(Charset.decode([0x1B, 0x24, 0x42, 0x24, 0x22, 0x1B, 0x28, 0x42], label: "iso-2022-jp").text == "あ")
        #expect(Charset.decode([0xB0, 0xA1], label: "ks_c_5601-1987").text == "가")
        #expect(Charset.decode([0xC0, 0xC1], label: "windows-1251").text == "АБ")
        #expect(Charset.decode([0xB0, 0xA1], label: "gb2312").text == "啊")
        #expect(Charset.decode([0xA4, 0x40], label: "big5").text == "一")
        #expect(Charset.decode([0x2B, 0x41, 0x47, 0x45, 0x2D], label: "utf-7").text == "a")
    }
}
