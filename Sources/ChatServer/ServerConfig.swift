import NIOCore

/// Limits and addresses for one `PapoServer`.
public struct ServerConfig: Sendable {
    public var host: String
    public var port: Int
    /// Longest accepted line, in bytes, not counting the newline.
    public var maxLineBytes: Int
    /// Bytes queued for a client that does not read before it is disconnected.
    public var maxOutboundBytes: Int
    /// The kernel send buffer asked for each connection (SO_SNDBUF; Linux
    /// caps it at net.core.wmem_max, then doubles it); 0 leaves it to the
    /// kernel's autotuning, up to 4 MiB.
    public var sendBufferBytes: Int
    /// Event-loop threads for the sockets.
    public var threads: Int
    /// Per-connection flood control; nil turns it off (the benchmarks do).
    public var flood: FloodLimits?
    /// A connection that has not chosen a name by then is closed.
    public var namingTimeout: TimeAmount
    /// A connection that begins a line and does not end it by then is closed.
    public var lineTimeout: TimeAmount
    /// TLS for every connection; nil serves plain TCP.
    public var tls: TLSFiles?
    /// Connections held at once, in all and from one address; 0: no limit.
    public var maxConnections: Int
    public var maxConnectionsPerAddress: Int

    /// 256 KiB asked (Linux gives twice that, within net.core.wmem_max): enough for 5 MiB/s to a client 100 ms
    /// away, and small enough that clients who stop reading are cut off
    /// before they cost the others much. Measured with 1,000 of them beside
    /// 100 readers (docs/RELIABILITY.md): with the kernel's autotuning the
    /// readers saw p99 0.8-1.1 s and the machine's TCP memory peaked at
    /// 1.5 GiB; with this cap, p99 0.13-0.17 s and 0.5 GiB. Fan-out to
    /// readers did not change beyond run-to-run noise.
    public static let defaultSendBufferBytes = 256 << 10

    /// One core is left to the SQLite writer, Lua timers and the system:
    /// on the 2-core benchmark machine one loop gave lower latency (p99
    /// 0.9 ms against 2.2 ms) and equal or better fan-out than two, because
    /// a message no longer hops between loops (docs/PERFORMANCE.md).
    public static let defaultThreads = max(1, System.coreCount - 1)

    public init(host: String = "127.0.0.1", port: Int = 4242, maxLineBytes: Int = 4096,
                maxOutboundBytes: Int = 1 << 20, threads: Int = ServerConfig.defaultThreads,
                flood: FloodLimits? = FloodLimits(), namingTimeout: TimeAmount = .seconds(60),
                lineTimeout: TimeAmount = .seconds(60), maxConnections: Int = 20_000,
                maxConnectionsPerAddress: Int = 0, tls: TLSFiles? = nil,
                sendBufferBytes: Int = ServerConfig.defaultSendBufferBytes) {
        self.host = host
        self.port = port
        self.maxLineBytes = maxLineBytes
        self.maxOutboundBytes = maxOutboundBytes
        self.threads = threads
        self.flood = flood
        self.namingTimeout = namingTimeout
        self.lineTimeout = lineTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.tls = tls
        self.sendBufferBytes = sendBufferBytes
    }
}
