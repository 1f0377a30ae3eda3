import ChatServer
import Foundation
import Testing

/// The kernel send buffer of each accepted connection is capped, so clients
/// that stop reading are cut off before they hold much kernel memory.
@Suite(.timeLimit(.minutes(1))) struct SendBufferTests {
    @Test(arguments: [64 << 10, ServerConfig.defaultSendBufferBytes])
    func eachConnectionGetsTheConfiguredSendBuffer(bytes: Int) async throws {
        let server = try await TestServer.start(sendBufferBytes: bytes)
        let client = try LineClient(port: server.port)
        try client.waitFor(containing: "Bem-vindo")
        let size = try #require(Self.serverSideSendBuffer(serverPort: server.port, peerPort: client.localPort))
        // Linux caps the request at net.core.wmem_max, then doubles it for its bookkeeping.
        let ceiling = try #require(Int(String(contentsOfFile: "/proc/sys/net/core/wmem_max", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(size == min(bytes, ceiling) * 2)
        await server.stop()
    }

    /// The server runs in this process: finds its end of the connection
    /// among our descriptors and reads SO_SNDBUF there.
    static func serverSideSendBuffer(serverPort: Int, peerPort: Int) -> Int? {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for case let fd? in descriptors.map({ Int32($0) }) {
            guard port(of: fd, peer: false) == serverPort, port(of: fd, peer: true) == peerPort else { continue }
            var size: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &length) == 0 else { return nil }
            return Int(size)
        }
        return nil
    }

    private static func port(of fd: Int32, peer: Bool) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
