import ChatServer
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// `papo serve --tls-cert/--tls-key`: a TLS client that trusts the
/// server's certificate chats as usual; a client speaking plain TCP to the
/// TLS port gets nothing readable and is closed. The certificate in
/// Fixtures is self-signed for localhost and exists only for these tests.
@Suite(.timeLimit(.minutes(1))) struct TLSTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let files = TLSFiles(certificateChain: fixtures.appendingPathComponent("test-cert.pem").path,
                                privateKey: fixtures.appendingPathComponent("test-key.pem").path)

    @Test func aTLSClientChatsAndAPlainOneIsTurnedAway() async throws {
        let server = try await TestServer.start(tls: Self.files)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let lines = NIOLockedValueBox<[String]>([])
        let context = try TLS.clientContext(trusting: Self.files.certificateChain)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        try NIOSSLClientHandler(context: context, serverHostname: "localhost"),
                        ByteToMessageHandler(BoundedLineDecoder(maxLineBytes: 4096)),
                        LineCollector(lines: lines),
                    ])
                }
            }
            .connect(host: "127.0.0.1", port: server.port).get()
        try await Self.eventually { lines.withLockedValue { $0.contains { $0.contains("Bem-vindo") } } }
        try await channel.writeAndFlush(ByteBuffer(string: "ana\n"))
        try await Self.eventually { lines.withLockedValue { $0.contains { $0.contains("Olá, ana!") } } }
        try await channel.writeAndFlush(ByteBuffer(string: "segredo em trânsito\n"))
        try await Self.eventually { lines.withLockedValue { $0.contains { $0.contains("<ana> segredo em trânsito") } } }

        let plain = try LineClient(port: server.port)
        plain.send("bia")
        plain.send("olá, todos")  // enough bytes for the server to see this is no TLS record
        #expect(plain.waitForClose())
        #expect(!plain.transcript.contains { $0.contains("Bem-vindo") })

        try await channel.close()
        try await group.shutdownGracefully()
        await server.stop()
    }

    static func eventually(_ check: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !check() {
            guard ContinuousClock.now < deadline else { throw ClientTimeout(waitingFor: "TLS line", seen: []) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Keeps every line received, for the test to look at.
private final class LineCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = InboundLine
    let lines: NIOLockedValueBox<[String]>
    init(lines: NIOLockedValueBox<[String]>) { self.lines = lines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .line(let buffer) = unwrapInboundIn(data) {
            let line = String(decoding: buffer.readableBytesView, as: UTF8.self)
            lines.withLockedValue { $0.append(line) }
        }
    }
}
