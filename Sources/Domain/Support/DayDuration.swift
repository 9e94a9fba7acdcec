/// A duration given in days (`7d`) or as ``TimeDuration`` reads it (`24h`, `90m`, `1h30m`): how long an alert is
/// silenced (`ticket close --silence-alert`), how long a ticket may wait on the client (`followup set`).
public enum DayDuration {
    /// The minutes `text` stands for; throws ``DomainError/Code/invalid`` naming `flag`, the input and the fix.
    public static func minutes(_ text: String, flag: String) throws(DomainError) -> Int64 {
        let trimmed = String(text.filter { $0 != " " }).lowercased()
        let refusal = DomainError(.invalid, "\(flag) \"\(text)\" is not a duration; write it like 24h, 7d or 90m")
        if trimmed.hasSuffix("d") {
            guard let days = Int64(trimmed.dropLast()), days >= 0, days <= 10_000 else { throw refusal }
            return days * 1440
        }
        do {
            return Int64(try TimeDuration.parse(trimmed))
        } catch {
            throw refusal
        }
    }
}
