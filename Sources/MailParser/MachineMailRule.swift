// The rules that tell mail no person wrote (reports, bounces, automatic replies) from people's mail.

/// One rule of the machine-mail classifier (``ParsedMessage/classification``), in the order they are tried.
///
/// Every rule looks at the message's own headers and MIME structure only: an embedded message (`message/rfc822`,
/// as in a person forwarding a bounce) is never looked into, so the person's mail stays personal.
public enum MachineMailRule: String, CaseIterable, Sendable {
    /// RFC 3464 / RFC 6533 delivery status notification: `multipart/report; report-type=delivery-status`, or a
    /// `message/delivery-status` or `message/global-delivery-status` part.
    case deliveryStatusReport = "delivery-status-report"
    /// RFC 5965 (ARF) feedback or abuse report: `report-type=feedback-report`, or a `message/feedback-report` part
    /// anywhere in the message's own structure (some providers send it inside `multipart/mixed`).
    case feedbackReport = "feedback-report"
    /// RFC 8098 message disposition notification (a read receipt): `report-type=disposition-notification`, or a
    /// `message/disposition-notification` part. Classified as an automatic reply.
    case dispositionNotification = "disposition-notification"
    /// RFC 6522 `multipart/report` with no `report-type`, or one not named above: a report is machine-made.
    case otherReport = "report"
    /// A notification from a mail service about a bounce or complaint: Amazon SNS delivering SES notifications
    /// (`x-amz-sns-message-id` or `x-amz-sns-subscription-arn`).
    case mailServiceNotification = "mail-service-notification"
    /// From the mail system itself (RFC 5321 §4.5.1 postmaster, the MAILER-DAEMON convention): a From whose local
    /// part, ignoring case, dots, dashes, underscores and blanks, is `mailerdaemon`, `maildaemon`, `postmaster`,
    /// `maildeliverysystem` or `maildeliverysubsystem`, at any host (or no host); or a `Return-Path` naming such an
    /// address (Sendmail records the null sender of a bounce as `<MAILER-DAEMON@host>`).
    case mailSystemSender = "mail-system-sender"
    /// A mailing-list manager's error (RFC 2369 `List-*`, `X-ML*`, `X-Mailman-*` headers) sent from the list's
    /// administrative address: a From or Sender local part (before any `+` tag) ending in `-admin`, `-owner`,
    /// `-request` or `-bounces`, or starting with `owner-`.
    case listManagerError = "list-manager"
    /// A subject that opens with the words mail systems title their failure and delay notices with ("Undeliverable:",
    /// "Undelivered Mail Returned to Sender", "Mail delivery failed", "failure notice", "Returned mail",
    /// "Delivery Status Notification", "Unzustellbar"…), for the plain-text bounces that carry no report part and
    /// come from an ordinary-looking address. A person's "Fwd:" or "Re:" of one is not matched.
    case failureNoticeSubject = "failure-notice-subject"
    /// RFC 3834 `Auto-Submitted` with any value other than `no`.
    case autoSubmitted = "auto-submitted"
    /// Autoresponder headers: `X-Autoreply`, `X-Autorespond`, `X-Auto-Response-Suppress` (Exchange).
    case autoReplyHeader = "auto-reply-header"
    /// `Precedence: bulk`, `junk`, `auto_reply` or `list` (RFC 3834 §2 asks responders not to answer these).
    case bulkPrecedence = "precedence"
    /// A subject that opens with an out-of-office phrase ("Out of Office", "Automatic reply", "Abwesenheitsnotiz"…).
    case outOfOfficeSubject = "out-of-office-subject"
    /// The null sender (RFC 5321 §4.5.5; RFC 3834 §3.3 asks automatic responses to use it): `Return-Path: <>`
    /// or `From: <>`. Tried last, so an out-of-office reply with a null sender stays an automatic reply.
    case nullSender = "null-sender"

    /// What a message matched by this rule is.
    public var kind: MailKind {
        switch self {
        case .deliveryStatusReport, .feedbackReport, .otherReport, .mailServiceNotification, .mailSystemSender,
            .listManagerError, .failureNoticeSubject, .nullSender:
            .bounce
        case .dispositionNotification, .autoSubmitted, .autoReplyHeader, .bulkPrecedence, .outOfOfficeSubject:
            .autoReply
        }
    }

    /// Whether `message` matches this rule.
    public func matches(_ message: ParsedMessage) -> Bool {
        switch self {
        case .deliveryStatusReport:
            MachineMailSignals.hasReport(message, type: "delivery-status", parts: ["message/delivery-status", "message/global-delivery-status"])
        case .feedbackReport: MachineMailSignals.hasReport(message, type: "feedback-report", parts: ["message/feedback-report"])
        case .dispositionNotification:
            MachineMailSignals.hasReport(
                message, type: "disposition-notification",
                parts: ["message/disposition-notification", "message/global-disposition-notification"])
        case .otherReport: message.root.allParts.contains { $0.contentType.mimeType == "multipart/report" }
        case .mailServiceNotification:
            message.headers.contains("x-amz-sns-message-id") || message.headers.contains("x-amz-sns-subscription-arn")
        case .mailSystemSender: MachineMailSignals.isFromMailSystem(message)
        case .listManagerError: MachineMailSignals.isListManagerError(message)
        case .failureNoticeSubject: message.subject.map(MachineMailSignals.isFailureNoticeSubject) ?? false
        case .autoSubmitted: MachineMailSignals.isAutoSubmitted(message.headers)
        case .autoReplyHeader:
            ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"].contains(where: message.headers.contains)
        case .bulkPrecedence:
            message.headers.first("Precedence").map {
                ["bulk", "junk", "auto_reply", "list"].contains(ASCII.lowercased(MachineMailSignals.firstWord($0.rawValue)))
            } ?? false
        case .outOfOfficeSubject: message.subject.map(MachineMailSignals.isOutOfOfficeSubject) ?? false
        case .nullSender: MachineMailSignals.hasNullSender(message)
        }
    }
}
