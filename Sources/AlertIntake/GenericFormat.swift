import DocketTime
import Foundation

/// Docket's documented JSON shape for RMMs and scripts (schemas/alert-generic.schema.json):
///
///     {"client": "acme", "device": "fs-01", "check": "backup", "severity": "critical",
///      "status": "firing", "id": "veeam-job-42", "message": "Nightly backup failed", "occurredAt": "…"}
///
/// One object, or an array of them. `id` identifies the alerting condition: repeats carry the same id.
enum GenericFormat {
    struct Alert: Decodable {
        let client: String
        let device: String?
        let check: String
        let severity: String
        let status: String
        let id: String
        let message: String
        let details: String?
        let occurredAt: String?
    }

    static let severities: Set<String> = ["critical", "high", "error", "warning", "low", "info"]

    static func parse(_ bytes: [UInt8]) throws(AlertParseError) -> AlertBatch {
        let decoder = JSONDecoder()
        let alerts: [Alert]
        do {
            if bytes.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }) == UInt8(ascii: "[") {
                alerts = try decoder.decode([Alert].self, from: Data(bytes))
            } else {
                alerts = [try decoder.decode(Alert.self, from: Data(bytes))]
            }
        } catch {
            throw AlertParseError("not a generic alert (\(describe(error))); see schemas/alert-generic.schema.json")
        }
        var result: [MonitoringAlert] = []
        for (index, alert) in alerts.enumerated() {
            let where_ = alerts.count > 1 ? "alert \(index + 1): " : ""
            guard let status = MonitoringAlert.Status(rawValue: alert.status) else {
                throw AlertParseError("\(where_)status \"\(alert.status)\" must be firing or resolved")
            }
            let severity = alert.severity.lowercased()
            guard severities.contains(severity) else {
                throw AlertParseError("\(where_)severity \"\(alert.severity)\" must be one of \(severities.sorted().joined(separator: ", "))")
            }
            guard !alert.id.isEmpty, !alert.client.isEmpty, !alert.check.isEmpty else {
                throw AlertParseError("\(where_)id, client and check must not be empty")
            }
            guard MonitoringAlert.isUsableFingerprint(alert.id) else {
                throw AlertParseError(
                    "\(where_)id must be 1 to \(MonitoringAlert.maxFingerprintBytes) bytes without control characters (it identifies the condition); send a shorter id")
            }
            var occurred: Timestamp?
            if let text = alert.occurredAt {
                guard let parsed = Timestamp(iso8601: text) else {
                    throw AlertParseError("\(where_)occurredAt \"\(text)\" is not an RFC 3339 time")
                }
                occurred = parsed
            }
            var labels = ["client": alert.client, "check": alert.check, "severity": severity]
            if let device = alert.device { labels["device"] = device }
            result.append(
                MonitoringAlert(
                    source: "generic", fingerprint: alert.id, status: status, check: alert.check, device: alert.device,
                    severity: severity, summary: alert.message, description: alert.details ?? "", client: alert.client,
                    labels: labels, startsAt: status == .firing ? occurred : nil, endsAt: status == .resolved ? occurred : nil))
        }
        return AlertBatch(alerts: result, truncated: 0, groupKey: nil)
    }
}
