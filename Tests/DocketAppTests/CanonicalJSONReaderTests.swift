import Foundation
import Testing

@testable import DocketApp

/// The end of a string without escapes (`CanonicalJSONReader.plainEnd`), found eight bytes at a time and then with
/// `memchr`: the first quote when no backslash comes before it, else nil — at every start, for quotes and backslashes
/// at every place of texts short and long.
@Suite struct CanonicalJSONReaderTests {
    static func reference(_ bytes: [UInt8], from start: Int) -> Int? {
        for index in bytes.indices where index >= start {
            if bytes[index] == UInt8(ascii: "\"") { return index }
            if bytes[index] == UInt8(ascii: "\\") { return nil }
        }
        return nil
    }

    @Test(arguments: [0, 1, 7, 8, 9, 31, 32, 33, 40, 100])
    func plainEndFindsTheFirstQuoteBeforeAnyBackslash(length: Int) {
        var texts: [[UInt8]] = [Array(repeating: UInt8(ascii: "a"), count: length)]
        for place in 0..<length {
            let specials: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x22 ^ 0x80, 0x5C ^ 0x01, 0x21, 0x00, 0xFF]
            for special in specials {
                var text = Array(repeating: "é".utf8.first!, count: length)
                text[place] = special
                texts.append(text)
                if place + 3 < length {
                    text[place + 3] = UInt8(ascii: "\"")
                    texts.append(text)
                }
            }
        }
        for text in texts {
            text.withUnsafeBytes { bytes in
                let reader = CanonicalJSONReader(bytes)
                for start in 0...length {
                    #expect(reader.plainEnd(from: start) == Self.reference(text, from: start), "\(text) from \(start)")
                }
            }
        }
    }
}
