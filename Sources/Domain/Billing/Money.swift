/// Money arithmetic in integer minor units (cents), with the rounding rules written out.
///
/// Rules (docs/billing.md):
/// 1. Amounts are `Int64` minor units of the invoice's currency; there is no floating point anywhere.
/// 2. Time is priced per charge, not per minute: `amount = minutes × rate per hour × multiplier% / 6000`,
///    rounded half away from zero to the minor unit, once, at the end.
/// 3. Tax is computed per invoice and per tax rate: `tax = base × rate in millionths / 1,000,000`, rounded half away
///    from zero (8.875% is 88,750 millionths; 825 basis points are 82,500).
/// 4. Adjustments are differences of amounts already rounded by rules 2 and 3, so they never round again.
/// 5. Arithmetic never traps: products are formed in 128 bits and every result, sum and difference is checked; an
///    amount that does not fit in `Int64` is refused by the caller (an invoice run names the client and contract).
public enum Money {
    /// `numerator / denominator` rounded half away from zero; `denominator` must be positive.
    public static func divide(_ numerator: Int64, by denominator: Int64) -> Int64 {
        precondition(denominator > 0, "a money divisor must be positive")
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        guard remainder != 0 else { return quotient }
        // |remainder| * 2 >= denominator rounds away from zero.
        if remainder.magnitude * 2 >= UInt64(denominator) {
            return numerator < 0 ? quotient - 1 : quotient + 1
        }
        return quotient
    }

    /// The price of `minutes` at `ratePerHour` minor units, scaled by `multiplierPercent` (100 = ×1, 150 = ×1.5);
    /// nil when the price does not fit in `Int64` (the product is formed in 128 bits and checked too).
    public static func price(minutes: Int, ratePerHour: Int64, multiplierPercent: Int) -> Int64? {
        let (product, overflow) = (Int128(minutes) * Int128(ratePerHour)).multipliedReportingOverflow(by: Int128(multiplierPercent))
        guard !overflow else { return nil }
        return Int64(exactly: divide(product, by: 6_000))
    }

    /// The tax on `base` at `rate`: `base × millionths / 1,000,000`, rounded half away from zero once; nil when it does
    /// not fit in `Int64` (only with a rate above 100%, which terms never give). For a rate of whole basis points this
    /// is exactly `base × basis points / 10,000` (the rule before fractional rates).
    public static func tax(on base: Int64, rate: TaxRate) -> Int64? {
        Int64(exactly: divide(Int128(base) * Int128(rate.millionths), by: 1_000_000))
    }

    /// The sum of `amounts`, or nil when it (or a partial sum) does not fit in `Int64`.
    public static func sum(_ amounts: some Sequence<Int64>) -> Int64? {
        var total: Int64 = 0
        for amount in amounts {
            let (next, overflow) = total.addingReportingOverflow(amount)
            guard !overflow else { return nil }
            total = next
        }
        return total
    }

    /// `numerator / denominator` in 128 bits, rounded half away from zero; `denominator` must be positive.
    private static func divide(_ numerator: Int128, by denominator: Int128) -> Int128 {
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        guard remainder != 0 else { return quotient }
        if remainder.magnitude * 2 >= denominator.magnitude {
            return numerator < 0 ? quotient - 1 : quotient + 1
        }
        return quotient
    }

    /// How many decimal digits a major unit of `currency` has: ISO 4217's minor unit (the list of codes published
    /// by its maintenance agency, SIX): 0 for the yen, the won, the guaraní and the others below, 3 for the dinars of
    /// Bahrain, Iraq, Jordan, Kuwait, Libya and Tunisia and the Omani rial, 4 for the unidades de fomento (CLF) and the
    /// Uruguayan wage index unit (UYW), 2 otherwise.
    public static func minorDigits(_ currency: String) -> Int {
        switch currency {
        case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
            "XPF":
            0
        case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND": 3
        case "CLF", "UYW": 4
        default: 2
        }
    }

    /// `123450` USD → `"1,234.50"`; negative amounts get a leading minus.
    public static func format(_ minor: Int64, currency: String) -> String {
        let digits = minorDigits(currency)
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let magnitude = minor.magnitude
        let whole = String(magnitude / scale)
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        var text = (minor < 0 ? "-" : "") + grouped
        if digits > 0 {
            let fraction = String(magnitude % scale)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    /// Minutes as hours with two decimals, without floating point: 95 → `"1.58"` (rounded half up).
    public static func hours(_ minutes: Int) -> String {
        let hundredths = divide(Int64(minutes) * 100, by: 60)
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = hundredths.magnitude
        let fraction = String(magnitude % 100)
        return sign + String(magnitude / 100) + "." + (fraction.count == 1 ? "0" : "") + fraction
    }
}
