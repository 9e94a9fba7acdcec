// Recognising mail that no person wrote: reports, bounces and automatic replies (rules in MachineMailRule).

/// What kind of sender produced a message, as far as its headers and structure tell.
public enum MailKind: Equatable, Sendable {
    /// A report from a mail system: a delivery failure or delay (bounce), a feedback or abuse report, a
    /// notification of either from a mail service, a list manager's error, or mail from the null sender.
    case bounce
    /// An automatic reply (out of office, autoresponder, read receipt) or bulk/list mail that must not be answered.
    case autoReply
    /// Anything else: presumably written by a person.
    case personal
}

/// The classifier's verdict: the kind, and the rule that decided it (nil for personal mail).
public struct MailClassification: Equatable, Sendable {
    public var kind: MailKind
    /// The first ``MachineMailRule`` the message matched.
    public var rule: MachineMailRule?

    /// A verdict of `kind` by `rule`.
    public init(kind: MailKind, rule: MachineMailRule?) {
        self.kind = kind
        self.rule = rule
    }
}

extension ParsedMessage {
    /// The first ``MachineMailRule`` (in declaration order) the message matches, and the kind it gives; personal
    /// when none matches. Reports are decided before automatic replies, because bounces often carry
    /// `Auto-Submitted: auto-replied`.
    public var classification: MailClassification {
        guard let rule = MachineMailRule.allCases.first(where: { $0.matches(self) }) else {
            return MailClassification(kind: .personal, rule: nil)
        }
        return MailClassification(kind: rule.kind, rule: rule)
    }

    /// The kind of message (see ``classification``).
    public var kind: MailKind { classification.kind }

    /// Whether this is a bounce or report from a mail system (see ``MailKind/bounce``).
    public var isBounce: Bool { kind == .bounce }

    /// Whether this is an automatic reply and not a bounce.
    public var isAutoReply: Bool { kind == .autoReply }
}
