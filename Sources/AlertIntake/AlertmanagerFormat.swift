import DocketTime
import Foundation

/// The Prometheus Alertmanager webhook body (version 4).
///
/// A group arrives with one overall `status`, but each alert inside carries its own: a group that is
/// partly resolved still arrives as "firing". Each alert is therefore decided by its own status and
/// fingerprint, never by the group's.
enum AlertmanagerFormat {
    /// The label names that may name the client, in the order they are tried.
    static let clientLabels = ["client", "customer", "tenant", "cluster"]

    struct Body: Decodable {
        let version: String?
        let status: String?
        let alerts: [Alert]
        let groupKey: String?
        let truncatedAlerts: Int?
    }

    struct Alert: Decodable {
        let status: String
        let labels: [String: String]
        let annotations: [String: String]?
        let startsAt: String?
        let endsAt: String?
        let fingerprint: String?
    }

    static func parse(_ bytes: [UInt8]) throws(AlertParseError) -> AlertBatch {
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: Data(bytes))
        } catch {
            throw AlertParseError("not an Alertmanager webhook body (\(describe(error))); check the receiver's URL and --format")
        }
        if let version = body.version, version != "4" {
            throw AlertParseError("Alertmanager webhook version \(version) is not supported; Docket reads version 4")
        }
        var alerts: [MonitoringAlert] = []
        for (index, alert) in body.alerts.enumerated() {
            guard let status = MonitoringAlert.Status(rawValue: alert.status) else {
                throw AlertParseError("alert \(index + 1) has status \"\(alert.status)\"; expected firing or resolved")
            }
            guard let fingerprint = alert.fingerprint, !fingerprint.isEmpty else {
                throw AlertParseError("alert \(index + 1) has no fingerprint; Alertmanager 0.20 or later sends one")
            }
            guard MonitoringAlert.isUsableFingerprint(fingerprint) else {
                throw AlertParseError(
                    "alert \(index + 1)'s fingerprint is over \(MonitoringAlert.maxFingerprintBytes) bytes or holds control characters; Alertmanager's own are 16 hex digits: check the sender")
            }
            let annotations = alert.annotations ?? [:]
            let check = alert.labels["alertname"] ?? "alert"
            alerts.append(
                MonitoringAlert(
                    source: "alertmanager", fingerprint: fingerprint, status: status, check: check,
                    device: alert.labels["instance"], severity: (alert.labels["severity"] ?? "warning").lowercased(),
                    summary: annotations["summary"] ?? check, description: annotations["description"] ?? "",
                    client: clientLabels.lazy.compactMap { alert.labels[$0] }.first, labels: alert.labels,
                    startsAt: alert.startsAt.flatMap(instant), endsAt: alert.endsAt.flatMap(instant)))
        }
        return AlertBatch(alerts: alerts, truncated: body.truncatedAlerts ?? 0, groupKey: body.groupKey)
    }

    /// Alertmanager writes "0001-01-01T00:00:00Z" for "not ended": that is no instant.
    static func instant(_ text: String) -> Timestamp? {
        guard !text.hasPrefix("0001-01-01") else { return nil }
        return Timestamp(iso8601: normalizedFraction(text))
    }

    /// Go writes up to nine fraction digits; `Timestamp` keeps milliseconds.
    private static func normalizedFraction(_ text: String) -> String {
        guard let dot = text.firstIndex(of: ".") else { return text }
        let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
        let kept = digits.prefix(3)
        return String(text[...dot]) + kept + text[digits.endIndex...]
    }
}

/// A short reason from a decoding error.
func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
        return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
    case DecodingError.dataCorrupted: return "not valid JSON"
    default: return "\(error)"
    }
}
