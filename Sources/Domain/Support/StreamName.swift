import Foundation

/// Stream names: `category-id`, e.g. `ticket-T-1042`.
public enum StreamName {
    /// `ticket-T-1042` for `"T-1042"`.
    public static func ticket(_ number: String) -> String { "ticket-" + number }
    /// `ticket-T-1042`.
    public static func ticket(_ number: TicketNumber) -> String { ticket(number.description) }
    /// `client-acme` for the client code `acme`.
    public static func client(_ code: String) -> String { "client-" + code }
    /// `contract-acme-2026` for the contract id `acme-2026`.
    public static func contract(_ id: String) -> String { "contract-" + id }
    /// `user-alice` for the login `alice`.
    public static func user(_ login: String) -> String { "user-" + login }
    /// `template-first-response` for the template name `first-response`.
    public static func template(_ name: String) -> String { "template-" + name }
    /// `schedule-<id>`: a recurring ticket schedule.
    public static func schedule(_ id: String) -> String { "schedule-" + id }
    /// `calendar-ny-office` for the calendar id `ny-office` (the built-in `24x7` has no stream).
    public static func calendar(_ id: String) -> String { "calendar-" + id }
    /// `sla-policy-gold` for the SLA policy id `gold`.
    public static func slaPolicy(_ id: String) -> String { slaPolicyPrefix + id }
    /// `sla-policy-`: what every SLA policy's stream name starts with.
    public static let slaPolicyPrefix = "sla-policy-"
    /// `routing-rules`: the one stream of routing rules.
    public static let routingRules = "routing-rules"
    /// `follow-up-policy`: the one stream of the follow-up policy for tickets waiting on the client.
    public static let followUpPolicy = "follow-up-policy"
    /// `follow-up-policy-acme`: the client `acme`'s own follow-up policy.
    public static func clientFollowUpPolicy(_ client: String) -> String { "follow-up-policy-" + client }
    /// `survey-settings`: the store's satisfaction survey settings.
    public static let surveySettings = "survey-settings"
    /// `survey-settings-acme`: the client `acme`'s own survey setting (its opt-out).
    public static func clientSurveySettings(_ client: String) -> String { "survey-settings-" + client }
    /// `time-TE-7` for the time entry `TE-7`.
    public static func timeEntry(_ id: String) -> String { "time-" + id }
    /// `charge-CH-7` for the one-off charge `CH-7`.
    public static func charge(_ id: String) -> String { "charge-" + id }
    /// `timer-bob`: the running timer of the tech `bob`.
    public static func timer(_ login: String) -> String { "timer-" + login }
    /// `billing-acme`: the invoices of the client `acme`.
    public static func billing(_ client: String) -> String { "billing-" + client }
    /// `invoice-numbers-2026`: the gapless sequence of invoice numbers issued in 2026.
    public static func invoiceNumbers(year: Int) -> String { "invoice-numbers-\(year)" }
    /// `credit-note-numbers-2026`: the gapless sequence of credit-note numbers issued in 2026.
    public static func creditNoteNumbers(year: Int) -> String { "credit-note-numbers-\(year)" }
    /// `token-tk3f9a…` for the API token id `tk3f9a…`.
    public static func token(_ id: String) -> String { "token-" + id }
    /// `hook-nagios` for the webhook source `nagios`.
    public static func hook(_ source: String) -> String { "hook-" + source }
    /// `notify-on-call` for the outbound notification channel `on-call`.
    public static func notifyChannel(_ name: String) -> String { "notify-" + name }
    /// `portal-acme-1` for the portal access of contact `acme-1`.
    public static func portal(_ contact: String) -> String { "portal-" + contact }

    /// `stream.hasPrefix(prefix)` for an ASCII `prefix` (a category such as `ticket-`), told from the bytes in the
    /// common cases (`hasPrefix` compares characters, some 200 instructions a call, and folds test every event):
    /// bytes that do not start with the prefix's do not have it, and bytes that do have it when they end there or go
    /// on with an ASCII byte (which always starts a new character); anything else (a combining mark after the
    /// prefix) is left to `hasPrefix`.
    public static func stream(_ stream: String, hasPrefix prefix: StaticString) -> Bool {
        var name = stream
        let count = prefix.utf8CodeUnitCount
        let bytewise = name.withUTF8 { bytes -> Bool? in
            guard bytes.count >= count, let base = bytes.baseAddress, memcmp(base, prefix.utf8Start, count) == 0 else { return false }
            return bytes.count == count || bytes[count] < 0x80 ? true : nil
        }
        return bytewise ?? stream.hasPrefix(String(decoding: UnsafeBufferPointer(start: prefix.utf8Start, count: count), as: UTF8.self))
    }
}
