import BotEngine
import ChatCore

/// Renders what the server sends as JSON lines (documented in docs/PROTOCOL.md).
enum JSONRenderer {
    static func render(_ item: Outgoing) -> String {
        switch item {
        case .event(let event): return object(for: event).finished()
        case .reply(let reply): return render(reply)
        }
    }

    static func welcome(_ welcome: Welcome, time: String) -> String {
        var json = JSONObject()
        json.field("type", "welcome")
        json.field("name", welcome.name)
        json.field("room", welcome.room)
        if let account = welcome.account { json.field("account", account) }
        json.field("time", time)
        return json.finished()
    }

    /// An error outside any request (before login, or a line that could not be read).
    static func error(_ error: ChatError, requestID: String? = nil, time: String) -> String {
        var json = JSONObject()
        json.field("type", requestID == nil ? "error" : "result")
        json.raw("id", requestID)
        if requestID != nil { json.field("ok", false) }
        json.field("code", error.code)
        json.field("message", error.message)
        json.field("time", time)
        return json.finished()
    }

    private static func render(_ reply: Reply) -> String {
        if reply.unprompted {
            if let error = reply.error { return Self.error(error, time: TimeFormat.iso8601(reply.time)) }
            var json = JSONObject()
            json.field("type", "notice")
            json.field("text", reply.text)
            json.field("time", TimeFormat.iso8601(reply.time))
            return json.finished()
        }
        if let error = reply.error {
            return Self.error(error, requestID: reply.requestID ?? "null", time: TimeFormat.iso8601(reply.time))
        }
        var json = JSONObject()
        json.field("type", "result")
        json.raw("id", reply.requestID ?? "null")
        json.field("ok", true)
        json.field("text", reply.text.isEmpty ? nil : reply.text)
        if !reply.items.isEmpty {
            json.raw("items", "[" + reply.items.map { object(for: $0).finished() }.joined(separator: ",") + "]")
        }
        json.field("time", TimeFormat.iso8601(reply.time))
        return json.finished()
    }

    private static func object(for event: ChatEvent) -> JSONObject {
        var json = JSONObject()
        json.field("type", event.kind.rawValue)
        json.field("room", event.room)
        json.field("sender", event.sender)
        json.field("target", event.target)
        json.field("text", event.text)
        if event.notice { json.field("notice", true) }
        if let secret = event.settingsChange?.secret { json.field("secret", secret) }
        if let open = event.settingsChange?.openTopic { json.field("open_topic", open) }
        if let added = event.settingsChange?.exceptionAdded { json.field("exception_added", added) }
        if let removed = event.settingsChange?.exceptionRemoved { json.field("exception_removed", removed) }
        json.field("time", TimeFormat.iso8601(event.time))
        return json
    }
}
