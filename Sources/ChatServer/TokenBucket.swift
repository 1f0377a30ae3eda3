import NIOCore

/// A token bucket: `rate` tokens a second, at most `burst` saved up.
struct TokenBucket {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: NIODeadline

    init(rate: Double, burst: Double, now: NIODeadline) {
        self.rate = rate
        self.burst = burst
        tokens = burst
        last = now
    }

    /// True when the bucket is full again: its owner has stayed under the
    /// rate for a while.
    mutating func isFull(now: NIODeadline) -> Bool {
        refill(now)
        return tokens >= burst
    }

    /// Takes `amount` if that many tokens are there.
    mutating func take(_ amount: Double, now: NIODeadline) -> Bool {
        refill(now)
        guard tokens >= amount else { return false }
        tokens -= amount
        return true
    }

    /// How long until `amount` tokens are there (zero if they are now).
    /// An amount over `burst` is treated as `burst`.
    mutating func wait(for amount: Double, now: NIODeadline) -> TimeAmount {
        refill(now)
        let missing = min(amount, burst) - tokens
        guard missing > 0 else { return .zero }
        return .nanoseconds(Int64((missing / rate * 1e9).rounded(.up)))
    }

    private mutating func refill(_ now: NIODeadline) {
        let elapsed = Double((now - last).nanoseconds) / 1e9
        if elapsed > 0 {
            tokens = min(burst, tokens + elapsed * rate)
            last = now
        }
    }
}
