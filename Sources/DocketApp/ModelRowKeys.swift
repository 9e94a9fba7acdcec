import ReadModelKit

/// The field names of the read models' rows, written as numbers instead of text (`RowKeys`): most of a small row's
/// bytes otherwise. Each list is part of its model's row format: change one only with the model's format number
/// (a name missing from a list is written as text, so an added field costs bytes, never correctness).
enum ModelRowKeys {
    /// An SLA clock as a row stores it: `StoredSLAClock`, `SLAClockProgress`, `SLATimer`, `SLAInterval`, `SLAAlarm`.
    static let clock = [
        "terms", "startedAt", "startPriority", "started", "progress", "priority", "response", "resolution",
        "isWaitingOnClient", "isClosed", "reached", "recorded", "kind", "targetSeconds", "bankedMilliseconds",
        "runningSince", "metAt", "targetSince", "breachedAt", "intervals", "start", "end", "mode", "reason",
        "countedMilliseconds", "clock", "dueAt", "percent", "rule", "action",
    ]

    /// `rm.sla4.tickets`: `StoredSLARow` and its clock.
    static let sla = RowKeys(distinct(["number", "client", "assignee", "openedAt", "isOpen"] + clock))

    /// `rm.queue5.tickets`: `QueueRow` — the `TicketSummary`, its `QueueSLA` and the clock.
    static let queue = RowKeys(distinct(
        [
            "ticket", "number", "client", "contact", "category", "priority", "source", "subject", "status", "assignee",
            "watchers", "openedAt", "openedPosition", "updatedAt", "updatedPosition", "publicComments",
            "internalComments", "resolution", "mergedInto", "mergedFrom", "sla", "dueDate", "paused",
        ] + clock))

    /// `rm.alerts2.conditions`: `AlertRecord`.
    static let alerts = RowKeys(["ticket", "status", "firstSeen", "lastSeen", "resolvedAt", "occurrences"])

    /// `rm.outbox2.messages`: `OutboxEntry`.
    static let outbox = RowKeys([
        "messageId", "ticket", "reason", "to", "subject", "queuedAt", "position", "status", "attempts", "lastError",
        "sentAt", "message", "bouncedAt", "bounceMessageId",
    ])

    /// `rm.time2.entries`: `TimeEntryState`.
    static let time = RowKeys([
        "entryId", "ticket", "tech", "minutes", "workType", "billable", "startedAt", "note", "voided", "position",
    ])

    /// `rm.billing3.invoices`, the status rows: `InvoiceStatusRow`.
    static let invoiceStatus = RowKeys(["status", "number", "creditNote", "finalizedAt", "closedAt", "reason"])

    /// `names` without repeats, in first-seen order.
    static func distinct(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
