import DocketTime

/// One alert from a monitoring system, in the shape intake works with, whatever format it came in.
public struct MonitoringAlert: Sendable, Equatable {
    /// Whether the condition is happening now or has cleared.
    public enum Status: String, Sendable, Equatable {
        case firing
        case resolved
    }

    /// Where it came from: `alertmanager` or `generic`.
    public var source: String
    /// The stable identity of the alerting condition (Alertmanager's fingerprint, the RMM's alert id):
    /// repeats of the same condition carry the same fingerprint.
    public var fingerprint: String
    public var status: Status
    /// The alert's own name or check (`alertname`, `check`).
    public var check: String
    /// The device or instance it concerns, if named.
    public var device: String?
    /// The severity as the sender wrote it (`critical`, `warning`, …), lower-cased.
    public var severity: String
    /// A one-line summary, and a longer description.
    public var summary: String
    public var description: String
    /// The client, when the sender names one (a `client` field, or a label such as `client` or `cluster`).
    public var client: String?
    /// All labels (Alertmanager) or the fields that were sent (generic), for routing rules.
    public var labels: [String: String]
    /// When it started firing, and when it ended (resolved alerts).
    public var startsAt: Timestamp?
    public var endsAt: Timestamp?

    /// The longest fingerprint (or generic `id`) taken, in UTF-8 bytes: it keys the `alerts` read model.
    public static let maxFingerprintBytes = 200

    /// Whether `fingerprint` can identify a condition: 1 to ``maxFingerprintBytes`` bytes, no control characters
    /// (a NUL would end its part of a read-model key early; a newline would break a line of output).
    public static func isUsableFingerprint(_ fingerprint: String) -> Bool {
        let bytes = fingerprint.utf8
        return !bytes.isEmpty && bytes.count <= maxFingerprintBytes && !bytes.contains { $0 < 0x20 || $0 == 0x7f }
    }

    public init(
        source: String, fingerprint: String, status: Status, check: String, device: String?, severity: String,
        summary: String, description: String, client: String?, labels: [String: String], startsAt: Timestamp?,
        endsAt: Timestamp?
    ) {
        self.source = source
        self.fingerprint = fingerprint
        self.status = status
        self.check = check
        self.device = device
        self.severity = severity
        self.summary = summary
        self.description = description
        self.client = client
        self.labels = labels
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

/// What one delivery held.
public struct AlertBatch: Sendable, Equatable {
    public var alerts: [MonitoringAlert]
    /// Alerts the sender left out of the body (Alertmanager's `truncatedAlerts`): they exist but are not here.
    public var truncated: Int
    /// The sender's grouping key, if any.
    public var groupKey: String?

    /// The warning for a delivery the sender cut (``truncated`` alerts left out), nil when it left none out: said by
    /// whoever took the delivery, where its operator reads (the intake command's stderr, the server's log).
    public var truncationWarning: String? {
        guard truncated > 0 else { return nil }
        return "the sender left \(truncated) alert\(truncated == 1 ? "" : "s") out of this delivery (truncatedAlerts"
            + (groupKey.map { ", group \($0)" } ?? "") + "): they opened, updated or closed no ticket; raise its max_alerts (0: no limit)"
    }
}

/// Why a delivery could not be read. Nothing is recorded for it.
public struct AlertParseError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
