import DocketApp
import Foundation

extension BulkAppend {
    /// Pass 1: every line of `chunks` checked and its record written to `spool`, on `checkingThreads` threads that all do
    /// the same — take the next batch of lines (`LineBatches`, which reads and splits stdin as they ask), check it into
    /// the spool's records, and write those in the batches' order (`SpoolTurns`) — so the work shares out by itself
    /// whatever each part costs on a given input. Throws the first bad line's error (the first in the input, whichever
    /// thread met it first): nothing is written after the batch before it.
    ///
    /// (Pass 1 was a reading thread handing batches to a spooling thread, each checking some: the reading thread did the
    /// reading and splitting on top of its share and was busy the whole pass while the other was idle 40 % of it.)
    func checkAndSpool(chunks: () throws -> ArraySlice<UInt8>?, into spool: AppendSpool) throws {
        try withoutActuallyEscaping(chunks) { chunks in
            let batches = LineBatches(chunks: chunks, size: Self.spooledLines)
            let turns = SpoolTurns()
            let threads = (1..<max(1, checkingThreads)).map { _ in
                CheckingThread { self.check(batches, turns: turns, into: spool) }
            }
            for thread in threads { thread.start() }
            check(batches, turns: turns, into: spool)
            for thread in threads { thread.wait() }
            if let failure = turns.failure { throw failure }
        }
    }

    /// Lines checked before they are written to the spool together.
    static let spooledLines = 1_000

    /// One thread's part of pass 1: batches taken, checked and written in their turn until none is left or one failed.
    private func check(_ batches: LineBatches, turns: SpoolTurns, into spool: AppendSpool) {
        // One buffer of records per thread, reused from batch to batch: a fresh one faulted its pages in each time.
        var records = AppendSpool.Records()
        while let batch = batches.next() {
            willCheck?(batch.index)
            records.removeAll()
            var failure: (any Error)?
            do {
                for (line, number) in batch.lines { try check(line, number: number, into: &records) }
            } catch {
                failure = error
            }
            failure = failure ?? batch.failure
            didCheck?(batch.index)
            guard turns.wait(for: batch.index) else { return }
            if failure == nil {
                do { try spool.write(records) } catch { failure = error }
            }
            turns.pass(failing: failure)
            if failure != nil {
                batches.stop()
                return
            }
        }
    }
}

/// The lines of a bulk append's input, numbered and handed out at most `size` at a time to the threads of pass 1, each
/// batch numbered in the input's order (a batch holds lines of one chunk: the last of a chunk may be shorter). A thread
/// that finds fewer than two batches' lines ready reads and splits the next chunk itself, outside the lock, while the
/// others go on taking the lines already split; only when no line is ready does a thread wait for the one reading. A
/// failure of the input (a line too long, stdin unreadable) goes with the batch of the lines before it, to be met once
/// those are checked (an earlier bad line is named first).
final class LineBatches: @unchecked Sendable {
    // @unchecked Sendable: every stored property but `chunks` and `splitter` is only touched under `condition`;
    // `chunks` and `splitter` only by the one thread reading (`reading`).
    struct Batch {
        /// The batch's place in the input, from 0.
        let index: Int
        let lines: ArraySlice<(line: ArraySlice<UInt8>, number: Int)>
        /// The input's failure right after these lines, if it failed there.
        let failure: (any Error)?
    }

    private let condition = NSCondition()
    private let chunks: () throws -> ArraySlice<UInt8>?
    private let size: Int
    private var splitter = LineSplitter()
    /// The lines of each chunk split and not all handed out yet, oldest first; `ready` lines in all.
    private var split: [ArraySlice<(line: ArraySlice<UInt8>, number: Int)>] = []
    private var ready = 0
    private var reading = false
    private var ended = false
    private var failure: (any Error)?
    private var handed = 0
    private var stopped = false

