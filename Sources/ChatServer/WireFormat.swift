/// How a connection speaks: plain text lines (nc, telnet) or JSON lines.
public enum WireFormat: Sendable {
    case text
    case json
}
