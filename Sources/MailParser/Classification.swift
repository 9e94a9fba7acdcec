// Recognising mail that no person wrote: delivery failures (bounces) and automatic replies.

/// What kind of sender produced a message, as far as its headers and structure tell.
public enum MailKind: Equatable, Sendable {
    /// A delivery status notification: the mail system reports a failure or delay.
    case bounce
    /// An automatic reply (out of office, autoresponder) or bulk/list mail that must not be answered.
    case autoReply
    /// Anything else: presumably written by a person.
    case personal
}

extension ParsedMessage {
    /// The kind of message. Bounces are decided first, because they often carry `Auto-Submitted: auto-replied`.
    public var kind: MailKind {
        if isBounce { return .bounce }
        return MailClassifier.hasAutoReplySignal(self) ? .autoReply : .personal
    }

    /// Whether this is a bounce: a multipart/report with `report-type=delivery-status`, a
    /// message/delivery-status part, or a From whose local part is MAILER-DAEMON or postmaster.
    /// Embedded messages (a forwarded bounce) are not looked into.
    public var isBounce: Bool { MailClassifier.isBounce(self) }

    /// Whether this is an automatic reply and not a bounce: Auto-Submitted other than `no`, X-Autoreply,
    /// X-Autorespond, Precedence bulk, junk, auto_reply or list, X-Auto-Response-Suppress present, or an
    /// out-of-office subject ("Out of Office", "Automatic reply", "Autoreply", "Abwesenheitsnotiz"…).
    public var isAutoReply: Bool { kind == .autoReply }
}

enum MailClassifier {
    static func isBounce(_ message: ParsedMessage) -> Bool {
        let reportPart = message.root.allParts.contains { part in
            let type = part.contentType
            if type.mimeType == "multipart/report",
                let reportType = type[parameter: "report-type"],
                ASCII.lowercased(ASCII.trimmed(reportType)) == "delivery-status"
            {
                return true
            }
            return type.mimeType == "message/delivery-status" || type.mimeType == "message/global-delivery-status"
        }
        if reportPart { return true }
        return message.from.contains { mailbox in
            let local = mailbox.localPart ?? mailbox.name ?? ""
            let lowered = ASCII.lowercased(ASCII.trimmed(local))
            return lowered == "mailer-daemon" || lowered == "postmaster"
        }
    }

    static func hasAutoReplySignal(_ message: ParsedMessage) -> Bool {
        let headers = message.headers
        if let autoSubmitted = headers.first("Auto-Submitted") {
            let value = ASCII.lowercased(firstWord(autoSubmitted.rawValue))
            if !value.isEmpty, value != "no" { return true }
        }
        if headers.contains("X-Autoreply") || headers.contains("X-Autorespond")
            || headers.contains("X-Auto-Response-Suppress")
        {
            return true
        }
        if let precedence = headers.first("Precedence"),
            ["bulk", "junk", "auto_reply", "list"].contains(ASCII.lowercased(firstWord(precedence.rawValue)))
        {
            return true
        }
        return message.subject.map(isOutOfOfficeSubject) ?? false
    }

    /// Subject openings that out-of-office and autoresponder software uses, lowercased.
    static let outOfOfficeOpenings = [
        "out of office", "out-of-office", "automatic reply", "auto reply", "auto-reply", "autoreply",
        "auto response", "auto-response", "autoresponse", "abwesenheitsnotiz", "automatische antwort",
        "réponse automatique", "respuesta automática", "risposta automatica", "resposta automática",
        "automatisch antwoord", "afwezigheidsbericht",
    ]

    /// Whether `subject` opens with an out-of-office phrase (after blanks and an opening bracket). A reply such as
    /// "Re: out of office next week" is not matched: autoresponders put their phrase first.
    static func isOutOfOfficeSubject(_ subject: String) -> Bool {
        let text = subject.lowercased().drop { $0.isWhitespace || $0 == "[" || $0 == "(" }
        return outOfOfficeOpenings.contains { text.hasPrefix($0) }
    }

    /// The value up to the first `;`, blank or comment.
    private static func firstWord(_ value: String) -> String {
        String(ASCII.trimmed(value).prefix { $0 != ";" && $0 != "(" && !$0.isWhitespace })
    }
}
