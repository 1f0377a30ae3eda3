import ArgumentParser
import ChatClient
import Foundation

/// `papo connect`: the terminal client.
struct Connect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Chat from this terminal.")

    @Option(help: "Server address.")
    var host = "127.0.0.1"

    @Option(help: "Server port.")
    var port = 4242

    @Option(help: "Your name (asked for when missing).")
    var name: String?

    @Flag(help: "Connect over TLS (the server runs with --tls-cert/--tls-key).")
    var tls = false

    @Option(help: "Trust only this PEM CA file for TLS (implies --tls); for a server's own certificate.")
    var tlsCA: String?

    func run() async throws {
        let code = TerminalClient(host: host, port: port, name: name, tls: tls, tlsCA: tlsCA).run()
        if code != 0 { throw ExitCode(code) }
    }
}
