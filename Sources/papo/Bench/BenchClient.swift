import ChatServer
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A load-generator connection: event-driven (NIO), JSON mode. Counts the
/// chat messages it receives and matches results to requests by id.
final class BenchClient: @unchecked Sendable {
    let channel: Channel
    private let state: State

    final class State: @unchecked Sendable {
        let lock = NIOLock()
        var messages = 0
        var waiting: [Int: EventLoopPromise<Bool>] = [:]
        var welcomed: EventLoopPromise<Void>?
    }

    private var nextID = 1

    static func connect(group: EventLoopGroup, port: Int, name: String) async throws -> BenchClient {
        let state = State()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(BoundedLineDecoder(maxLineBytes: 1 << 20)),
                        Reader(state: state),
                    ])
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let client = BenchClient(channel: channel, state: state)
        let welcomed = channel.eventLoop.makePromise(of: Void.self)
        state.lock.withLock { state.welcomed = welcomed }
        client.write(#"{"type":"hello","name":"\#(name)"}"#)
        try await welcomed.futureResult.get()
        return client
    }

    private init(channel: Channel, state: State) {
        self.channel = channel
        self.state = state
    }

    var messagesReceived: Int { state.lock.withLock { state.messages } }

    /// Sends a line and waits for its result; true when it succeeded.
    @discardableResult
    func request(_ text: String) async throws -> Bool {
        let id = nextID
        nextID += 1
        let promise = channel.eventLoop.makePromise(of: Bool.self)
        state.lock.withLock { state.waiting[id] = promise }
        write(Self.line(text, id: id))
        return try await promise.futureResult.get()
    }

    /// Sends lines without waiting (their results are ignored).
    func fire(_ texts: [String]) {
        var buffer = channel.allocator.buffer(capacity: texts.count * 80)
        for text in texts { buffer.writeString(Self.line(text, id: 0) + "\n") }
        channel.writeAndFlush(buffer, promise: nil)
    }

    func close() async { try? await channel.close() }

    private func write(_ line: String) {
        var buffer = channel.allocator.buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line + "\n")
        channel.writeAndFlush(buffer, promise: nil)
    }

    private static func line(_ text: String, id: Int) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return #"{"type":"line","text":"\#(escaped)","id":\#(id)}"#
    }

    /// Classifies lines by their prefix only: the generator must stay cheap.
    private final class Reader: ChannelInboundHandler {
        typealias InboundIn = InboundLine
        let state: State
        init(state: State) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .line(let buffer) = unwrapInboundIn(data) else { return }
            let view = buffer.readableBytesView
            if view.starts(with: #"{"type":"message""#.utf8) {
                state.lock.withLock { state.messages += 1 }
            } else if view.starts(with: #"{"type":"result","id":"#.utf8) {
                let digits = view.dropFirst(22).prefix { $0 >= 48 && $0 <= 57 }
                let id = Int(String(decoding: digits, as: UTF8.self)) ?? 0
                let ok = view.dropFirst(22 + digits.count).starts(with: #","ok":true"#.utf8)
                if id > 0, let promise = state.lock.withLock({ state.waiting.removeValue(forKey: id) }) {
                    promise.succeed(ok)
                }
            } else if view.starts(with: #"{"type":"welcome""#.utf8) {
                state.lock.withLock { state.welcomed.take() }?.succeed()
            } else if view.starts(with: #"{"type":"error""#.utf8) {
                state.lock.withLock { state.welcomed.take() }?.fail(Refused(line: String(buffer: buffer)))
            }
        }
    }
}

/// The server refused the bench client's login.
struct Refused: Error, CustomStringConvertible {
    let line: String
    var description: String { "refused: \(line)" }
}

extension Optional {
    fileprivate mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
