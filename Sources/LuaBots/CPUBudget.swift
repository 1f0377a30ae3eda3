import Foundation

/// How much CPU one script may use over time. The instruction budget of a
/// call stops one runaway call; this stops a script whose calls each keep
/// to the rules but together keep the server busy: a hook that works hard
/// on every message, or timers whose work happens inside C functions
/// (sorting, building strings), which the instruction count barely sees.
public struct BotCPULimits: Sendable, Equatable {
    /// Seconds of CPU a script may use per second, sustained; 0 turns the
    /// limit off.
    public var share: Double
    /// Seconds of CPU a script may use at once before the share applies.
    public var burst: Double

    public init(share: Double = 0.2, burst: Double = 1) {
        self.share = share
        self.burst = burst
    }
}

/// A token bucket of CPU seconds for one script: each call spends the CPU
/// time its thread used (so work inside C functions counts too), and the
/// bucket refills at `share` per second up to `burst`. A call that finds it
/// empty is refused without running, until the bucket has refilled.
struct CPUBudget {
    let limits: BotCPULimits
    private var bucket: RateBucket

    init(limits: BotCPULimits, now: Double = CPUBudget.now()) {
        self.limits = limits
        bucket = RateBucket(rate: limits.share, burst: limits.burst, now: now)
    }

    /// Nil when a call may run now; otherwise the seconds until one may.
    mutating func wait(now: Double = CPUBudget.now()) -> Double? {
        guard limits.share > 0 else { return nil }
        return bucket.wait(now: now)
    }

    /// Records what a call used; a long call may leave the bucket overdrawn.
    mutating func spend(_ seconds: Double) {
        guard limits.share > 0 else { return }
        bucket.spend(seconds)
    }

    /// Monotonic seconds.
    static func now() -> Double {
        seconds(CLOCK_MONOTONIC)
    }

    /// CPU seconds the calling thread has used.
    static func threadCPUTime() -> Double {
        seconds(CLOCK_THREAD_CPUTIME_ID)
    }

    private static func seconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
