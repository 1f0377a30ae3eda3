// swift-tools-version:6.0
import PackageDescription

// Language mode 5 keeps the Sendable checks as warnings while the concurrency
// model settles: the chat state is guarded by one lock (see ChatEngine), and
// NIO handlers are confined to their event loops.
let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "papo",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "papo", targets: ["papo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-ssh", from: "0.15.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // Thread-local state for the Lua watchdog (see Sources/CLua/shim.h).
        .target(name: "CLuaCall"),
        .target(name: "ChatCore", swiftSettings: v5),
        .target(
            name: "ChatStore",
            dependencies: [
                "ChatCore", .product(name: "GRDB", package: "GRDB.swift"),
                // Raw binds for the history INSERT (MessageRows.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: v5
        ),
        .target(
            name: "BotEngine",
            dependencies: [
                "ChatCore", .product(name: "Logging", package: "swift-log"),
                // scrypt for the admin password (in _CryptoExtras).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: v5
        ),
        .target(
            name: "LuaBots",
            // ChatStore only for its in-memory store, which `papo bots test` runs examples on.
            dependencies: ["CLua", "CLuaCall", "BotEngine", "ChatCore", "ChatStore",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: v5
        ),
        .target(
            name: "ChatServer",
            dependencies: [
                "BotEngine", "ChatCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: v5
        ),
        // The IRC front end, beside ChatServer over the same engine (docs/IRC.md).
        .target(
            name: "IRCServer",
            dependencies: [
                "ChatServer", "BotEngine", "ChatCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: v5
        ),
        // The SSH front end, beside ChatServer over the same engine (docs/SSH.md);
        // its terminal sessions render as papo connect does (ChatClient's renderer).
        .target(
            name: "SSHServer",
            dependencies: [
                "ChatServer", "ChatClient", "BotEngine", "ChatCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: v5
        ),
        .target(
            name: "ChatClient",
            dependencies: [
                "CLibEdit", "ChatServer", "BotEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: v5
        ),
        .executableTarget(
            name: "papo",
            dependencies: [
                "ChatServer", "IRCServer", "SSHServer", "ChatClient", "ChatStore", "BotEngine", "ChatCore", "LuaBots",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: v5
        ),
        .testTarget(name: "ChatCoreTests", dependencies: ["ChatCore"], swiftSettings: v5),
        .testTarget(name: "ChatStoreTests", dependencies: ["ChatStore", "ChatCore"], exclude: ["Fixtures"],
                    swiftSettings: v5),
        .testTarget(name: "ChatClientTests", dependencies: ["ChatClient", "ChatServer", "ChatCore"], swiftSettings: v5),
        .testTarget(name: "IRCServerTests", dependencies: ["IRCServer", "ChatCore"], swiftSettings: v5),
        .testTarget(name: "SSHServerTests", dependencies: ["SSHServer", "ChatCore"], swiftSettings: v5),
        .testTarget(name: "BotEngineTests",
                    dependencies: ["BotEngine", "ChatCore", "ChatStore", .product(name: "Logging", package: "swift-log")],
                    swiftSettings: v5),
        .testTarget(
            name: "LuaBotsTests",
            // CLua for VendoredLibraryTests, which read their Lua scripts from Fixtures/.
            dependencies: ["LuaBots", "CLua", "BotEngine", "ChatCore", "ChatStore"],
            exclude: ["Fixtures"],
            swiftSettings: v5
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "ChatServer", "IRCServer", "SSHServer", "ChatStore", "BotEngine", "ChatCore", "LuaBots",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: v5
        ),
        // Property-based fuzzing of what reads hostile input: the line decoder,
        // the JSON request parser and the whole engine (PAPO_FUZZ_COUNT sets the size).
        .testTarget(
            name: "FuzzTests",
            dependencies: [
                "ChatServer", "ChatStore", "BotEngine", "ChatCore", "LuaBots",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: v5
        ),
    ]
)
