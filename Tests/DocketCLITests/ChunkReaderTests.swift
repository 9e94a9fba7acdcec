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

    /// A reader over 8 KiB of input, 4 KiB at a time (`chunksKept` as given).
    private func reader(chunksKept: Bool) throws -> (ChunkReader, [UInt8]) {
        let path = folder.child("input")
        let bytes = (0..<8_192).map { UInt8(truncatingIfNeeded: $0 / 3) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        return (ChunkReader(handle, size: 4_096, what: "input", chunksKept: chunksKept), bytes)
    }

    /// Where a chunk's bytes are.
    private func address(_ chunk: ArraySlice<UInt8>) -> Int { chunk.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) } }

    /// A chunk still held when the next is read keeps its bytes, in either mode (reused, the buffer is copied first,
    /// not overwritten under it).
    @Test(arguments: [false, true]) func aChunkHeldAcrossTheNextReadKeepsItsBytes(chunksKept: Bool) throws {
        let (reader, bytes) = try reader(chunksKept: chunksKept)
        let first = try #require(try reader.next())
        let second = try #require(try reader.next())
        #expect(Array(first) == Array(bytes[..<4_096]))
        #expect(Array(second) == Array(bytes[4_096...]))
        #expect(try reader.next() == nil)
    }

    /// By default the chunks are read into one buffer when none is held; with `chunksKept` each into a buffer of its
    /// own, the one before left to the chunk that holds it.
    @Test func chunksShareOneBufferUnlessKept() throws {
        let (shared, _) = try reader(chunksKept: false)
        let sharedFirst = try address(#require(try shared.next()))
        let sharedSecond = try address(#require(try shared.next()))
        #expect(sharedFirst == sharedSecond)
        let (kept, _) = try reader(chunksKept: true)
        let first = try #require(try kept.next())
        let second = try #require(try kept.next())
        #expect(address(first) != address(second))
    }
}
