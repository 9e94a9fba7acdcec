/// Why a business calendar (or one of its parts) was refused: a matchable code and a one-line message.
public struct BusinessCalendarError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kind of problem. New codes are added as static members without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The time zone is not an IANA identifier this system knows.
        public static let unknownTimeZone = Code("unknownTimeZone")
        /// A time of day is not `HH:MM` between `00:00` and `24:00`.
        public static let malformedTime = Code("malformedTime")
        /// A date is not a real `YYYY-MM-DD` calendar date.
        public static let malformedDate = Code("malformedDate")
        /// A slot does not open before it closes.
        public static let emptySlot = Code("emptySlot")
        /// A day's slots are not listed in increasing order.
        public static let unorderedSlots = Code("unorderedSlots")
        /// Two slots of one day share some time.
        public static let overlappingSlots = Code("overlappingSlots")
        /// A weekly-hours key is not one of `mon` … `sun`.
        public static let unknownWeekday = Code("unknownWeekday")
        /// The weekly hours have no slot at all, so no deadline could ever be reached.
        public static let noBusinessHours = Code("noBusinessHours")
        /// A date is both a holiday and has replacement hours.
        public static let conflictingDate = Code("conflictingDate")

        public var description: String { name }
    }

    /// The kind of problem.
    public var code: Code
    /// One line: what is wrong and how to fix it.
    public var message: String

    /// An error with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
