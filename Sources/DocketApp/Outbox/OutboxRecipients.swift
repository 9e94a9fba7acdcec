/// How the recipients of a queued message read for people (`outbox list`, `ticket show`).
public enum OutboxRecipients {
    /// `carla@acme.example (cc noc@isp.example, dan@acme.example)`: the To addresses of `to`, then those on `cc`;
    /// every address of `to` when `cc` is nil (mail queued before the Cc was recorded named it in `to` only).
    public static func text(to: [String], cc: [String]?) -> String {
        let copied = cc ?? []
        let direct = to.filter { !copied.contains($0) }.joined(separator: ", ")
        return copied.isEmpty ? direct : "\(direct) (cc \(copied.joined(separator: ", ")))"
    }
}
