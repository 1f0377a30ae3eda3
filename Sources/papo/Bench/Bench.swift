import ArgumentParser

/// `papo bench`: benchmarks (documented in docs/PERFORMANCE.md).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks over loopback TCP (see docs/PERFORMANCE.md).", subcommands: [
            FanoutBench.self, LatencyBench.self, CommandsBench.self, PrivateBench.self, ChurnBench.self, IdleBench.self,
            FloodBench.self,
            LuaBench.self, HostileBench.self,
        ])
}
