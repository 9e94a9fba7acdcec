// The header and structure tests behind each MachineMailRule.

enum MachineMailSignals {
    /// Whether the message's own structure holds a `multipart/report` of `type` or a part of one of `parts`.
    static func hasReport(_ message: ParsedMessage, type: String, parts: Set<String>) -> Bool {
        message.root.allParts.contains { part in
            let contentType = part.contentType
            if parts.contains(contentType.mimeType) { return true }
            guard contentType.mimeType == "multipart/report", let reportType = contentType[parameter: "report-type"] else {
                return false
            }
            return ASCII.lowercased(ASCII.trimmed(reportType)) == type
        }
    }

    /// Local parts (lowercased, without `.`, `-`, `_` and blanks) that the mail system itself sends from.
    static let mailSystemLocalParts: Set<String> = [
        "mailerdaemon", "maildaemon", "postmaster", "maildeliverysystem", "maildeliverysubsystem",
    ]

    /// A From mailbox, or the Return-Path, of the mail system itself.
    static func isFromMailSystem(_ message: ParsedMessage) -> Bool {
        if message.from.contains(where: isMailSystem) { return true }
        guard let returnPath = message.headers.first("Return-Path") else { return false }
        return MailAddress.parseList(returnPath.rawValue).contains(where: isMailSystem)
    }

    static func isMailSystem(_ mailbox: MailAddress) -> Bool {
        // The local part up to the first "@" (`<Postmaster\@example.com@relay>` is the postmaster's).
        let local = (mailbox.localPart ?? mailbox.name ?? "").filter { $0 != "\\" }.prefix { $0 != "@" }
        let squeezed = ASCII.lowercased(local).filter { !".-_ \t\"".contains($0) }
        return mailSystemLocalParts.contains(squeezed)
    }

    /// A list header (`List-*`, `X-ML*`, `X-Mailman-*`) on mail from a list's administrative address.
    static func isListManagerError(_ message: ParsedMessage) -> Bool {
        let hasListHeader = message.headers.contains { field in
            let name = ASCII.lowercased(field.name)
            return name.hasPrefix("list-") || name.hasPrefix("x-ml") || name.hasPrefix("x-mailman")
        }
        guard hasListHeader else { return false }
        return (message.from + [message.sender].compactMap { $0 }).contains { mailbox in
            guard let local = mailbox.localPart.map(ASCII.lowercased) else { return false }
            let base = local.prefix { $0 != "+" }
            return base.hasPrefix("owner-")
                || ["-admin", "-owner", "-request", "-bounces", "-bounce"].contains { base.hasSuffix($0) }
        }
    }

    static func isAutoSubmitted(_ headers: MailHeaders) -> Bool {
        guard let field = headers.first("Auto-Submitted") else { return false }
        let value = ASCII.lowercased(firstWord(field.rawValue))
        return !value.isEmpty && value != "no"
    }

    /// `Return-Path: <>` (what the delivering server records for the null reverse-path), or a From field that
    /// holds only empty angle brackets (with or without a display name).
    static func hasNullSender(_ message: ParsedMessage) -> Bool {
        if let returnPath = message.headers.first("Return-Path"), isNullPath(returnPath.rawValue) { return true }
        guard let from = message.headers.first("From") else { return false }
        return from.rawValue.contains("<>") && !message.from.contains { $0.address != nil }
    }

    /// `<>`, possibly with blanks or a comment around or inside it.
    private static func isNullPath(_ value: String) -> Bool {
        var text = ""
        var depth = 0
        for character in value {
            if character == "(" { depth += 1 } else if character == ")" { depth = max(0, depth - 1) } else if depth == 0, !character.isWhitespace {
                text.append(character)
            }
        }
        return text == "<>"
    }

    /// Subject openings of mail systems' failure and delay notices, lowercased.
    static let failureNoticeOpenings = [
        "undeliverable:", "undeliverable mail", "undelivered mail", "undelivered message", "returned mail",
        "mail delivery failed", "mail delivery failure", "mail delivery warning", "delivery failure",
        "delivery status notification", "delivery notification: delivery has failed", "failure notice",
        "non-delivery", "nondeliverable", "non remis", "unzustellbar", "onbestelbaar", "non recapitabile",
        "no se puede entregar", "mail could not be delivered", "mail not delivered", "mail failed, returning to sender",
        "mail system error", "message delivery failure", "permanent delivery failure", "delayed mail",
        "warning: could not send message", "warning: message has not yet been delivered",
    ]

    /// Whether `subject` opens (after blanks and an opening bracket) with a failure-notice phrase.
    static func isFailureNoticeSubject(_ subject: String) -> Bool {
        let text = subject.lowercased().drop { $0.isWhitespace || $0 == "[" || $0 == "(" }
        return failureNoticeOpenings.contains { text.hasPrefix($0) }
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
    static func firstWord(_ value: String) -> String {
        String(ASCII.trimmed(value).prefix { $0 != ";" && $0 != "(" && !$0.isWhitespace })
    }
}
