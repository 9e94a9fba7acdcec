import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file or stdin in chunks of `size` bytes for the NDJSON commands (`import`, `event append --stdin`), with
/// `read(2)` straight into an array: no `Data` per chunk copied again into one.
///
/// By default one buffer is reused from chunk to chunk, so no fresh pages are faulted in for each (on this VM the
/// copies and the faults were a fifth of a bulk append's CPU), and a chunk is valid until the next call: a chunk
/// still held then is copied whole first (copy-on-write). A reader made with `chunksKept` reads each chunk into a buffer
/// of its own instead, for a caller that keeps a chunk's lines past the next read (a bulk append's pass 1: it copied
/// the whole 8 MiB at every read, a fifth of a one-line append's time at its last read, which finds the end).
final class ChunkReader {
    /// Held so that its descriptor stays open while it is read.
    private let handle: FileHandle
    private let what: String
    private let size: Int
    private let chunksKept: Bool
    private var buffer: [UInt8] = []

    /// Reads `handle` from where it stands, naming it `what` in an error; `chunksKept`: each chunk in a buffer of its own.
    init(_ handle: FileHandle, size: Int, what: String, chunksKept: Bool = false) {
        (self.handle, self.what, self.size, self.chunksKept) = (handle, what, size, chunksKept)
    }

    /// A buffer of `size` bytes, not zeroed: a chunk is only ever the bytes `read(2)` put there, and the pages of a large
    /// buffer are touched only when an input fills them (zeroing 8 MiB was a fifth of a one-line append's 21 ms).
    private static func unfilled(_ size: Int) -> [UInt8] { [UInt8](unsafeUninitializedCapacity: size) { _, count in count = size } }

    /// The next chunk, full unless the input ends inside it; nil at the end.
    func next() throws -> ArraySlice<UInt8>? {
        if chunksKept || buffer.isEmpty { buffer = Self.unfilled(size) }
        var filled = 0
        while filled < size {
            let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress! + filled, size - filled) }
            if count == 0 { break }
            guard count > 0 else {
                if errno == EINTR { continue }
                throw CLIError.badInput("cannot read \(what): \(String(cString: strerror(errno)))")
            }
            filled += count
        }
        return filled == 0 ? nil : buffer[0..<filled]
    }
}
