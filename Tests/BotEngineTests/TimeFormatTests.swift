import BotEngine
import Foundation
import Testing

@Suite("Time format") struct TimeFormatTests {
    /// Foundation's formatter, as an independent reference.
    static func reference(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "dd/MM/yyyy HH:mm:ss"
        return formatter.string(from: date)
    }

    @Test func dateTimeMatchesTheReferenceAcrossSecondsAndBackAgain() {
        let base = Date(timeIntervalSince1970: 1_795_000_000)
        // Within one second, the next one, back to an earlier one, and far apart:
        // a stale reused stamp would show up as a mismatch.
        let offsets: [TimeInterval] = [0, 0.25, 0.999, 1, 1.5, 0.1, 59, 3_600, 86_400 * 40, 0, -1]
        for offset in offsets {
            let date = base.addingTimeInterval(offset)
            #expect(TimeFormat.dateTime(date) == Self.reference(date), "offset \(offset)")
        }
    }
}
