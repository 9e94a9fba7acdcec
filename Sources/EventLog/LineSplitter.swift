#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a stream of byte chunks into lines (without their `\n`), numbered from 1, keeping only the unfinished
/// last line of a chunk between calls: what `import` and `event append --stdin` read NDJSON with, so memory stays
/// one chunk and one line whatever the input's size.
public struct LineSplitter {
    /// A line longer than the limit (`line` is its number): refused before it is held whole.
    public struct TooLong: Error, Equatable {
        public let line: Int
        public let limit: Int
    }

    /// The longest line passed on, in bytes, not counting its `\n`; one byte more is let through (a `\r` before the
    /// `\n`), for the caller to refuse or trim.
    public let limit: Int
    private var carry: [UInt8] = []
    private var number = 0

    /// A splitter refusing lines longer than `limit` bytes (`NDJSONLine.maxLineBytes` unless told).
    public init(limit: Int = NDJSONLine.maxLineBytes) { self.limit = limit }

    /// Passes each line `chunk` completes to `line`, with its number; keeps the unfinished rest for the next chunk.
    public mutating func feed(_ chunk: ArraySlice<UInt8>, _ line: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        var start = chunk.startIndex
        while let end = Self.newline(in: chunk, from: start) {
            number += 1
            if carry.isEmpty {
                guard end - start <= limit + 1 else { throw TooLong(line: number, limit: limit) }
                try line(chunk[start..<end], number)
            } else {
                carry += chunk[start..<end]
                guard carry.count <= limit + 1 else { throw TooLong(line: number, limit: limit) }
                try line(carry[...], number)
                carry.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
        carry += chunk[start...]
        guard carry.count <= limit + 1 else { throw TooLong(line: number + 1, limit: limit) }
    }

    /// The index of the first `\n` of `chunk` from `start` on (`memchr`: the bytes of a 1M import were looked at one by
    /// one, 6 % of its instructions).
    static func newline(in chunk: ArraySlice<UInt8>, from start: Int) -> Int? {
        chunk.withUnsafeBufferPointer { buffer -> Int? in
            let from = start - chunk.startIndex
            guard let base = buffer.baseAddress, from < buffer.count,
                let hit = memchr(base + from, Int32(UInt8(ascii: "\n")), buffer.count - from)
            else { return nil }
            return chunk.startIndex + (UnsafeRawPointer(hit) - UnsafeRawPointer(base))
        }
    }

    /// Passes the last line when the input does not end with a newline.
    public mutating func finish(_ line: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        guard !carry.isEmpty else { return }
        number += 1
        try line(carry[...], number)
        carry = []
    }
}
