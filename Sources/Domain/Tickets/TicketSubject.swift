/// A ticket's subject: the one line a technician reads in the queue, in `ticket show` and in the Subject of the
/// client's mail. New subjects are checked (`validated`); text from outside — an email's Subject header, an alert's
/// summary — is made into one first (`fromIntake`), since a sender's mail must still become a ticket.
public enum TicketSubject {
    /// The longest subject, in UTF-8 bytes: a queue line's worth, and within RFC 5322's 998-byte header line.
    public static let maxBytes = 255

    /// What an empty subject from outside becomes.
    public static let missing = "(no subject)"

    /// `text` trimmed, as a new ticket's subject; throws when nothing is left, when it holds a line break or another
    /// control character (which would break the queue's lines or drive a technician's terminal), or when it is
    /// longer than ``maxBytes``.
    static func validated(_ text: String) throws(DomainError) -> String {
        let subject = try Validate.nonEmpty(text, "the subject", fix: "give the ticket a one-line subject")
        if let control = subject.unicodeScalars.first(where: isControl) {
            let hex = String(control.value, radix: 16, uppercase: true)
            let code = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw DomainError(
                .invalid,
                "the subject holds a line break or control character (U+\(code)); give a one-line subject and put the rest in the description")
        }
        guard subject.utf8.count <= maxBytes else {
            throw DomainError(
                .invalid,
                "the subject is \(subject.utf8.count) bytes, over the \(maxBytes) allowed; shorten it and put the rest in the description")
        }
        return subject
    }

    /// Text from outside made a subject that ``validated`` accepts: each run of line breaks and control characters,
    /// with the white space around it, becomes one space, the ends are trimmed, text over ``maxBytes`` is cut at a character and ends
    /// in "…", and nothing left gives ``missing``.
    public static func fromIntake(_ text: String) -> String {
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
        var subject = Validate.optional(line) ?? missing
        guard subject.utf8.count > maxBytes else { return subject }
        let ellipsis = "…"
        var cut = Substring(subject)
        while cut.utf8.count > maxBytes - ellipsis.utf8.count { cut.removeLast() }
        subject = String(cut).trimmingWhitespaceAtEnd + ellipsis
        return subject
    }

    /// A line break or control character: Unicode's controls (C0, DEL, C1: tab, CR and LF among them) and its line
    /// and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}

extension String {
    /// The text without the white space at its end.
    fileprivate var trimmingWhitespaceAtEnd: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
