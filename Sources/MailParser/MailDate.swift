/// RFC 5322 §3.3 date-times, read leniently into a UTC instant.
public enum MailDate {
    /// The instant `value` names, in milliseconds since 1970-01-01T00:00:00Z, or nil if it names none.
    ///
    /// Accepts the RFC 5322 form with or without the day of week and seconds, and the obsolete forms of §4.3:
    /// two- and three-digit years, comments, named zones (UT, GMT, EST…PDT; military letters count as +0000, as
    /// §4.3 advises), plus common zone abbreviations (CET, CEST, BST, JST…) and `yyyy-mm-dd` dates. A missing zone
    /// means UTC; a numeric offset wins over a zone name. Impossible dates (February 30, hour 24) give nil.
    public static func parse(_ value: String) -> Int64? {
        var fields = Fields()
        for token in tokens(value) { fields.take(token) }
        return fields.instant()
    }

    /// The instant for a UTC calendar date and time, in milliseconds since the epoch.
    static func milliseconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        let days = daysFromCivil(year: year, month: month, day: day)
        return (Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 1000
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Words of the value with comments removed, split at blanks and commas; blanks around the colons of a time
    /// (`09 : 55 : 06`, obsolete but legal) are dropped first.
    private static func tokens(_ value: String) -> [Substring] {
        var cleaned: [Character] = []
        var depth = 0
        for character in value {
            if character == "(" {
                depth += 1
            } else if character == ")" {
                depth = max(0, depth - 1)
            } else if depth == 0 {
                if character == ":" {
                    while let last = cleaned.last, last == " " || last == "\t" { cleaned.removeLast() }
                }
                if character == " " || character == "\t", cleaned.last == ":" { continue }
                cleaned.append(character)
            }
        }
        return String(cleaned).split(whereSeparator: {
            $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" || $0 == "\n"
        })
    }

    // MARK: - Fields

    private struct Fields {
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (hour: Int, minute: Int, second: Int)?
        var offsetMinutes: Int?
        var namedOffsetMinutes: Int?

        mutating func take(_ token: Substring) {
            let lowered = ASCII.lowercased(token)
            if time == nil, token.contains(":"), let parsed = Self.time(token) {
                time = parsed.time
                if let zone = parsed.zone { take(zone) }
                return
            }
            if let first = token.first, first == "+" || first == "-", token.count > 1,
                token.dropFirst().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ":") })
            {
                if offsetMinutes == nil { offsetMinutes = Self.offset(token) }
                return
            }
            if token.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(token) {
                takeNumber(number, digits: token.count)
                return
            }
            if token.contains("-") || token.contains("/"), takeNumericDate(token) { return }
            if month == nil, let month = Self.month(lowered) {
                self.month = month
                return
            }
            if let zone = MailDate.zoneOffsets[lowered] {
                if namedOffsetMinutes == nil { namedOffsetMinutes = zone }
                return
            }
            if lowered.count == 1, let letter = lowered.first, letter.isLetter, letter != "j" {
                if namedOffsetMinutes == nil { namedOffsetMinutes = 0 }  // military zones: RFC 5322 §4.3
            }
        }

        private mutating func takeNumber(_ number: Int, digits: Int) {
            if day == nil, digits <= 2, (1...31).contains(number), year == nil || month != nil {
                day = number
            } else if year == nil, day != nil || digits >= 3 || number > 31 {
                year = Self.fullYear(number, digits: digits)
            } else if day == nil, (1...31).contains(number) {
                day = number
            }
        }

        /// `yyyy-mm-dd`, optionally followed by `Thh:mm:ss` and a zone; also `dd/mm/yyyy`.
        private mutating func takeNumericDate(_ token: Substring) -> Bool {
            var datePart = token
            var rest: Substring?
            if let t = token.firstIndex(where: { $0 == "T" || $0 == "t" }) {
                datePart = token[..<t]
                rest = token[token.index(after: t)...]
            }
            let pieces = datePart.split(whereSeparator: { $0 == "-" || $0 == "/" }).compactMap { Int($0) }
            guard pieces.count == 3 else { return false }
            if datePart.split(whereSeparator: { $0 == "-" || $0 == "/" }).first?.count == 4 {
                (year, month, day) = (pieces[0], pieces[1], pieces[2])
            } else if datePart.contains("/") {
                (day, month, year) = (pieces[0], pieces[1], Self.fullYear(pieces[2], digits: String(pieces[2]).count))
            } else {
                return false
            }
            if let rest, let parsed = Self.time(rest) {
                time = parsed.time
                if let zone = parsed.zone { take(zone) }
            }
            return true
        }

        /// `hh:mm[:ss[.fraction]]`, possibly glued to a zone (`10:00:00+0200`, `10:00:00Z`).
        private static func time(_ token: Substring) -> (time: (hour: Int, minute: Int, second: Int), zone: Substring?)?
        {
            var end = token.startIndex
            while end < token.endIndex, token[end].isASCII,
                token[end].isNumber || token[end] == ":" || token[end] == "."
            {
                end = token.index(after: end)
            }
            let clock = token[..<end].split(separator: ".", maxSplits: 1).first ?? ""
            let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 2 || parts.count == 3, let hour = parts[0], let minute = parts[1] else { return nil }
            let second = parts.count == 3 ? parts[2] : 0
            guard let second else { return nil }
            let zone = end < token.endIndex ? token[end...] : nil
            return ((hour, minute, second), zone)
        }

        private static func offset(_ token: Substring) -> Int? {
            let sign = token.first == "-" ? -1 : 1
            let digits = token.dropFirst().filter { $0 != ":" }
            guard let number = Int(digits) else { return nil }
            let (hours, minutes) = digits.count <= 2 ? (number, 0) : (number / 100, number % 100)
            guard hours <= 23, minutes <= 59 else { return nil }
            return sign * (hours * 60 + minutes)
        }

        private static func month(_ lowered: String) -> Int? {
            let names = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            guard lowered.count >= 3, let index = names.firstIndex(of: String(lowered.prefix(3))) else { return nil }
            let full = [
                "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december",
            ]
            let ok = lowered.count == 3 || full[index].hasPrefix(lowered.trimmingSuffix(".")) || lowered == "sept"
            return ok ? index + 1 : nil
        }

        /// Two-digit years 00–49 are 2000–2049 and 50–99 are 1950–1999; three-digit years add 1900
        /// (RFC 5322 §4.3).
        private static func fullYear(_ number: Int, digits: Int) -> Int {
            switch digits {
            case ...2: number < 50 ? 2000 + number : 1900 + number
            case 3: 1900 + number
            default: number
            }
        }

        func instant() -> Int64? {
            guard let day, let month, let year, (1...12).contains(month), (1...9999).contains(year), day >= 1,
                day <= MailDate.daysInMonth(year: year, month: month)
            else { return nil }
            let time = self.time ?? (0, 0, 0)
            guard (0...23).contains(time.hour), (0...59).contains(time.minute), (0...60).contains(time.second) else {
                return nil
            }
            let offset = offsetMinutes ?? namedOffsetMinutes ?? 0
            let local = MailDate.milliseconds(
                year: year, month: month, day: day, hour: time.hour, minute: time.minute, second: time.second)
            return local - Int64(offset) * 60_000
        }
    }

    /// Zone names and their offsets from UTC in minutes: RFC 5322's names and common abbreviations.
    static let zoneOffsets: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0,
        "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480, "pdt": -420,
        "akst": -540, "akdt": -480, "hst": -600, "ast": -240, "adt": -180, "nst": -210, "ndt": -150,
        "bst": 60, "west": 60, "cet": 60, "met": 60, "mez": 60, "cest": 120, "mest": 120, "mesz": 120,
        "eet": 120, "eest": 180, "msk": 180, "jst": 540, "kst": 540, "hkt": 480, "sgt": 480, "awst": 480,
        "acst": 570, "acdt": 630, "aest": 600, "aedt": 660, "nzst": 720, "nzdt": 780,
    ]
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
