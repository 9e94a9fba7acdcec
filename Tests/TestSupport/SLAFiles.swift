/// The calendar and SLA policy files the end-to-end tests define (`docket calendar define --file`, `docket sla-policy
/// define --file`), the same text in every suite that sets up an office and its SLA.
public enum SLAFiles {
    /// The `weeklyHours` lines of an office open Monday to Friday, 09:00–17:00, indented to stand under `weeklyHours:`.
    public static let weekdayOfficeHours = ["mon", "tue", "wed", "thu", "fri"]
        .map { "  \($0): [{open: \"09:00\", close: \"17:00\"}]" }.joined(separator: "\n")

    /// A calendar file: the ``weekdayOfficeHours`` in `timeZone`, closed on `holidays` (dates, `2026-11-26`).
    public static func officeCalendar(timeZone: String, holidays: [String] = []) -> String {
        let closed = holidays.isEmpty ? "" : "holidays: [\(holidays.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        return "timeZone: \(timeZone)\nweeklyHours:\n\(weekdayOfficeHours)\n" + closed
    }
}
