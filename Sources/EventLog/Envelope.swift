import Foundation

/// A SHA-256 digest held inline (no heap allocation), as used by the hash chain.
public struct Digest: Hashable, Sendable, CustomStringConvertible {
    var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// The digest of nothing-before-the-first-event: 32 zero bytes.
    public static let zero = Digest(a: 0, b: 0, c: 0, d: 0)

    /// Reads 32 bytes.
    init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 32, "a digest is 32 bytes")
        a = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        b = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        c = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        d = bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) {
        (self.a, self.b, self.c, self.d) = (a, b, c, d)
    }

    /// Parses 64 hexadecimal digits.
    public init?(hex: String) {
        var hex = hex
        guard let digest = hex.withUTF8({ Digest(hexDigits: $0) }) else { return nil }
        self = digest
    }

    /// Parses 64 hexadecimal digits given as UTF-8 bytes, into the digest's memory (no array in between), eight digits
    /// at a time (`hexWord`): two digests per line of an import, read through a table a digit at a time, were ~380
    /// instructions each (2 % of an import's).
    init?(hexDigits digits: UnsafeBufferPointer<UInt8>) {
        guard digits.count == 64, let base = digits.baseAddress else { return nil }
        var digest = Digest.zero
        let parsed = withUnsafeMutableBytes(of: &digest) { bytes -> Bool in
            for word in 0..<8 {
                let text = UInt64(littleEndian: UnsafeRawPointer(base + 8 * word).loadUnaligned(as: UInt64.self))
                guard let value = Digest.hexWord(text) else { return false }
                bytes.storeBytes(of: value.littleEndian, toByteOffset: 4 * word, as: UInt32.self)
            }
            return true
        }
        guard parsed else { return nil }
        self = digest
    }

    /// The 4 bytes that 8 hexadecimal digits (either case) spell, the first digit in `text`'s lowest byte (8 bytes of
    /// text read little-endian), in their order from the lowest byte of the result; nil when a byte is not one of
    /// `0-9`, `a-f`, `A-F`. Every byte is tested and converted at once, in the word's bits: below 0x80, a byte plus
    /// `0x80 - n` sets its high bit exactly when the byte is `n` or more, and carries into no other byte.
    static func hexWord(_ text: UInt64) -> UInt32? {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        guard text & highs == 0 else { return nil }
        // 0x30...0x39, and 0x61...0x66 once upper case (0x41...0x46) is folded into lower (digits are unchanged by it).
        let digits = (text &+ ones &* (0x80 - 0x30)) & ~(text &+ ones &* (0x80 - 0x3A)) & highs
        let folded = text | ones &* 0x20
        let letters = (folded &+ ones &* (0x80 - 0x61)) & ~(folded &+ ones &* (0x80 - 0x67)) & highs
        guard digits | letters == highs else { return nil }
        // A digit's value is its low four bits; a letter's, its low four bits (1 for a or A) plus 9.
        let nibbles = (text & (ones &* 0x0F)) &+ (letters >> 7) &* 9
        // Each even byte gets its digit's value times 16 plus the next byte's; the odd bytes are dropped, the even ones
        // gathered into the low four bytes.
        let pairs = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF
        let packed = (pairs | pairs >> 8) & 0x0000_FFFF_0000_FFFF
        return UInt32(truncatingIfNeeded: packed | packed >> 16)
    }

    /// The 32 bytes, in order.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: self) { Array($0) }
    }

    /// Lower-case hexadecimal.
    public var hex: String {
        let table = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}

/// An event to append: what the caller decides. The store adds position, version, time and hash.
public struct NewEvent: Sendable, Equatable {
    /// The stable, versioned type string, e.g. `ticket.opened`.
    public var type: String
    /// The payload's schema version (the `.v1` of `ticket.opened.v1`).
    public var schemaVersion: UInt16
    /// The payload: one JSON value, UTF-8. Encode it canonically (sorted keys) so exports are stable.
    public var payload: [UInt8]
    /// The event's id; a fresh random UUID unless the caller chooses one.
    public var eventId: UUID

