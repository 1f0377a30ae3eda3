import ChatCore
import Foundation

/// What a command handler sees: the chat, who called, with what arguments,
/// and ways to answer. Handlers run while the engine owns the chat.
public final class CommandContext {
    public let chat: Chat
    public let caller: UserID
    /// The command name as typed (may be an alias).
    public let invokedAs: String
    /// Everything after the command name, trimmed.
    public let arguments: String
    public let requestID: String?
    public let table: CommandTable
    let engine: ChatEngine

    init(chat: Chat, caller: UserID, invokedAs: String, arguments: String, requestID: String?,
         table: CommandTable, engine: ChatEngine) {
        self.chat = chat
        self.caller = caller
        self.invokedAs = invokedAs
        self.arguments = arguments
        self.requestID = requestID
        self.table = table
        self.engine = engine
    }

    public var role: Role { chat.role(of: caller) }
    public var callerName: String { chat.name(of: caller) ?? "" }

    /// The arguments split on spaces into at most `limit` parts; the last part
    /// keeps its spaces (`/privado ana bom dia` → ["ana", "bom dia"]).
    public func words(limit: Int) -> [String] {
        var parts: [String] = []
        var rest = Substring(arguments)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " }
            if rest.isEmpty { break }
            if parts.count == limit - 1 {
                parts.append(String(rest))
                break
            }
            let word = rest.prefix { $0 != " " }
            parts.append(String(word))
            rest = rest.dropFirst(word.count)
        }
        return parts
    }

    /// The `count` required arguments, or a `missingArgument` error with the usage.
    public func required(_ count: Int, usage: String) throws -> [String] {
        let parts = words(limit: count)
        guard parts.count == count else { throw ChatError.missingArgument(usage: usage) }
        return parts
    }

    /// Takes the caller's line off the chat's lock: the handler returns
    /// `.deferred` and answers through the continuation, from any thread,
    /// when the work is done (a Lua script runs meanwhile, lock-free). The
    /// caller's later lines wait for that answer; nobody else's do.
    public func suspend() -> LineContinuation {
        engine.suspend(caller, requestID: requestID)
    }

    /// A way to answer later, from any thread, for commands that return
    /// `.deferred`. Call it while the handler runs; use it afterwards.
    public func deferredReply() -> DeferredReply {
        DeferredReply(endpoint: chat.endpoint(of: caller), outbox: chat.outbox, requestID: requestID)
    }
}

/// An answer a command will send once its result is ready.
public struct DeferredReply: Sendable {
    let endpoint: (any ChatEndpoint)?
    let outbox: any Outbox
    let requestID: String?

    public func send(text: String, items: [ChatEvent] = [], error: ChatError? = nil) {
        guard let endpoint else { return }
        let reply = Reply(requestID: requestID, error: error, text: text, items: items, time: Date())
        outbox.deliver(.reply(reply), to: [endpoint])
    }
}
