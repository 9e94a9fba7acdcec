/// How long a close silences its ticket's still-firing alert (`docket ticket close --silence-alert 24h`): days (`7d`)
/// or a duration as ``TimeDuration`` reads it (`24h`, `90m`, `1h30m`). The close itself checks the bound
/// (``TicketClosed/longestAlertSilenceMilliseconds``).
public enum AlertSilence {
    /// The milliseconds `text` stands for; throws ``DomainError/Code/invalid`` naming the input and the fix.
    public static func milliseconds(_ text: String) throws(DomainError) -> Int64 {
        let trimmed = String(text.filter { $0 != " " }).lowercased()
        if trimmed.hasSuffix("d") {
            guard let days = Int64(trimmed.dropLast()), days >= 0, days <= 10_000 else {
                throw DomainError(.invalid, "--silence-alert \"\(text)\" is not a duration; write it like 24h, 7d or 90m")
            }
            return days * 86_400_000
        }
        do {
            return Int64(try TimeDuration.parse(trimmed)) * 60_000
        } catch {
            throw DomainError(.invalid, "--silence-alert \"\(text)\" is not a duration; write it like 24h, 7d or 90m")
        }
    }
}
