import BotEngine
import ChatCore
import Foundation
import Logging

/// The wiring every Papo process shares: a chat engine whose command table
/// holds the built-ins plus `/reload` and `/bots`, and the Lua bots of one
/// folder, each script on a worker of its own, off the chat's lock.
public struct BotHost {
    public let engine: ChatEngine
    public let registry: BotRegistry

    /// Bots are not loaded yet: call `loadBots()` when the chat is ready.
    /// `checkPasswordsInPlace` is for callers that want `/admin` answered
    /// synchronously (tests, `papo bots test`); see `ChatEngine`. `botCPU`
    /// is how much CPU each script may use over time; `clock` is a
    /// scenario test's virtual clock.
    public init(chat: Chat, bots directory: URL, adminPassword: String?,
                logger: Logger = Logger(label: "papo.bots"), checkPasswordsInPlace: Bool = false,
                botCPU: BotCPULimits = BotCPULimits(), passwordLogRounds: Int = PasswordHash.defaultLogRounds,
                clock: VirtualClock? = nil) throws {
        let table = BuiltinCommands.table(), hooks = HookTable()
        registry = try BotRegistry(directory: directory, table: table, hooks: hooks, storage: chat.storage,
                                   cpu: botCPU, logger: logger, clock: clock)
        try BotCommands.install(registry, into: table)
        engine = ChatEngine(chat: chat, table: table, hooks: hooks, adminPassword: adminPassword, logger: logger,
                            checkPasswordsInPlace: checkPasswordsInPlace, passwordLogRounds: passwordLogRounds)
        registry.attach(to: engine)
    }

    /// Loads (or reloads) the bots folder. The files compile on this
    /// thread, off the chat's lock; never call it as the chat's owner.
    @discardableResult
    public func loadBots() -> [BotRegistry.Status] {
        registry.reload()
    }
}
