/// How long a close silences its ticket's still-firing alert (`docket ticket close --silence-alert 24h`): days (`7d`)
/// or a duration as ``TimeDuration`` reads it (`24h`, `90m`, `1h30m`): ``DayDuration``. The close itself checks the bound
/// (``TicketClosed/longestAlertSilenceMilliseconds``).
public enum AlertSilence {
    /// The milliseconds `text` stands for; throws ``DomainError/Code/invalid`` naming the input and the fix.
    public static func milliseconds(_ text: String) throws(DomainError) -> Int64 {
        try DayDuration.minutes(text, flag: "--silence-alert") * 60_000
    }
}
