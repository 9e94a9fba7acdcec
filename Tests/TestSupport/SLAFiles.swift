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

    /// A policy file on the built-in `24x7` calendar: responses in 60/120/240/480 minutes and resolutions in
    /// 240/480/960/2400 for P1–P4, no warnings or escalations.
    public static let roundTheClockPolicy = """
        calendar: 24x7
        targets:
          P1: {responseMinutes: 60, resolutionMinutes: 240}
          P2: {responseMinutes: 120, resolutionMinutes: 480}
          P3: {responseMinutes: 240, resolutionMinutes: 960}
          P4: {responseMinutes: 480, resolutionMinutes: 2400}
        """
}
