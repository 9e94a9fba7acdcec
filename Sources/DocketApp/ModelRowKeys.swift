import ReadModelKit

/// The field names of the read models' rows, written as numbers instead of text (`RowKeys`): most of a small row's
/// bytes otherwise. Each list is part of its model's row format: change one only with the model's format number
/// (a name missing from a list is written as text, so an added field costs bytes, never correctness).
enum ModelRowKeys {
    /// `rm.alerts3.conditions`: `AlertRecord`.
    static let alerts = RowKeys(["ticket", "status", "firstSeen", "lastSeen", "resolvedAt", "occurrences"])

    /// `rm.outbox5.messages`: `OutboxEntry`.
    static let outbox = RowKeys([
        "messageId", "ticket", "reason", "to", "subject", "queuedAt", "position", "status", "attempts", "lastError",
        "sentAt", "message", "bouncedAt", "bounceMessageId", "lastAttemptAt",
    ])

    /// `rm.billing6.invoices`, the status rows: `InvoiceStatusRow`.
    static let invoiceStatus = RowKeys(
        ["status", "number", "creditNote", "finalizedAt", "closedAt", "reason", "billToName", "billToAddress", "billToTaxId",
         "billToPurchaseOrders"])
}
