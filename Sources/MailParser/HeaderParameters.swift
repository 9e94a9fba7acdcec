/// A structured field value followed by `; name=value` parameters (Content-Type, Content-Disposition), with
/// RFC 2231 continuations and charset'language'value encoding assembled.
struct ParameterizedValue: Equatable, Sendable {
    /// The part before the first `;`, with comments and blanks removed.
    var value: String
    /// Parameter values by lowercased name; the first occurrence of a name wins, an RFC 2231 form wins over
    /// the plain one.
    var parameters: [String: String]

    init(_ raw: String) {
        var scanner = Scanner(raw)
        value = scanner.readMainValue()
        var plain: [(name: String, value: String)] = []
        var sections: [String: [Section]] = [:]
        while let (name, value) = scanner.readParameter() {
            let lowered = ASCII.lowercased(name)
            if let star = lowered.firstIndex(of: "*") {
                let base = String(lowered[..<star])
                let rest = lowered[lowered.index(after: star)...]
                // "name*" and "name*N*" are percent-encoded; quoted ones too, leniently.
                let extended = rest.hasSuffix("*") || rest.isEmpty
                let numberText = rest.hasSuffix("*") ? rest.dropLast() : rest
                let number = numberText.isEmpty ? 0 : Int(numberText)
                guard let number else { continue }
                sections[base, default: []].append(Section(number: number, extended: extended, value: value))
            } else {
                plain.append((lowered, value))
            }
        }
        var parameters: [String: String] = [:]
        for (name, sectionList) in sections { parameters[name] = Self.assemble(sectionList) }
        for (name, value) in plain where parameters[name] == nil { parameters[name] = value }
        self.parameters = parameters
    }

    private struct Section {
        var number: Int
        var extended: Bool
        var value: String
    }

    /// Joins RFC 2231 sections in order, percent-decoding extended ones and decoding with the declared charset.
    private static func assemble(_ sections: [Section]) -> String {
        var seen = Set<Int>()
        let ordered = sections.sorted { $0.number < $1.number }.filter { seen.insert($0.number).inserted }
        var charset: String?
        var bytes: [UInt8] = []
        for (position, section) in ordered.enumerated() {
            guard section.extended else {
                bytes += Array(section.value.utf8)
                continue
            }
            var encoded = Substring(section.value)
            if position == 0 {
                let parts = encoded.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3 {
                    charset = parts[0].isEmpty ? nil : String(parts[0])
                    encoded = parts[2]
                }
            }
            bytes += percentDecoded(encoded)
        }
        return Charset.decode(bytes, label: charset).text
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            if input[index] == 0x25, index + 2 < input.count, let high = ASCII.hexValue(input[index + 1]),
                let low = ASCII.hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return output
    }
}

// MARK: - Scanning

/// Reads the main value and the parameters of a structured field, skipping comments outside quoted strings.
private struct Scanner {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) { scalars = Array(text.unicodeScalars) }

    mutating func readMainValue() -> String {
        var value = String.UnicodeScalarView()
        while index < scalars.count, scalars[index] != ";" {
            let scalar = scalars[index]
            if scalar == "(" {
                skipComment()
                continue
            }
            if scalar == "\"" {
                // Some mailers quote the whole value: Content-Type: "text/plain".
                index += 1
                continue
            }
            if !ASCII.isWhitespaceScalar(scalar) { value.append(scalar) }
            index += 1
        }
        return String(value)
    }

    /// The next `name=value` pair; nil at the end.
    mutating func readParameter() -> (String, String)? {
        while index < scalars.count {
            skipSeparators()
            guard index < scalars.count else { return nil }
            var name = String.UnicodeScalarView()
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" {
                if scalars[index] == "(" {
                    skipComment()
                    continue
                }
                if !ASCII.isWhitespaceScalar(scalars[index]) { name.append(scalars[index]) }
                index += 1
            }
            guard index < scalars.count, scalars[index] == "=" else { continue }  // a name without a value
            index += 1
            while index < scalars.count, ASCII.isWhitespaceScalar(scalars[index]) { index += 1 }
            let quoted = index < scalars.count && scalars[index] == "\""
            let value = quoted ? readQuoted() : readToken()
            guard !name.isEmpty else { continue }
            return (String(name), value)
        }
        return nil
    }

    private mutating func skipSeparators() {
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == ";" || ASCII.isWhitespaceScalar(scalar) {
                index += 1
            } else if scalar == "(" {
                skipComment()
            } else {
                return
            }
        }
    }

    /// A quoted string's content (backslash escapes undone); an unclosed quote runs to the end.
    private mutating func readQuoted() -> String {
        index += 1
        var value = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count {
                value.append(scalars[index + 1])
                index += 2
                continue
            }
            index += 1
            if scalar == "\"" { break }
            value.append(scalar)
        }
        // Skip anything between the closing quote and the next parameter.
        while index < scalars.count, scalars[index] != ";" { index += 1 }
        return String(value)
    }

    /// An unquoted value up to the next `;`; inner blanks are kept (`name=my file.pdf`), comments dropped.
    private mutating func readToken() -> String {
        var value = String.UnicodeScalarView()
        while index < scalars.count, scalars[index] != ";" {
            if scalars[index] == "(" {
                skipComment()
                continue
            }
            value.append(scalars[index])
            index += 1
        }
        return ASCII.trimmed(String(value))
    }

    private mutating func skipComment() {
        var depth = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\\" {
                index += 1
            } else if scalar == "(" {
                depth += 1
            } else if scalar == ")" {
                depth -= 1
                if depth == 0 { return }
            }
        }
    }
}
