/// Limits and addresses for one `PapoServer`.
public struct ServerConfig: Sendable {
    public var host: String
    public var port: Int
    /// Longest accepted line, in bytes, not counting the newline.
    public var maxLineBytes: Int
    /// Bytes queued for a client that does not read before it is disconnected.
    public var maxOutboundBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 4242, maxLineBytes: Int = 4096,
                maxOutboundBytes: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.maxLineBytes = maxLineBytes
        self.maxOutboundBytes = maxOutboundBytes
    }
}
