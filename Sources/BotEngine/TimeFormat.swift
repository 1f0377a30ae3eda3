import Foundation

/// Date and time as shown to users: Brazilian style, in the server's time zone.
/// Formatted by hand with `localtime_r`, because it runs once per delivered
/// line and must be cheap and thread-safe.
public enum TimeFormat {
    /// `25/11/2026 11:03:12`. Every chat line carries one, and a busy room
    /// stamps thousands of lines with the same second: the last second's
    /// text is kept and reused.
    public static func dateTime(_ date: Date) -> String {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        if let cached = lastDateTime.text(for: second) { return cached }
        let t = components(date)
        let text = "\(pad(t.tm_mday))/\(pad(t.tm_mon + 1))/\(t.tm_year + 1900) \(clock(t))"
        lastDateTime.keep(text, for: second)
        return text
    }

    /// The last second formatted, behind a lock (NSLock: `Mutex` would need
    /// macOS 15, and the package declares 13).
    private final class LastSecond: @unchecked Sendable {
        private let lock = NSLock()
        private var second = Int64.min
        private var text = ""

        func text(for second: Int64) -> String? {
            lock.withLock { self.second == second ? text : nil }
        }

        func keep(_ text: String, for second: Int64) {
            lock.withLock { (self.second, self.text) = (second, text) }
        }
    }

    private static let lastDateTime = LastSecond()

    /// `11:03:12`
    public static func time(_ date: Date) -> String {
        clock(components(date))
    }

    /// `quarta-feira, 25 de novembro de 2026, 11:03:12`
    public static func long(_ date: Date) -> String {
        let t = components(date)
        return "\(weekdays[Int(t.tm_wday)]), \(t.tm_mday) de \(months[Int(t.tm_mon)]) de \(t.tm_year + 1900), \(clock(t))"
    }

    /// `2h 03min 12s`
    public static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        let days = total / 86_400, hours = total / 3_600 % 24, minutes = total / 60 % 60, secs = total % 60
        if days > 0 { return "\(days)d \(hours)h \(pad(Int32(minutes)))min" }
        if hours > 0 { return "\(hours)h \(pad(Int32(minutes)))min \(pad(Int32(secs)))s" }
        if minutes > 0 { return "\(minutes)min \(pad(Int32(secs)))s" }
        return "\(secs)s"
    }

    /// `2026-11-25T11:03:12.345Z`, for programs.
    public static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000) % 1000
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(t.tm_year + 1900)-\(pad(t.tm_mon + 1))-\(pad(t.tm_mday))T\(clock(t)).\(ms)Z"
    }

    private static let weekdays = ["domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira",
                                   "sexta-feira", "sábado"]
    private static let months = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
                                 "setembro", "outubro", "novembro", "dezembro"]

    private static func components(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        localtime_r(&seconds, &t)
        return t
    }

    private static func clock(_ t: tm) -> String {
        "\(pad(t.tm_hour)):\(pad(t.tm_min)):\(pad(t.tm_sec))"
    }

    private static func pad(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
