/// Durations as people type them: `45m`, `1h30m`, `2h`, `1.5h` (90 minutes) or a bare number of minutes (`90`).
/// Parsed with integer arithmetic on the text: no floating point.
public enum TimeDuration {
    /// The number of minutes `text` stands for; throws ``DomainError/Code/invalid`` naming the input and the fix.
    public static func parse(_ text: String) throws(DomainError) -> Int {
        let bytes = Array(text.trimmingSpaces.lowercased().utf8)
        guard !bytes.isEmpty, let minutes = try minutes(bytes, text: text) else {
            throw DomainError(.invalid, "duration \"\(text)\" is not valid; write it like 45m, 1h30m, 1.5h or 90 (minutes), in whole minutes")
        }
        return minutes
    }

    /// The minutes `bytes` stand for, nil when they are not a duration; refuses minutes of 60 or more after hours
    /// (`1h90m`), which are more likely a typo than a way of writing 2h30m.
    private static func minutes(_ bytes: [UInt8], text: String) throws(DomainError) -> Int? {
        // A bare number: minutes.
        if bytes.allSatisfy(isDigit) { return number(bytes[...]) }
        var rest = bytes[...]
        var total = 0
        var sawUnit = false
        if let h = rest.firstIndex(of: UInt8(ascii: "h")) {
            let part = rest[rest.startIndex..<h]
            rest = rest[(h + 1)...]
            if let dot = part.firstIndex(of: UInt8(ascii: ".")) {
                // Decimal hours: whole * 60 + fraction * 60 / 10^digits, which must come out whole.
                let whole = part[part.startIndex..<dot], fraction = part[(dot + 1)...]
                guard !whole.isEmpty || !fraction.isEmpty, fraction.count <= 6, rest.isEmpty,
                    let w = whole.isEmpty ? 0 : number(whole), let f = fraction.isEmpty ? 0 : number(fraction)
                else { return nil }
                var scale = 1
                for _ in 0..<fraction.count { scale *= 10 }
                guard (f * 60) % scale == 0 else { return nil }
                return w * 60 + f * 60 / scale
            }
            guard let hours = number(part) else { return nil }
            total = hours * 60
            sawUnit = true
        }
        if !rest.isEmpty {
            guard rest.last == UInt8(ascii: "m"), let m = number(rest.dropLast()) else { return nil }
            if sawUnit, m >= 60 {
                throw DomainError(
                    .invalid,
                    "duration \"\(text)\" has \(m) minutes after the hours; write them under 60 (\(format(total + m))) or all in minutes (\(total + m))")
            }
            total += m
            sawUnit = true
        }
        return sawUnit ? total : nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// 1 to 6 digits as an integer.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard (1...6).contains(digits.count), digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// `1h30m`, `45m`, `2h`.
    public static func format(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        if h == 0 { return "\(m)m" }
        return m == 0 ? "\(h)h" : "\(h)h\(m)m"
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
