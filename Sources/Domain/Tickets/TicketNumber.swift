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
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes.count <= 11, bytes[0] == UInt8(ascii: "T"), bytes[1] == UInt8(ascii: "-"),
            bytes[2] != UInt8(ascii: "0")
        else { return nil }
        var value = 0
        for byte in bytes.dropFirst(2) {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        self.init(value)
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
