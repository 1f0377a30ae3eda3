/// A token bucket over monotonic seconds: `rate` tokens a second, at most
/// `burst` saved up. The CPU budget, a script's output and its store
/// writes are each one. (ChatServer's `TokenBucket` is the same idea over
/// NIO's clock, for connections.)
struct RateBucket {
    let rate: Double
    let burst: Double
    private(set) var tokens: Double
    private var refilledAt: Double

    init(rate: Double, burst: Double, now: Double = CPUBudget.now()) {
        self.rate = rate
        self.burst = burst
        tokens = burst
        refilledAt = now
    }

    /// Takes `amount` if that many tokens are there.
    mutating func take(_ amount: Double, now: Double = CPUBudget.now()) -> Bool {
        refill(now)
        guard tokens >= amount else { return false }
        tokens -= amount
        return true
    }

    /// Takes `amount` even if it leaves the bucket overdrawn.
    mutating func spend(_ amount: Double) {
        tokens -= amount
    }

    /// Nil when the bucket holds a token; otherwise the seconds until it does.
    mutating func wait(now: Double = CPUBudget.now()) -> Double? {
        refill(now)
        return tokens > 0 ? nil : -tokens / rate
    }

    private mutating func refill(_ now: Double) {
        tokens = min(burst, tokens + max(0, now - refilledAt) * rate)
        refilledAt = now
    }
}
