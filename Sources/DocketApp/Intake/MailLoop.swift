/// Mail that must never be answered or open a ticket: it comes from our own support address (our mail delivered
/// back to us, an auto-responder of ours, or a forged From), or its Message-ID is one Docket makes (`…@docket`: a
/// message of ours that is not in this store's outbox — another Docket's, or a forgery). Acknowledging it could start
/// a mail loop between two auto-responders; intake drops it (`dropped (loop)`) and writes nothing.
enum MailLoop {
    /// Why a message from `from` with Message-ID `messageId` is such mail, or nil when it is not; `supportAddress` is
    /// the bare address.
    static func reason(from: String, messageId: String?, supportAddress: String) -> String? {
        if !from.isEmpty, from.lowercased() == supportAddress.lowercased() {
            return "a loop: it is from our own support address (our mail come back, an auto-responder of ours, or a forged From)"
        }
        guard let messageId, messageId.lowercased().hasSuffix("@docket") else { return nil }
        return "a loop: its Message-ID is of Docket's form but not in this store's outbox (another Docket's mail, or a forgery)"
    }
}
