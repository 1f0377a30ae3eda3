import BotEngine
import ChatCore
import ChatServer
import Foundation

/// Turns the server's JSON lines into coloured terminal lines. Anything a
/// peer wrote is stripped of control characters before it reaches the
/// terminal, even though the server already refuses them.
public struct ClientRenderer {
    public var useColor: Bool

    public init(useColor: Bool) {
        self.useColor = useColor
    }

    /// A parsed server line.
    public enum Parsed {
        case welcome(name: String, room: String)
        case event(ChatEvent)
        case result(ok: Bool, text: String?, message: String?, items: [ChatEvent])
        case error(code: String, message: String)
        /// Something the server says on its own (docs/PROTOCOL.md §4).
        case notice(String)
        case other(String)
    }

    /// Parses one server line. Every string in it is stripped of control and
    /// invisible characters here, once, so nothing a peer (or a tampered
    /// connection) wrote can drive this terminal.
    public static func parse(_ line: String) -> Parsed {
        guard let raw = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
              let type = raw["type"] as? String else {
            return .other(Self.clean(line))
        }
        let object = cleaned(raw)
        switch type {
        case "welcome":
            return .welcome(name: object["name"] as? String ?? "?", room: object["room"] as? String ?? "?")
        case "result":
            let items = (object["items"] as? [[String: Any]] ?? []).compactMap(event)
            return .result(ok: object["ok"] as? Bool ?? false, text: object["text"] as? String,
                           message: object["message"] as? String, items: items)
        case "error":
            return .error(code: object["code"] as? String ?? "", message: object["message"] as? String ?? "")
        case "notice":
            return .notice(object["text"] as? String ?? "")
        default:
            return event(object).map(Parsed.event) ?? .other(line)
        }
    }

    /// The lines to print for `parsed` (empty for a silent success).
    public func render(_ parsed: Parsed) -> [String] {
        switch parsed {
        case .welcome(let name, let room):
            return [paint("Conectado como \(colored(name)) em #\(room). Digite /ajuda para ver os comandos.", .dim)]
        case .event(let event):
            // `current` only moves the prompt (TerminalClient.track).
            return event.kind == .current ? [] : [render(event)]
        case .result(let ok, let text, let message, let items):
            let stamp = "[\(TimeFormat.dateTime(Date()))]"
            if !ok { return [paint("\(stamp) [erro] \(message ?? "erro")", .red)] }
            var lines = (text ?? "").split(separator: "\n").map { paint("\(stamp) [papo] \($0)", .cyan) }
            lines += items.map { "  " + render($0) }
            return lines
        case .error(_, let message):
            return [paint("[erro] \(message)", .red)]
        case .notice(let text):
            return [paint("[\(TimeFormat.dateTime(Date()))] [papo] \(text)", .cyan)]
        case .other(let line):
            return [line]
        }
    }

    public func render(_ event: ChatEvent) -> String {
        let stamp = paint("[\(TimeFormat.dateTime(event.time))]", .dim)
        let room = event.room.map { "#\($0)" } ?? ""
        switch event.kind {
        case .message where event.notice:
            return "\(stamp) \(room) -\(colored(event.sender ?? "?"))- \(event.text ?? "")"
        case .message:
            return "\(stamp) \(room) <\(colored(event.sender ?? "?"))> \(event.text ?? "")"
        case .privateMessage:
            return "\(stamp) " + paint("[privado]", .magenta)
                + " \(colored(event.sender ?? "?")) → \(colored(event.target ?? "?")): \(event.text ?? "")"
        default:
            return paint(TextRenderer.line(for: event), .yellow)
        }
    }

    /// The event a JSON object describes, with every field JSONRenderer
    /// writes (a notice's flag, a settings change's fields).
    static func event(_ object: [String: Any]) -> ChatEvent? {
        guard let type = object["type"] as? String, let kind = ChatEvent.Kind(rawValue: type) else { return nil }
        var event = ChatEvent(kind: kind, room: object["room"] as? String, sender: object["sender"] as? String,
                              target: object["target"] as? String, text: object["text"] as? String,
                              time: (object["time"] as? String).flatMap(parseTime) ?? Date())
        event.notice = object["notice"] as? Bool ?? false
        if kind == .settings {
            event.settingsChange = RoomSettingsChange(
                secret: object["secret"] as? Bool, openTopic: object["open_topic"] as? Bool,
                exceptionAdded: object["exception_added"] as? String, exceptionRemoved: object["exception_removed"] as? String)
        }
        return event
    }

    private static func parseTime(_ text: String) -> Date? {
        timeParser.date(from: text)
    }

    /// Used only on the terminal thread.
    private static let timeParser: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    // MARK: Colour

    enum Color: String {
        case red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36", dim = "2"
    }

    private static let nameColors: [Color] = [.green, .yellow, .blue, .magenta, .cyan, .red]

    func colored(_ name: String) -> String {
        let hash = name.lowercased().unicodeScalars.reduce(UInt32(5381)) { ($0 &* 33) &+ $1.value }
        return paint(name, Self.nameColors[Int(hash % UInt32(Self.nameColors.count))], bold: true)
    }

    func paint(_ text: String, _ color: Color, bold: Bool = false) -> String {
        guard useColor else { return text }
        return "\u{1B}[\(bold ? "1;" : "")\(color.rawValue)m\(text)\u{1B}[0m"
    }

    /// Removes control and invisible characters (escape sequences included);
    /// keeps newlines, which multi-line replies use.
    static func clean(_ text: String) -> String {
        guard NameRules.containsControlCharacters(text) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter {
            $0 == "\n" || !NameRules.containsControlCharacters(String($0))
        }))
    }

    private static func cleaned(_ object: [String: Any]) -> [String: Any] {
        object.mapValues { value in
            switch value {
            case let text as String: return Self.clean(text)
            case let list as [[String: Any]]: return list.map(cleaned)
            default: return value
            }
        }
    }
}
