import DocketApp
import EventLog
import Foundation
import Prometheus

/// What `/metrics` shows, in Prometheus' text format: commands by name and outcome, their latency, the log's head
/// position, each read model's lag behind it, the read transactions open on the store, and how many commands the
/// group commit wrote in how many transactions.
struct ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Counts a finished command (`name`: its CLI words, `ticket open`) and records its latency.
    func record(command name: String, status: Int32, duration: Duration) {
        registry.makeCounter(
            name: "docket_commands_total", labels: [("command", name), ("outcome", ExitStatus.category(for: status))]
        ).increment()
        registry.makeDurationHistogram(
            name: "docket_command_duration_seconds", labels: [("command", name)], buckets: Self.buckets
        ).record(duration)
    }

    /// The exposition text, with the log head and read-model lag read now.
    func exposition(store: EventStore) throws -> String {
        let head = try store.head().position
        registry.makeGauge(name: "docket_log_head_position").set(Double(head))
        for name in store.projectionNames {
            let lag = head - min(head, try store.checkpoint(of: name))
            registry.makeGauge(name: "docket_projection_lag_events", labels: [("model", name)]).set(Double(lag))
        }
        registry.makeGauge(name: "docket_lmdb_open_readers").set(Double(try store.openReaders()))
        let counts = store.groupCommitCounts
        registry.makeGauge(name: "docket_group_commit_commands").set(Double(counts.commands))
        registry.makeGauge(name: "docket_group_commit_transactions").set(Double(counts.transactions))
        return registry.emitToString()
    }

    /// A bounded label: the command's first one or two words when they are command-like (lower-case letters and
    /// dashes), `invalid` for a usage error (anything a client sends would otherwise become a label).
    static func commandName(_ arguments: [String], status: Int32) -> String {
        guard status != 64 else { return "invalid" }
        let words = arguments.prefix(2).prefix { word in
            !word.isEmpty && word.count <= 24 && word.utf8.allSatisfy { (0x61...0x7a).contains($0) || $0 == 0x2d } && !word.hasPrefix("-")
        }
        return words.isEmpty ? "invalid" : words.joined(separator: " ")
    }

    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]
}
