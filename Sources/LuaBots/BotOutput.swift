/// Flood control for what one script says (`papo.say`, `papo.whisper`),
/// as a user's lines have theirs: at most `perCall` lines in one call, and
/// a bucket of lines and one of bytes per second across all its calls and
/// timers. What is over the limit is refused (the script gets nil and
/// `bot_flood`), so a bot can never fill its listeners' queues: its burst
/// is at most `burstLines` messages of `NameRules.maxMessageLength`.
struct BotOutput {
    static let perCall = 10
    static let linesPerSecond = 5.0
    static let burstLines = 20.0
    static let bytesPerSecond = 4096.0
    static let burstBytes = 16384.0

    private var usedThisCall = 0
    private var lines = RateBucket(rate: linesPerSecond, burst: burstLines)
    private var bytes = RateBucket(rate: bytesPerSecond, burst: burstBytes)

    mutating func startCall() {
        usedThisCall = 0
    }

    /// Why nothing more may be said in this call, if so: checked before a
    /// text is read into lines, so a script saying in a loop past its limit
    /// pays almost nothing per refused call.
    var callRefusal: String? {
        usedThisCall >= Self.perCall ? "mais de \(Self.perCall) falas numa só chamada" : nil
    }

    /// Nil when `lineCount` lines of `count` bytes in all may go out now
    /// (and counts them), all or none; otherwise why not.
    mutating func admit(lines lineCount: Int = 1, bytes count: Int) -> String? {
        let now = CPUBudget.now()
        var refusal: String?
        if usedThisCall + lineCount > Self.perCall {
            refusal = "mais de \(Self.perCall) falas numa só chamada"
        } else if !lines.take(Double(lineCount), now: now) {
            refusal = "mais de \(Int(Self.linesPerSecond)) falas por segundo"
        } else if !bytes.take(Double(count), now: now) {
            refusal = "mais de \(Int(Self.bytesPerSecond)) bytes de falas por segundo"
        }
        if refusal == nil { usedThisCall += lineCount }
        return refusal
    }
}
