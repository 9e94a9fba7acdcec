/// Command ids: the ones Docket gives its own commands, and the rule for the ones callers give
/// (`--command-id`, `Idempotency-Key`). A command id makes a retry write nothing, so a caller who could take one of
/// Docket's own would make Docket skip that work: an id `mail:<Message-ID>` given to a comment made the mail with that
/// Message-ID a "duplicate", dropped when it arrived. Callers' ids may therefore not take those forms.
public enum CommandIds {
    /// Taking the mail with Message-ID `messageId` (intake).
    static func mailTaken(_ messageId: String) -> String { mailTakenPrefix + messageId }
    /// Handing outbox message `messageId` to sendmail, attempt `attempt`.
    static func mailSent(_ messageId: String, attempt: Int) -> String { "\(mailSentPrefix)\(messageId):\(attempt)" }

    static let mailTakenPrefix = "mail:"
    static let mailSentPrefix = "mail-send:"

    /// What is wrong with `value` as a caller's command id (`label` names where it was given), or nil when it is
    /// usable: an identifier (``LogService/identifierProblem(_:_:)``) outside Docket's own forms.
    public static func problem(_ value: String, _ label: String) -> String? {
        if let problem = LogService.identifierProblem(value, label) { return problem }
        guard let prefix = [mailTakenPrefix, mailSentPrefix].first(where: value.hasPrefix) else { return nil }
        return "\(label) '\(value)' starts with '\(prefix)', which Docket keeps for the mail it takes and sends; choose another id"
    }
}
