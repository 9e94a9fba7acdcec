import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file or stdin in chunks of `size` bytes for the NDJSON commands (`import`, `event append --stdin`), with
/// `read(2)` into one buffer reused from chunk to chunk: no `Data` per chunk copied again into an array, and no
/// fresh pages to fault in for each one (on this VM the copies and the faults were a fifth of a bulk append's CPU).
///
/// A chunk is valid until the next call (the buffer is then refilled; a chunk still held is copied first).
final class ChunkReader {
    /// Held so that its descriptor stays open while it is read.
    private let handle: FileHandle
    private let what: String
    private var buffer: [UInt8]

    /// Reads `handle` from where it stands, naming it `what` in an error.
    init(_ handle: FileHandle, size: Int, what: String) {
        self.handle = handle
        self.what = what
        // Not zeroed first: a chunk is only ever the bytes `read(2)` put there, and the pages of a large buffer are
        // touched only when an input fills them (zeroing 8 MiB was a fifth of a one-line append's 21 ms).
        buffer = [UInt8](unsafeUninitializedCapacity: size) { _, count in count = size }
    }

    /// The next chunk, full unless the input ends inside it; nil at the end.
    func next() throws -> ArraySlice<UInt8>? {
        var filled = 0
        let size = buffer.count
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
