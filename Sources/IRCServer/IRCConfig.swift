/// How the IRC front end is set up (`papo serve --irc-port ...`).
public struct IRCConfig: Sendable {
    public var host: String
    public var port: Int
    /// The name the server gives itself in every reply's source and in 004.
    public var serverName: String
    /// NETWORK in 005.
    public var networkName: String
    /// The server password every client must send with PASS; nil: none is
    /// needed, and PASS is then the password of a registered nick.
    public var password: String?
    /// OPER name and password pairs; OPER with one makes the user a Papo admin.
    public var operators: [String: String]
    /// Lines of a room's history replayed on JOIN to clients that asked for
    /// `server-time` (0: none).
    public var replayLines: Int

    public init(host: String = "127.0.0.1", port: Int = 6667, serverName: String = "papo.local",
                networkName: String = "Papo", password: String? = nil, operators: [String: String] = [:],
                replayLines: Int = 20) {
        self.host = host
        self.port = port
        self.serverName = serverName
        self.networkName = networkName
        self.password = password
        self.operators = operators
        self.replayLines = replayLines
    }

    /// Longest line taken from a client, as RFC 1459 says, CRLF included;
    /// message tags may add `maxTagBytes` in front of it (IRCv3).
    public static let maxLineBytes = 512
    public static let maxTagBytes = 4094
}
