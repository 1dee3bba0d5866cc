// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "waymark",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "waymark", targets: ["waymark"]),
        .executable(name: "waymark-bench", targets: ["waymark-bench"]),
        .executable(name: "waymark-fuzz", targets: ["waymark-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Tests only: a self-signed certificate for the https webhook receiver.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    ],
    targets: [
        // libxml2's HTML parser, for checking merchants' templates (libxml2-dev).
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(
            name: "WaymarkCore",
            dependencies: [.product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WaymarkSigning",
            dependencies: ["WaymarkCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WaymarkStore",
            dependencies: [
                "WaymarkCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                // PostgreSQL, for several nodes on one database (Postgres/).
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WaymarkWeb",
            dependencies: [
                "WaymarkCore",
                "WaymarkProviders",
                "WaymarkNotify",
                "WaymarkSigning",
                "CLibXML2",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WaymarkProviders",
            dependencies: [
                "WaymarkCore",
                "WaymarkSigning",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WaymarkNotify",
            dependencies: [
                "WaymarkCore",
                "WaymarkSigning",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "waymark",
            dependencies: [
                "WaymarkCore",
                "WaymarkStore",
                "WaymarkWeb",
                "WaymarkProviders",
                "WaymarkNotify",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The raw-GRDB baseline of scripts/bench/ingest.py.
        .executableTarget(
            name: "waymark-bench",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        // The fuzz targets (scripts/fuzz builds waymark-fuzz with libFuzzer; the tests replay what it found).
        .target(
            name: "WaymarkFuzz",
            dependencies: ["WaymarkCore", "WaymarkSigning", "WaymarkProviders", "WaymarkWeb"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "waymark-fuzz", dependencies: ["WaymarkFuzz"], swiftSettings: swiftSettings),
        .testTarget(name: "WaymarkFuzzTests", dependencies: ["WaymarkFuzz"], exclude: ["Regressions"], swiftSettings: swiftSettings),
        .testTarget(name: "WaymarkCoreTests", dependencies: ["WaymarkCore"], swiftSettings: swiftSettings),
        .testTarget(name: "WaymarkStoreTests", dependencies: ["WaymarkStore"], swiftSettings: swiftSettings),
        // The storage contract: every protocol's behaviour, against SQLite and PostgreSQL alike.
        .testTarget(name: "WaymarkStorageContractTests", dependencies: ["WaymarkStore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "WaymarkNotifyTests",
            dependencies: [
                "WaymarkNotify",
                "WaymarkSigning",
                "WaymarkStore",
                "WaymarkCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Peers"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "WaymarkProvidersTests", dependencies: ["WaymarkProviders", "WaymarkStore", "WaymarkSigning"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(
            name: "WaymarkWebTests",
            dependencies: [
                "WaymarkWeb",
                "WaymarkStore",
                "WaymarkSigning",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WaymarkRegistrationTests",
            dependencies: [
                "WaymarkCore",
                "WaymarkNotify",
                "WaymarkProviders",
                "WaymarkStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