    public init(type: String, schemaVersion: UInt16 = 1, payload: [UInt8], eventId: UUID = .random()) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.eventId = eventId
    }
}

/// An event as it stands in the log: the full envelope.
public struct RecordedEvent: Sendable, Equatable {
    /// Global position: 1, 2, 3, … with no gaps.
    public var position: UInt64
    /// The stream, e.g. `ticket-T-1042`.
    public var stream: String
    /// The event's version within its stream: 1, 2, 3, … with no gaps.
    public var streamVersion: UInt64
    /// The stable, versioned type string.
    public var type: String
    /// The payload's schema version.
    public var schemaVersion: UInt16
    /// The event's unique id.
    public var eventId: UUID
    /// The id of the command that appended it (for idempotent retries), if the caller gave one.
    public var commandId: String? {
        get { command.id }
        set { command.id = newValue }
    }
    /// `commandId`, stored in a struct of its own: with an optional string among its stored properties the optimizer
    /// could not keep the event being built in registers, and every `init` copied the whole event once more (a retain
    /// and a release of each string and of the payload: some 270 instructions a decoded record).
    private var command: CommandId
    /// Who did it.
    public var actor: String
    /// When it was recorded (UTC, from the store's clock; never earlier than the event before it).
    public var recordedAt: Timestamp
    /// The payload, one JSON value in UTF-8.
    public var payload: [UInt8]
    /// SHA-256 over the previous event's hash, this position and this envelope.
    public var hash: Digest

    public init(
        position: UInt64, stream: String, streamVersion: UInt64, type: String, schemaVersion: UInt16,
        eventId: UUID, commandId: String?, actor: String, recordedAt: Timestamp, payload: [UInt8], hash: Digest
    ) {
        self.position = position
        self.stream = stream
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.eventId = eventId
        self.command = CommandId(id: commandId)
        self.actor = actor
        self.recordedAt = recordedAt
        self.payload = payload
        self.hash = hash
    }

    /// The payload as text.
    public var payloadText: String { String(decoding: payload, as: UTF8.self) }

    /// The storage of `commandId` (see there).
    private struct CommandId: Sendable, Equatable {
        var id: String?
    }
}

extension UUID {
    /// A version 4 (random) UUID from the system's random number generator (`arc4random_buf`: 16 bytes in one call,
    /// where two `SystemRandomNumberGenerator.next()` were two `getrandom` system calls, 5 % of a bulk append's CPU).
    /// Foundation's `UUID()` opens and reads /dev/urandom on each call here (about 3 µs, more than an append's whole
    /// CPU cost).
    public static func random() -> UUID {
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { arc4random_buf($0.baseAddress!, 16) }
        return version4(value)
    }

    /// The version 4 UUID of 16 random bytes (its version and variant bits set).
    static func version4(_ random: uuid_t) -> UUID {
        var value = random
        return withUnsafeMutableBytes(of: &value) { bytes in
            bytes[6] = (bytes[6] & 0x0f) | 0x40
            bytes[8] = (bytes[8] & 0x3f) | 0x80
            return UUID(uuid: bytes.load(as: uuid_t.self))
        }
    }
}

/// Version 4 UUIDs for a bulk append (`event append --stdin`): random bytes drawn 4 KiB at a time, one
/// `arc4random_buf` (one `getrandom` system call) for 256 ids where `UUID.random()` makes one per id (200,000 system
/// calls, a fifth of a second, for 200,000 lines). The same generator, the same randomness.
public struct RandomUUIDs {
    private var pool = [UInt8](repeating: 0, count: 4096)
    private var used = 4096

    public init() {}

    /// The next id.
    public mutating func next() -> UUID {
        if used == pool.count {
            pool.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
            used = 0
        }
        defer { used += 16 }
        return UUID.version4(pool.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: used, as: uuid_t.self) })
    }
}
