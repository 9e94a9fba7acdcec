import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The event types and actors of records, each decoded once per thread and handed out again when the same bytes come
/// back: a log names a few dozen of each, and a scan made a string of both for every record (checking the bytes and,
/// for a name over 15 bytes such as `ticket.status-changed`, allocating it, then freeing it with the event).
///
/// Every thread that decodes records has a table of its own (`ofThisThread`), so the scan takes no lock; the table goes
/// with its thread. The strings are ordinary values: one handed out is shared by reference, like any copied string.
/// Names of more than `longest` bytes, and any name once `capacity` are kept, are decoded each time.
struct RecordNames {
    /// The longest name kept, in bytes (types and logins are far shorter).
    static let longest = 64
    /// The most names one thread keeps.
    static let capacity = 256
    /// Open addressing over twice `capacity` slots (a power of two), so a probe stays short.
    private static let slotCount = 512

    /// A kept name: its bytes in `arena` (`count` 0: the slot is empty) and its string.
    private struct Slot {
        var start: Int
        var count: Int
        var text: String
    }

    private let slots: UnsafeMutablePointer<Slot>
    /// The bytes of the kept names, one after the other (`capacity` names of at most `longest` bytes fit).
    private let arena: UnsafeMutablePointer<UInt8>
    private var used = 0
    private var kept = 0

    private init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(start: 0, count: 0, text: ""), count: Self.slotCount)
        arena = .allocate(capacity: Self.capacity * Self.longest)
    }

    /// The string of `bytes`: the kept one when these bytes were seen before on this thread, else `decode(bytes)`,
    /// kept for the next time (unless it throws).
    mutating func text(of bytes: UnsafeRawBufferPointer, decode: (UnsafeRawBufferPointer) throws -> String) rethrows -> String {
        guard let source = bytes.baseAddress, bytes.count > 0, bytes.count <= Self.longest else { return try decode(bytes) }
        var slot = Self.hash(bytes) & (Self.slotCount - 1)
        while slots[slot].count != 0 {
            if slots[slot].count == bytes.count, memcmp(arena + slots[slot].start, source, bytes.count) == 0 { return slots[slot].text }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
        let text = try decode(bytes)
        guard kept < Self.capacity else { return text }
        (arena + used).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        slots[slot] = Slot(start: used, count: bytes.count, text: text)
        used += bytes.count
        kept += 1
        return text
    }

    /// A hash of a name's length and its first and last eight bytes (names that share a prefix, such as the types of
    /// one category, differ at their end); `NameCounts` hashes its names with it too.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = bytes.count
        var first: UInt64 = 0
        var last: UInt64 = 0
        if count >= 8 {
            first = bytes.loadUnaligned(as: UInt64.self)
            last = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for byte in bytes { first = first << 8 | UInt64(byte) }
        }
        let mixed = (first &* 0x9E37_79B9_7F4A_7C15) ^ (last &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(count)
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 31))
    }

    // MARK: - One table per thread

    /// The key of each thread's table; a thread's table is freed when the thread ends.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key) { table in RecordNames.free(table) }
        precondition(created == 0, "pthread_key_create failed (\(created)): no thread-local slot left")
        return key
    }()

    /// The calling thread's table, made on first use; nil when the thread's slot cannot be set (then names are decoded
    /// each time).
    static func ofThisThread() -> UnsafeMutablePointer<RecordNames>? {
        if let table = pthread_getspecific(key) { return table.assumingMemoryBound(to: RecordNames.self) }
        let table = UnsafeMutablePointer<RecordNames>.allocate(capacity: 1)
        table.initialize(to: RecordNames())
        guard pthread_setspecific(key, table) == 0 else {
            free(table)
            return nil
        }
        return table
    }

    /// Frees a thread's table (the destructor of `key`).
    private static func free(_ raw: UnsafeMutableRawPointer?) {
        guard let table = raw?.assumingMemoryBound(to: RecordNames.self) else { return }
        table.pointee.slots.deinitialize(count: slotCount)
        table.pointee.slots.deallocate()
        table.pointee.arena.deallocate()
        table.deinitialize(count: 1)
        table.deallocate()
    }
}
