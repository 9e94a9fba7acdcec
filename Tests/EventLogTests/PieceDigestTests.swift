@testable import EventLog
import Foundation
import TestSupport
import Testing

/// `PieceDigest` hashes a snapshot's file in pieces on several threads: the digest must be the documented layout
/// (size, piece size, each piece's SHA-256), the same whatever the number of threads, and change with any byte.
@Suite struct PieceDigestTests {
    /// The layout computed in one thread, piece after piece, with the log's own SHA-256.
    static func reference(_ bytes: [UInt8], pieceBytes: Int) -> String {
        var layout: [UInt8] = []
        withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { layout += $0 }
        withUnsafeBytes(of: UInt64(pieceBytes).bigEndian) { layout += $0 }
        var start = 0
        while start < bytes.count {
            let piece = Array(bytes[start..<min(start + pieceBytes, bytes.count)])
            layout += piece.withUnsafeBytes { Digest.sha256($0) }.bytes
            start += pieceBytes
        }
        return layout.withUnsafeBytes { Digest.sha256($0) }.hex
    }

    static func file(_ bytes: [UInt8], in folder: TemporaryFolder) throws -> String {
        let path = folder.child("data-\(bytes.count)")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [0, 1, 999, 1000, 1001, 4096, 10_007])
    func isTheLayoutWhateverTheThreads(size: Int) throws {
        let folder = TemporaryFolder()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = try Self.file(bytes, in: folder)
        let expected = Self.reference(bytes, pieceBytes: 1000)
        for threads in [1, 2, 3, 8] {
            let found = try #require(try PieceDigest.of(file: path, pieceBytes: 1000, threads: threads))
            #expect(found == PieceDigest(scheme: "sha256-pieces", pieceBytes: 1000, size: size, sha256: expected))
        }
    }

    @Test func changesWithAnyByteAndWithThePieceSize() throws {
        let folder = TemporaryFolder()
        let bytes = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = try Self.file(bytes, in: folder)
        let original = try #require(try PieceDigest.of(file: path, pieceBytes: 1024, threads: 2))
        #expect(try PieceDigest.of(file: path, pieceBytes: 512, threads: 2)?.sha256 != original.sha256)
        for index in [0, 1023, 1024, 4999] {
            var altered = bytes
            altered[index] ^= 0x01
            try Data(altered).write(to: URL(fileURLWithPath: path))
            #expect(try PieceDigest.of(file: path, pieceBytes: 1024, threads: 2)?.sha256 != original.sha256, "byte \(index)")
        }
        // Cut short by a byte: the size is in the digest, as is the last piece.
        try Data(bytes.dropLast()).write(to: URL(fileURLWithPath: path))
        #expect(try PieceDigest.of(file: path, pieceBytes: 1024, threads: 2)?.sha256 != original.sha256)
        #expect(try PieceDigest.of(file: folder.child("missing"), threads: 2) == nil)
    }
}
