import Domain
import Foundation

/// What a deployment sets once, passed to ``DocketApplication`` as one value: the application layer reads no
/// environment variables and no files of its own (the CLI reads `$DOCKET_SUPPORT_ADDRESS` and
/// `$DOCKET_MAIL_AUTHSERV_ID`; a server would read its own settings).
public struct DocketConfiguration: Sendable, Equatable {
    /// The From address when none is configured.
    public static let defaultSupportAddress = "support@localhost.localdomain"

    /// The From header's value of every message Docket queues: an address, or a display name and an address
    /// (`Help Desk <support@msp.example>`, the name encoded as the header needs).
    public let supportAddress: String
    /// The support address alone (`support@msp.example`): mail from it arriving at intake is our own come back, or
    /// forged, and is never answered.
    public let supportMailAddress: String
    /// The authserv-id of the mail server that receives the support address's mail (`mx.msp.example`): its
    /// `Authentication-Results` verdict is what proves that mail from a user's address is theirs
    /// (``MailAuthentication``). Nil: no mail is proven, so none is taken as a technician's reply.
    public let mailAuthservId: String?

    /// `supportAddress` read as one mailbox (``mailbox(_:)``); ``defaultSupportAddress`` when it is missing or not one
    /// (a value that could break the header is never written). The CLI refuses an unusable `$DOCKET_SUPPORT_ADDRESS`
    /// before it gets here (``problem(supportAddress:)``), and an unusable `$DOCKET_MAIL_AUTHSERV_ID`
    /// (``problem(mailAuthservId:)``); an unusable `mailAuthservId` is taken as none.
    public init(supportAddress: String? = nil, mailAuthservId: String? = nil) {
        let mailbox = supportAddress.flatMap { Self.mailbox($0) }
        self.supportAddress = mailbox.map { OutboundMessage.mailbox(name: $0.name, address: $0.address) } ?? Self.defaultSupportAddress
        supportMailAddress = mailbox?.address ?? Self.defaultSupportAddress
        self.mailAuthservId = mailAuthservId.flatMap { Self.problem(mailAuthservId: $0) == nil ? $0 : nil }
    }

    /// What is wrong with `value` as the mail server's authserv-id, or nil when it is usable: one token of printable
    /// ASCII without `;`, `(`, `)`, `"`, `\` or `=` (RFC 8601's `value`, as mail servers write their host name).
    public static func problem(mailAuthservId value: String) -> String? {
        let forbidden = Set(";()\"\\=".unicodeScalars)
        let usable = !value.isEmpty && value.utf8.count <= 255
            && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && !forbidden.contains($0) }
        return usable ? nil : "'\(value)' is not a mail server's authserv-id; give the name your mail server writes in its Authentication-Results headers, such as mx.msp.example"
    }

    /// What is wrong with `value` as the support address, or nil when it is usable.
    public static func problem(supportAddress value: String) -> String? {
        mailbox(value) == nil
            ? "'\(value)' is not one mail address; give one such as support@msp.example or 'Help Desk <support@msp.example>'" : nil
    }

    /// `value` as one mailbox — `local@domain`, or `Name <local@domain>` (the name optionally in double quotes) — or
    /// nil: no second address, no line break or control character, an address of printable ASCII with one `@` and a
    /// dot-separated domain.
    static func mailbox(_ value: String) -> (name: String?, address: String)? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        var name: String?
        var address = text
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            var phrase = text[..<open].trimmingCharacters(in: .whitespaces)
            if phrase.count >= 2, phrase.hasPrefix("\""), phrase.hasSuffix("\"") { phrase = String(phrase.dropFirst().dropLast()) }
            guard !phrase.contains("<"), !phrase.contains(">"), !phrase.contains("\"") else { return nil }
            name = phrase.isEmpty ? nil : phrase
        }
        let forbidden = Set(" ,;:<>()[]\\\"")
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, address.allSatisfy({ $0.isASCII && !forbidden.contains($0) }) else { return nil }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        return (name, address)
    }
}
