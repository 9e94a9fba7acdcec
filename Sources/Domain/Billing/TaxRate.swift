/// A tax rate in millionths of the base (parts per million): 8.875% = 88,750; 8.25% = 82,500.
///
/// Contract terms give it as `"taxRate": "8.875"` (a percentage with up to four decimals), as
/// `"taxRateMillionths": 88750`, or, as older contracts do, as `"taxBasisPoints": 825` (whole basis points).
/// One millionth is 1/10,000 of a percent, so every rate written to 1/1000 of a percent is exact.
public struct TaxRate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Millionths of the base, 0…1,000,000 (0% … 100%).
    public let millionths: Int

    /// The rate `millionths` / 1,000,000.
    public init(millionths: Int) { self.millionths = millionths }

    /// The rate `basisPoints` / 10,000 (825 = 8.25%).
    public init(basisPoints: Int) { millionths = basisPoints * 100 }

    /// Parses a percentage such as `8.875`, `8`, `0.0625` (at most four decimals, 0 to 100); nil otherwise.
    public init?(percent text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, (1...3).contains(whole.count),
            whole.utf8.allSatisfy({ (48...57).contains($0) }), let wholeValue = Int(whole)
        else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...4).contains(digits.count), digits.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(digits) else {
                return nil
            }
            var scale = 1
            for _ in digits.count..<4 { scale *= 10 }
            fraction = value * scale
        }
        let millionths = wholeValue * 10_000 + fraction
        guard millionths <= 1_000_000 else { return nil }
        self.millionths = millionths
    }

    /// The rate in whole basis points, rounded down (what `taxBasisPoints` records beside an exact `taxRateMillionths`).
    public var wholeBasisPoints: Int { millionths / 100 }

    /// Whether the rate is a whole number of basis points (the only rates older events could hold).
    public var isWholeBasisPoints: Bool { millionths % 100 == 0 }

    /// The exact millionths when the rate is finer than a basis point, else nil (so events keep their older shape).
    public var fractionalMillionths: Int? { isWholeBasisPoints ? nil : millionths }

    /// The rate as recorded on a charge or tax line: `taxBasisPoints`, and `taxRateMillionths` when it is present.
    public init(basisPoints: Int, exactMillionths: Int?) {
        millionths = exactMillionths ?? basisPoints * 100
    }

    public static func < (lhs: TaxRate, rhs: TaxRate) -> Bool { lhs.millionths < rhs.millionths }

    /// `8.875%`, `8.25%`, `10%`.
    public var description: String {
        let whole = millionths / 10_000
        var fraction = String(millionths % 10_000)
        guard fraction != "0" else { return "\(whole)%" }
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)%"
    }
}
