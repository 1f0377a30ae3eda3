import ChatServer
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// What the network thread hands to the terminal thread.
enum Incoming {
    case line(String)
    case closed
}

/// A queue from the NIO thread to the terminal loop, with a pipe the
/// terminal loop can `poll` on together with stdin.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Incoming] = []
    let readFD: Int32
    let writeFD: Int32

    init() {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        readFD = fds[0]
        writeFD = fds[1]
        _ = fcntl(readFD, F_SETFL, O_NONBLOCK)
    }

    func push(_ item: Incoming) {
        lock.withLock { items.append(item) }
        wake()
    }

    /// Makes `poll` on `readFD` return; async-signal-safe.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Everything queued so far; clears the pipe.
    func drain() -> [Incoming] {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(readFD, &scratch, scratch.count) > 0 {}
        return lock.withLock {
            defer { items.removeAll() }
            return items
        }
    }

    /// Waits up to `timeout` seconds for something to arrive.
    func wait(timeout: Int32) -> [Incoming] {
        var fd = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, timeout * 1000)
        return drain()
    }
}

/// The client's TCP connection, speaking the JSON-lines protocol.
final class ServerConnection: @unchecked Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var channel: Channel?
    private var nextID = 1
    let inbox = Inbox()

    /// Connects, or throws an error whose description is one readable
    /// sentence; with `tls`, over TLS checked against that context.
    func connect(host: String, port: Int, tls: NIOSSLContext? = nil) throws {
        let inbox = self.inbox
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: TLS.serverHostname(host)))
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(BoundedLineDecoder(maxLineBytes: 4 << 20)),
                        InboxHandler(inbox: inbox),
                    ])
                }
            }
        channel = try bootstrap.connect(host: host, port: port).wait()
    }

    /// Sends a JSON request object.
    func send(type: String, field: String, value: String) {
        send(type: type, fields: [field: value])
    }

    /// Sends a JSON request object with these string fields.
    func send(type: String, fields: [String: String]) {
        guard let channel else { return }
        var request: [String: Any] = fields
        request["type"] = type
        if type != "hello" {
            request["id"] = nextID
            nextID += 1
        }
        guard var data = try? JSONSerialization.data(withJSONObject: request) else { return }
        data.append(UInt8(ascii: "\n"))
        channel.writeAndFlush(ByteBuffer(bytes: data), promise: nil)
    }

    func close() {
        try? channel?.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Passes each received line to the inbox; reports the end of the connection.
private final class InboxHandler: ChannelInboundHandler {
    typealias InboundIn = InboundLine
    let inbox: Inbox

    init(inbox: Inbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .line(let buffer) = unwrapInboundIn(data) {
            inbox.push(.line(String(decoding: buffer.readableBytesView, as: UTF8.self)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.push(.closed)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
