/// The alert formats `docket intake alert --format` reads.
public enum AlertFormat: String, CaseIterable, Sendable {
    /// The Prometheus Alertmanager webhook (version 4).
    case alertmanager
    /// Docket's documented JSON for RMMs (schemas/alert-generic.schema.json).
    case generic
}

/// Reads one delivery of alerts.
public enum AlertParser {
    /// Parses `bytes` in `format`; a body that does not fit the format is refused whole.
    public static func parse(_ bytes: [UInt8], format: AlertFormat) throws(AlertParseError) -> AlertBatch {
        switch format {
        case .alertmanager: return try AlertmanagerFormat.parse(bytes)
        case .generic: return try GenericFormat.parse(bytes)
        }
    }
}
