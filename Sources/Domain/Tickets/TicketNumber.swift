/// A ticket's number as people say it: `T-1042`. The application allocates numbers from ``first`` upwards.
public struct TicketNumber: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The number after `T-`.
    public let value: Int

    /// The first number a store hands out: `T-1001`.
    public static let first = TicketNumber(validated: 1001)

    /// `T-<value>`, or nil unless `value` is in `1...999_999_999`.
    public init?(_ value: Int) {
        guard (1...999_999_999).contains(value) else { return nil }
        self.value = value
    }

    /// Parses `T-1042` exactly: capital `T`, a dash, 1 to 9 digits without a leading zero.
    public init?(_ text: String) {
        var text = text
        guard let value = text.withUTF8({ TicketNumber.value(of: $0, from: 0) }) else { return nil }
        self.init(value)
    }

    /// Parses the UTF-8 bytes of `T-1042` as `init(_:)` parses its text, without making the string (a ticket number
    /// read from a payload).
    public init?(utf8: UnsafeRawBufferPointer) {
        guard let value = TicketNumber.value(of: utf8.assumingMemoryBound(to: UInt8.self), from: 0) else { return nil }
        self.init(value)
    }

    /// The number of the ticket whose stream is `stream` (`ticket-T-1042`, see `StreamName.ticket`), parsed like
    /// `init(_:)` after the `ticket-` prefix without copying the text (every ticket event a read model folds needs
    /// it); nil for any other stream.
    public init?(stream: String) {
        var stream = stream
        guard let value = stream.withUTF8({ utf8 -> Int? in
            let prefix: StaticString = "ticket-"
            guard utf8.count > prefix.utf8CodeUnitCount,
                (0..<prefix.utf8CodeUnitCount).allSatisfy({ utf8[$0] == prefix.utf8Start[$0] })
            else { return nil }
            return TicketNumber.value(of: utf8, from: prefix.utf8CodeUnitCount)
        })
        else { return nil }
        self.init(value)
    }

    /// The value of `T-1042` in `utf8[start...]` exactly: capital `T`, a dash, 1 to 9 digits without a leading zero.
    private static func value(of utf8: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let count = utf8.count - start
        guard count >= 3, count <= 11, utf8[start] == UInt8(ascii: "T"), utf8[start + 1] == UInt8(ascii: "-"),
            utf8[start + 2] != UInt8(ascii: "0")
        else { return nil }
        var value = 0
        for byte in utf8[(start + 2)...] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Parses `T-1042` or throws a message saying what a ticket number looks like.
    public static func parse(_ text: String) throws(DomainError) -> TicketNumber {
        guard let number = TicketNumber(text) else {
            throw DomainError(.invalid, "\"\(text)\" is not a ticket number; write it like T-1042")
        }
        return number
    }

    private init(validated value: Int) { self.value = value }

    /// The number after this one.
    public var next: TicketNumber { TicketNumber(validated: value + 1) }

    public var description: String { "T-\(value)" }

    public static func < (lhs: TicketNumber, rhs: TicketNumber) -> Bool { lhs.value < rhs.value }
}

extension TicketNumber: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let number = TicketNumber(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a ticket number")
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
