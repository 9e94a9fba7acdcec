import Foundation
import TestSupport
import Testing

@testable import DocketCLI

/// `ChunkReader`: a file read in chunks into one buffer, reused from chunk to chunk and never zeroed first.
@Suite struct ChunkReaderTests {
    let folder = TemporaryFolder()

    /// The chunks of `bytes` read `size` at a time, each copied out as it is given.
    private func chunks(of bytes: [UInt8], size: Int) throws -> [[UInt8]] {
        let path = folder.child("input")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = ChunkReader(try FileHandle(forReadingFrom: URL(fileURLWithPath: path)), size: size, what: "input")
        var read: [[UInt8]] = []
        while let chunk = try reader.next() { read.append(Array(chunk)) }
        return read
    }

    /// An input shorter than the buffer is one chunk of exactly its bytes (the rest of the buffer, never written, is
    /// never given); a longer one comes in full chunks and a last short one; an empty one gives none.
    @Test func theChunksAreTheInputsBytesAndNothingElse() throws {
        let short = Array("{\"stream\":\"s-1\",\"type\":\"t.x\"}\n".utf8)
        #expect(try chunks(of: short, size: 1 << 20) == [short])
        let long = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let read = try chunks(of: long, size: 4_096)
        #expect(read.map(\.count) == [4_096, 4_096, 1_808])
        #expect(Array(read.joined()) == long)
        #expect(try chunks(of: [], size: 4_096).isEmpty)
    }

    /// A chunk still held when the next is read keeps its bytes (the buffer is copied, not overwritten under it).
    @Test func aChunkHeldAcrossTheNextReadKeepsItsBytes() throws {
        let path = folder.child("input")
        let bytes = (0..<8_192).map { UInt8(truncatingIfNeeded: $0 / 3) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = ChunkReader(try FileHandle(forReadingFrom: URL(fileURLWithPath: path)), size: 4_096, what: "input")
        let first = try #require(try reader.next())
        let second = try #require(try reader.next())
        #expect(Array(first) == Array(bytes[..<4_096]))
        #expect(Array(second) == Array(bytes[4_096...]))
    }
}
