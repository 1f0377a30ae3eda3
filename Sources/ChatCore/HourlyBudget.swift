/// At most `perHour` of something per key (an address) in any hour: new
/// accounts, new rooms. Keys without an address share "local".
public struct HourlyBudget: Sendable {
    public let perHour: Int
    private var times: [String: [Double]] = [:]
    /// Past this many keys, those with nothing in the last hour are forgotten.
    static let maxTracked = 10_000

    public init(perHour: Int) {
        self.perHour = perHour
    }

    /// Counts one use for `key` at `now` (seconds), or returns false, counting nothing, when its hour is full.
    public mutating func allow(_ key: String?, now: Double) -> Bool {
        let key = key ?? "local"
        let recent = (times[key] ?? []).filter { now - $0 < 3600 }
        guard recent.count < perHour else {
            times[key] = recent
            return false
        }
        if times[key] == nil, times.count >= Self.maxTracked {
            times = times.filter { $0.value.contains { now - $0 < 3600 } }
        }
        times[key] = recent + [now]
        return true
    }
}
