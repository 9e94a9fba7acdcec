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
        if let code = OneLine.firstControl(in: subject) {
            throw DomainError(
                .invalid,
                "the subject holds a line break or control character (\(code)); give a one-line subject and put the rest in the description")
        }
        guard subject.utf8.count <= maxBytes else {
            throw DomainError(
                .invalid,
                "the subject is \(subject.utf8.count) bytes, over the \(maxBytes) allowed; shorten it and put the rest in the description")
        }
        return subject
    }

    /// Text from outside made a subject that ``validated`` accepts: one line (``OneLine/flattened(_:)``), cut at a
    /// character and ended with "…" when over ``maxBytes``, ``missing`` when nothing is left.
    public static func fromIntake(_ text: String) -> String {
        let subject = OneLine.flattened(text)
        if subject.isEmpty { return missing }
        guard subject.utf8.count > maxBytes else { return subject }
        let ellipsis = "…"
        // The longest run of whole characters that leaves room for the ellipsis, found in one pass (a mail's subject
        // can be long), without the white space at its end.
        var end = subject.startIndex
        var bytes = 0
        for index in subject.indices {
            bytes += subject[index].utf8.count
            if bytes > maxBytes - ellipsis.utf8.count { break }
            end = subject.index(after: index)
        }
        var cut = subject[..<end]
        while let last = cut.last, last.isWhitespace { cut.removeLast() }
        return cut + ellipsis
    }
}