    /// The lines `chunks` gives (nil at its end), at most `size` to a batch.
    init(chunks: @escaping () throws -> ArraySlice<UInt8>?, size: Int) { (self.chunks, self.size) = (chunks, max(1, size)) }

    /// The next batch; nil once every line is handed out or `stop` was called.
    func next() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            if ready < 2 * size, !reading, !ended {
                readChunk()
                continue
            }
            if ready > 0 || (ended && failure != nil) {
                return take()
            }
            if ended { return nil }
            condition.wait()
        }
        return nil
    }

    /// No batch is handed out after this (a batch failed).
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopped = true
        condition.broadcast()
    }

    /// Hands out the next lines of the oldest chunk, with the input's failure when they are its last.
    private func take() -> Batch {
        var lines: ArraySlice<(line: ArraySlice<UInt8>, number: Int)> = []
        if let oldest = split.first {
            lines = oldest.prefix(size)
            if lines.count == oldest.count { split.removeFirst() } else { split[0] = oldest.dropFirst(size) }
            ready -= lines.count
        }
        var failing: (any Error)?
        if ended, ready == 0 {
            (failing, failure) = (failure, nil)
        }
        defer { handed += 1 }
        return Batch(index: handed, lines: lines, failure: failing)
    }

    /// Reads and splits the next chunk with the lock let go (called and returning with it held).
    private func readChunk() {
        reading = true
        condition.unlock()
        var lines: [(line: ArraySlice<UInt8>, number: Int)] = []
        var end = false
        var failed: (any Error)?
        do {
            do {
                if let chunk = try chunks() {
                    try splitter.feed(chunk) { lines.append(($0, $1)) }
                } else {
                    try splitter.finish { lines.append(($0, $1)) }
                    end = true
                }
            } catch let long as LineSplitter.TooLong {
                throw CLIError.badInput("line \(long.line) is longer than \(long.limit) bytes; send a smaller one")
            }
        } catch {
            (end, failed) = (true, error)
        }
        condition.lock()
        if !lines.isEmpty {
            split.append(lines[...])
            ready += lines.count
        }
        (reading, ended, failure) = (false, end, failed)
        condition.broadcast()
    }
}

/// The turns of pass 1's batches at the spool: batch i is written (or its failure kept) only after every batch before
/// it, so the spool holds the lines in the input's order and the failure kept is the first bad line's.
final class SpoolTurns: @unchecked Sendable {
    // @unchecked Sendable: `current` and `failed` are only touched under `condition`.
    private let condition = NSCondition()
    private var current = 0
    private var failed: (any Error)?

    /// Waits for batch `index`'s turn; false when a batch before it failed (the caller stops).
    func wait(for index: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while current != index && failed == nil { condition.wait() }
        return failed == nil
    }

    /// Ends the current batch's turn, with its failure if it failed (every later batch is then refused its turn).
    func pass(failing failure: (any Error)?) {
        condition.lock()
        defer { condition.unlock() }
        if let failure { failed = failure } else { current += 1 }
        condition.broadcast()
    }

    /// The failure kept, nil when no batch failed.
    var failure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return failed
    }
}

/// A thread of pass 1 besides the calling one. (Not the log's `Background`, which takes a `Sendable` body: this one
/// runs the command's test hooks and the `chunks` it was lent, neither of them `Sendable`, and is always waited for.)
private final class CheckingThread: @unchecked Sendable {
    // @unchecked Sendable: `body` is run and let go by the one thread `start` makes; the maker only waits for it.
    private var body: (() -> Void)?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping () -> Void) { self.body = body }

    func start() {
        let thread = Thread { [self] in
            body?()
            // Let go of what the body holds (the lent `chunks`) before the maker may return.
            body = nil
            done.signal()
        }
        // The JSON readers recurse; a thread gets the main thread's usual stack, not a small default.
        thread.stackSize = 8 << 20
        thread.start()
    }

    func wait() { done.wait() }
}
