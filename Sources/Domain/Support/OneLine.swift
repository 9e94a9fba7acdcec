/// Text that is shown on one line — a ticket's subject, a name — and the line breaks and control characters that do
/// not belong in it.
enum OneLine {
    /// A line break or control character: Unicode's controls (C0, DEL, C1: tab, CR and LF among them) and its line
    /// and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// The first line break or control character in `text`, as `U+XXXX`, or nil.
    static func firstControl(in text: String) -> String? {
        guard let scalar = text.unicodeScalars.first(where: isControl) else { return nil }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// `text` on one line: each run of line breaks and control characters, with the white space around it, becomes
    /// one space, and the ends are trimmed. For text from outside (a mail's subject or sender's name), which must
    /// still be taken.
    static func flattened(_ text: String) -> String {
        var line = ""
        line.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        var replacing = false  // in a run of controls and the white space around them: one space for all
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                if !replacing, line.unicodeScalars.last?.properties.isWhitespace != true { line.unicodeScalars.append(" ") }
                replacing = true
            } else if !(replacing && scalar.properties.isWhitespace) {
                line.unicodeScalars.append(scalar)
                replacing = false
            }
        }
        return Validate.optional(line) ?? ""
    }
}
