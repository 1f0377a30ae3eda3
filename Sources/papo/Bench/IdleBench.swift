import ArgumentParser
import ChatServer
import Foundation
import Histogram
import NIOPosix

/// `papo bench idle`: many connected, named users doing nothing; the
/// server's resident memory per user, and `/ping` while they sit there.
/// Users are spread over rooms (`--rooms`); all in one room would make
/// every arrival a notice to everyone before it, which measures fan-out of
/// join notices rather than idle cost.
struct IdleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle", abstract: "Server memory per idle connected user.")

    @Option(help: "Port of a running Papo.") var port = 4242
    @Option(help: "Pid of the Papo server (required: its memory is the result).") var serverPid: Int32
    @Option(help: "Idle users to connect.") var users = 10000
    @Option(help: "Rooms they are spread over.") var rooms = 100
    @Option(help: "Logins in flight at once.") var concurrency = 50

    func run() async throws {
        let limit = FileLimit.raise()
        guard limit > users + 100 else {
            throw ValidationError("open-file limit \(limit) is too low for \(users) users (raise ulimit -n)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let probe = try await BenchClient.connect(group: group, port: port, name: BenchLink.name("sonda", 0))
        try await Task.sleep(for: .milliseconds(500))
        guard let before = ServerProcess.residentBytes(pid: serverPid) else {
            throw ValidationError("cannot read /proc/\(serverPid)/status")
        }
        let cpu0 = ProcessCPU.now()
        let start = ContinuousClock.now
        let port = self.port, rooms = self.rooms, users = self.users, concurrency = self.concurrency
        let clients = try await withThrowingTaskGroup(of: [BenchClient].self) { tasks in
            for worker in 0..<concurrency {
                tasks.addTask {
                    var mine: [BenchClient] = []
                    for i in stride(from: worker, to: users, by: concurrency) {
                        let client = try await BenchClient.connect(group: group, port: port, name: BenchLink.name("ocioso", i))
                        try await client.request("/entrar sala\(i % rooms)")
                        mine.append(client)
                    }
                    return mine
                }
            }
            return try await tasks.reduce(into: []) { $0 += $1 }
        }
        let loginSeconds = (ContinuousClock.now - start).seconds
        try await Task.sleep(for: .seconds(2))
        let after = ServerProcess.residentBytes(pid: serverPid) ?? before
        var ping = DeliveryLog.histogram()
        for _ in 0..<1000 {
            let sent = ContinuousClock.now
            try await probe.request("/ping")
            _ = ping.record(UInt64(max(1, (ContinuousClock.now - sent).microseconds)))
        }
        print("papo bench idle: \(clients.count) users connected, named and in \(rooms) rooms "
              + String(format: "(logins took %.1f s, generator CPU %.2f s)", loginSeconds, ProcessCPU.now() - cpu0))
        print(String(format: "server resident memory: %.1f MiB before, %.1f MiB after", Double(before) / 1048576,
                     Double(after) / 1048576))
        print(String(format: "per connected user: %.1f KiB", Double(after - before) / Double(clients.count) / 1024))
        print("/ping with them connected (µs):   p50      p99    p99.9      max     mean")
        print("                               " + ping.summary)
        for client in clients { await client.close() }
        await probe.close()
        try await group.shutdownGracefully()
    }
}
