// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Docket",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "docket", targets: ["docket"]),
        .library(name: "EventLog", targets: ["EventLog"]),
        .library(name: "Domain", targets: ["Domain"]),
        .library(name: "DocketApp", targets: ["DocketApp"]),
        .library(name: "BusinessTime", targets: ["BusinessTime"]),
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "MailParser", targets: ["MailParser"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", .upToNextMajor(from: "1.8.2")),
        .package(url: "https://github.com/apple/swift-crypto.git", .upToNextMajor(from: "3.12.3")),
        .package(url: "https://github.com/jpsim/Yams.git", .upToNextMajor(from: "6.2.2")),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", .upToNextMajor(from: "2.28.1")),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", .upToNextMajor(from: "2.13.0")),
        .package(url: "https://github.com/apple/swift-log.git", .upToNextMajor(from: "1.16.2")),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", .upToNextMajor(from: "2.4.1")),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", .upToNextMajor(from: "2.1.1")),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // Debian's libmimalloc-dev, for the options `docket` sets at start (`Allocator`).
        .systemLibrary(name: "CMimalloc", providers: [.apt(["libmimalloc-dev"])]),
        .target(name: "Allocator", dependencies: ["CMimalloc"]),
        .target(name: "DocketTime"),
        .target(
            name: "EventLog",
            dependencies: ["LMDB", "DocketTime", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "ReadModelKit", dependencies: ["LMDB", "EventLog", "DocketTime"]),
        .target(name: "AlertIntake", dependencies: ["DocketTime"]),
        .target(name: "Domain", dependencies: ["DocketTime", "BusinessTime"]),
        .target(name: "MailParser"),
        .target(name: "Hooks", dependencies: ["DocketTime", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "LMTP"),
        .target(name: "BusinessTime", dependencies: ["DocketTime"]),
        .target(
            name: "DocketApp",
            dependencies: [
                "AlertIntake", "BusinessTime", "Domain", "EventLog", "Hooks", "MailParser", "ReadModelKit",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "DocketServer",
            dependencies: [
                "AlertIntake", "BusinessTime", "DocketApp", "DocketTime", "Domain", "EventLog", "Hooks", "MailParser",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // The CLI as a client of `docket serve`: C library calls only (start-up cost, docs/architecture.md).
        .target(name: "DocketClient"),
        .target(
            name: "DocketCLI",
            dependencies: [
                "AlertIntake", "BusinessTime", "DocketApp", "DocketClient", "DocketServer", "Domain", "Hooks", "LMTP", "MailParser",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Yams", package: "Yams"),
            ]
        ),
        // --no-export-dynamic: the Swift runtime's start-up (its backtracer finding its own path with dladdr) walks the
        // executable's dynamic symbol table, which the driver's default export of every symbol fills with ~36,000
        // entries; nothing looks symbols up dynamically (Benchmarks/README.md, "A lean client").
        // mimalloc (Debian's libmimalloc-dev): linked before the C library, its malloc and free are the ones the
        // process binds, the Swift runtime's included; a fold allocates and frees rows, strings and payloads by the
        // million, and glibc's allocator cost ~10 % of a rebuild's CPU more (Benchmarks/README.md, "The allocator").
        .executableTarget(
            name: "docket", dependencies: ["Allocator", "DocketCLI", "DocketClient"],
            linkerSettings: [
                .linkedLibrary("mimalloc"),
                .unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(configuration: .release)),
            ]),
        .target(name: "TestSupport", dependencies: ["EventLog"], path: "Tests/TestSupport"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "TestSupport"]),
        .testTarget(name: "ReadModelKitTests", dependencies: ["ReadModelKit", "TestSupport"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain"]),
        .testTarget(name: "AlertIntakeTests", dependencies: ["AlertIntake"]),
        .testTarget(name: "MailParserTests", dependencies: ["MailParser"]),
        .testTarget(name: "HooksTests", dependencies: ["Hooks"]),
        .testTarget(name: "LMTPTests", dependencies: ["LMTP"]),
        .testTarget(name: "BusinessTimeTests", dependencies: ["BusinessTime"]),
        .testTarget(name: "DocketAppTests", dependencies: ["AlertIntake", "DocketApp", "Hooks", "TestSupport"]),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "TestSupport"]),
        .testTarget(
            name: "DocketServerTests",
            dependencies: ["DocketServer", "TestSupport", "docket", .product(name: "Yams", package: "Yams")]
        ),
        .testTarget(
            name: "DocketCLITests",
            dependencies: ["Allocator", "DocketCLI", "TestSupport", "docket"]
        ),
    ]
)
