/// Placeholder replaced below.
public struct TerminalClient {
    public init(host: String, port: Int, name: String?) {}
    public func run() -> Int32 { 0 }
}
