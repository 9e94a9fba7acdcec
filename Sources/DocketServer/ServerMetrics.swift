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
            descriptor: Self.commands, labels: [("command", name), ("outcome", ExitStatus.category(for: status))]
        ).increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: [("command", name)], buckets: Self.buckets)
            .record(duration)
    }

    /// Counts a request answered without its work being run: `busy-read`, `busy-write` (503: too much waiting), or
    /// `client-gone` (its client closed the connection before its turn).
    func shed(_ reason: String) {
        registry.makeCounter(descriptor: Self.shed, labels: [("reason", reason)]).increment()
    }

    /// Shows the bounds the server was started with (``RequestWork``): `docket_requests_limit{kind="read"|"write"}`
    /// (`--max-reads`, `--max-writes`) and `docket_read_threads` (`--read-threads`).
    func configured(maxReads: Int, maxWrites: Int, readThreads: Int) {
        registry.makeGauge(descriptor: Self.limit, labels: [("kind", "read")]).set(Double(maxReads))
        registry.makeGauge(descriptor: Self.limit, labels: [("kind", "write")]).set(Double(maxWrites))
        registry.makeGauge(descriptor: Self.readThreads).set(Double(readThreads))
    }

    /// The exposition text, with the log head and read-model lag read now.
    func exposition(store: EventStore) throws -> String {
        let head = try store.head().position
        registry.makeGauge(descriptor: Self.head).set(Double(head))
        for name in store.projectionNames {
            let lag = head - min(head, try store.checkpoint(of: name))
            registry.makeGauge(descriptor: Self.lag, labels: [("model", name)]).set(Double(lag))
        }
        registry.makeGauge(descriptor: Self.readers).set(Double(try store.openReaders()))
        let counts = store.groupCommitCounts
        registry.makeGauge(descriptor: Self.groupCommands).set(Double(counts.commands))
        registry.makeGauge(descriptor: Self.groupTransactions).set(Double(counts.transactions))
        return registry.emitToString()
    }

    // The metrics (computed: swift-prometheus' descriptors are not Sendable, so they cannot be stored statics).
    private static var commands: MetricNameDescriptor {
        docket("commands", "total", "Commands finished, by command and outcome.")
    }
    private static var latency: MetricNameDescriptor {
        docket("command_duration", "seconds", "How long commands took, by command.")
    }
    private static var shed: MetricNameDescriptor {
        docket("requests_shed", "total", "Requests answered without running their work, by reason (busy-read, busy-write, client-gone).")
    }
    private static var limit: MetricNameDescriptor {
        docket("requests", "limit", "The most requests of a kind (read, write) waiting or running at once; more are answered 503.")
    }
    private static var readThreads: MetricNameDescriptor {
        docket("read", "threads", "The threads that run reads.")
    }
    private static var head: MetricNameDescriptor {
        docket("log_head", "position", "The position of the log's last event.")
    }
    private static var lag: MetricNameDescriptor {
        docket("projection_lag", "events", "Events the log holds that a read model has not folded yet, by model.")
    }
    private static var readers: MetricNameDescriptor {
        docket("lmdb_open", "readers", "Read transactions open on the store, in every process.")
    }
    private static var groupCommands: MetricNameDescriptor {
        docket("group_commit", "commands", "Commands the group commit has written.")
    }
    private static var groupTransactions: MetricNameDescriptor {
        docket("group_commit", "transactions", "Write transactions the group commit has written them in.")
    }

    /// The metric named `docket_` + `name` + `_` + `unit`, shown with its help line.
    private static func docket(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "docket", metricName: name, unitName: unit, helpText: help)
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
