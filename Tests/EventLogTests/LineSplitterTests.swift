@testable import EventLog
import Testing

/// The line splitter under `import` and `event append --stdin`: lines come out whole and numbered however the
/// input is cut into chunks, and a line over the limit is refused by number, in a chunk or across chunks.
@Suite struct LineSplitterTests {
    static let text = Array("one\ntwo\r\n\nthree-is-long\nfour".utf8)

    func split(_ bytes: [UInt8], chunk: Int, limit: Int) throws -> [String] {
        var splitter = LineSplitter(limit: limit)
        var lines: [String] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            try splitter.feed(bytes[start..<end]) { line, number in lines.append("\(number):\(String(decoding: line, as: UTF8.self))") }
            start = end
        }
        try splitter.finish { line, number in lines.append("\(number):\(String(decoding: line, as: UTF8.self))") }
        return lines
    }

    @Test(arguments: [1, 2, 3, 5, 8, 100])
    func linesAreTheSameWhateverTheChunks(chunk: Int) throws {
        #expect(try split(Self.text, chunk: chunk, limit: 13) == ["1:one", "2:two\r", "3:", "4:three-is-long", "5:four"])
    }

    @Test(arguments: [1, 4, 100])
    func aLineOverTheLimitIsRefusedByNumber(chunk: Int) {
        #expect(throws: LineSplitter.TooLong(line: 4, limit: 11)) { try split(Self.text, chunk: chunk, limit: 11) }
        // The unfinished last line too, before its end is seen.
        #expect(throws: LineSplitter.TooLong(line: 2, limit: 3)) { try split(Array("ab\nabcdefgh".utf8), chunk: chunk, limit: 3) }
    }
}
