/// Mail that must never be answered or open a ticket: it comes from our own support address (our mail delivered
/// back to us, an auto-responder of ours, or a forged From), or its Message-ID is one Docket makes (`…@docket`: a
/// message of ours that is not in this store's outbox — another Docket's, or a forgery). Acknowledging it could start
/// a mail loop between two auto-responders; intake drops it (`dropped (loop)`) and writes nothing.
enum MailLoop {
    /// Whether a message from `from` with Message-ID `messageId` is such mail; `supportAddress` is the bare address.
    static func isLoop(from: String, messageId: String?, supportAddress: String) -> Bool {
        if !from.isEmpty, from.lowercased() == supportAddress.lowercased() { return true }
        guard let messageId else { return false }
        return messageId.lowercased().hasSuffix("@docket")
    }
}
