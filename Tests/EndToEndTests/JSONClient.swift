import Foundation

/// A JSON-lines client on top of `LineClient`: requests carry ids and
/// `request` returns the matching result, with the events seen before it.
final class JSONClient {
    let raw: LineClient
    let name: String
    private var nextID = 1

    /// The `welcome` object the server answered the hello with.
    private(set) var welcome: [String: Any] = [:]

    /// Logs in as `name`, with `password` for a registered name.
    init(port: Int, name: String, password: String? = nil) throws {
        raw = try LineClient(port: port)
        self.name = name
        _ = try raw.waitFor(containing: "Bem-vindo")
        var hello = ["type": "hello", "name": name]
        hello["password"] = password
        raw.send(String(decoding: try JSONSerialization.data(withJSONObject: hello), as: UTF8.self))
        let (line, _) = try raw.waitFor("welcome or error") { $0.hasPrefix("{") }
        let object = Self.decode(line)
        guard object["type"] as? String == "welcome" else { throw LoginRefused(code: object["code"] as? String ?? "?") }
        welcome = object
    }

    struct LoginRefused: Error, Equatable { let code: String }

    /// Sends a line (chat text or /command) and returns its result object and
    /// the objects that arrived before it.
    @discardableResult
    func request(_ text: String, type: String = "line", room: String? = nil) throws
        -> (result: [String: Any], before: [[String: Any]]) {
        let id = nextID
        nextID += 1
        var request: [String: Any] = ["type": type, "text": text, "id": id]
        request["room"] = room
        let payload = try JSONSerialization.data(withJSONObject: request)
        raw.send(String(decoding: payload, as: UTF8.self))
        let (line, before) = try raw.waitFor("result \(id)") { line in
            let object = Self.decode(line)
            return object["type"] as? String == "result" && object["id"] as? Int == id
        }
        return (Self.decode(line), before.map(Self.decode))
    }

    /// Waits for an event of `type` that satisfies `match`.
    @discardableResult
    func event(_ type: String, timeout: TimeInterval = 5, where match: ([String: Any]) -> Bool = { _ in true }) throws -> [String: Any] {
        let (line, _) = try raw.waitFor("event \(type)", timeout: timeout) { line in
            let object = Self.decode(line)
            return object["type"] as? String == type && match(object)
        }
        return Self.decode(line)
    }

    /// Events received until a /ping round trip completes: anything the
    /// server sent this client before that moment.
    func eventsUntilBarrier() throws -> [[String: Any]] {
        try request("/ping").before
    }

    /// Asks `check` until it holds or five seconds pass; true if it held.
    func eventually(_ check: (JSONClient) throws -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if try check(self) { return true }
            usleep(20_000)
        }
        return false
    }

    static func decode(_ line: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? { self[key] as? String }
}
