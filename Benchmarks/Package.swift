// swift-tools-version: 6.1
import PackageDescription

// Benchmarks of Docket's event log against raw LMDB, kept out of the main package so its build stays lean.
// Run with `swift package benchmark` from this folder (see README.md).
let package = Package(
    name: "DocketBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Docket", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DocketVsLMDB",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EventLog", package: "Docket"),
                .product(name: "LMDB", package: "Docket"),
            ],
            path: "Benchmarks/DocketVsLMDB",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // SLA due-date arithmetic (issue 4): 1M `add(businessMinutes:to:)` on an office calendar and on 24x7.
        .executableTarget(
            name: "SLADueDates",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BusinessTime", package: "Docket"),
                .product(name: "EventLog", package: "Docket"),
            ],
            path: "Benchmarks/SLADueDates",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // End-to-end `docket` CLI latency (issue 3): spawns the release `docket` binary per iteration.
        // Needs the seeded stores and binaries that `seed.sh` makes; skips itself without them.
        .executableTarget(
            name: "CLILatency",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/CLILatency",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Builds the big stores for CLILatency through the real app (DocketApp, Domain, EventLog).
        .executableTarget(
            name: "seed-store",
            dependencies: [
                .product(name: "BusinessTime", package: "Docket"),
                .product(name: "DocketApp", package: "Docket"),
                .product(name: "Domain", package: "Docket"),
                .product(name: "EventLog", package: "Docket"),
                .product(name: "LMDB", package: "Docket"),
            ],
            path: "Tools/SeedStore"
        ),
        // The billing reports rebuilt from a big log next to a raw LMDB scan of it (issue 5 §9); needs `seed-billing`.
        .executableTarget(
            name: "BillingReport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "DocketApp", package: "Docket"),
                .product(name: "Domain", package: "Docket"),
                .product(name: "EventLog", package: "Docket"),
                .product(name: "LMDB", package: "Docket"),
            ],
            path: "Benchmarks/BillingReport",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Seeds the store for BillingReport: raw events in bulk, payloads from the domain types.
        .executableTarget(
            name: "seed-billing",
            dependencies: [
                .product(name: "BusinessTime", package: "Docket"),
                .product(name: "DocketApp", package: "Docket"),
                .product(name: "Domain", package: "Docket"),
                .product(name: "EventLog", package: "Docket"),
                .product(name: "LMDB", package: "Docket"),
            ],
            path: "Tools/SeedBilling"
        ),
        // An invoice run over 1M time entries through the real service (issue 5 §9); seeds its own store.
        .executableTarget(
            name: "InvoiceRun",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "BusinessTime", package: "Docket"),
                .product(name: "DocketApp", package: "Docket"),
                .product(name: "Domain", package: "Docket"),
                .product(name: "EventLog", package: "Docket"),
                .product(name: "LMDB", package: "Docket"),
            ],
            path: "Benchmarks/InvoiceRun",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The raw LMDB references of the read-model benchmarks (issue 10): cursor scan of a store, bulk append.
        .executableTarget(
            name: "raw-lmdb",
            dependencies: [.product(name: "LMDB", package: "Docket")],
            path: "Tools/RawLMDB"
        ),
        // HTML-to-text throughput (issue 15 §5); run through html-to-text-bench.sh, which adds Python's html.parser.
        .executableTarget(
            name: "html-to-text-bench",
            dependencies: [.product(name: "MailParser", package: "Docket")],
            path: "Tools/HTMLToTextBench"
        ),
        // The "bare Swift process start" reference: stdlib only, prints one line.
        .executableTarget(name: "bare-swift", path: "Tools/BareSwift"),
    ]
)
