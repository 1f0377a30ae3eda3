import BotEngine
import ChatCore
import Foundation
import Logging

/// The Lua bots of one folder, registered into the engine's command table.
/// `reload()` is all-or-nothing per script: a new version is compiled and its
/// commands checked off to the side, and swapped in only if all is well;
/// otherwise the running version stays. Owned by the chat engine: every
/// method runs while the engine holds the chat.
public final class BotRegistry: @unchecked Sendable {
    /// How one script stands after the last load.
    public struct Status: Equatable, Sendable {
        public var file: String
        public var commands: [String]
        /// Message and event hooks together.
        public var messageHooks: Int
        /// Why the last load of this file failed, if it did (the previous
        /// version, if any, is still running).
        public var error: String?
    }

    public let directory: URL
    private let table: CommandTable
    private let hooks: HookTable
    private let limits: LuaState.Limits
    private let logger: Logger
    private var scripts: [String: LuaScript] = [:]
    private var failures: [String: String] = [:]

    /// The engine whose chat timers run against; see `attach(to:)`.
    private weak var engine: ChatEngine?
    private let storage: (any ChatStorage)?
    /// Each script's store, by file name; kept across reloads.
    private var stores: [String: BotStore] = [:]
    private var savedData: [String: [String: String]]

    /// - Parameter storage: where scripts' stored values live (the chat's
    ///   database); nil keeps them in memory only.
    /// - Parameter cpu: how much CPU each script may use over time.
    public init(directory: URL, table: CommandTable, hooks: HookTable, storage: (any ChatStorage)? = nil,
                cpu: BotCPULimits = BotCPULimits(), logger: Logger = Logger(label: "papo.bots")) throws {
        self.directory = directory
        self.table = table
        self.hooks = hooks
        self.storage = storage
        self.savedData = try storage?.loadBotData() ?? [:]
        self.limits = LuaState.Limits(cpu: cpu)
        self.logger = logger
    }

    /// Lets timers run: they fire as the owner of `engine`'s chat.
    public func attach(to engine: ChatEngine) {
        self.engine = engine
    }

    /// Loads every `*.lua` file; files gone since the last load are unloaded
    /// with their commands.
    @discardableResult
    public func reload() -> [Status] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let wanted = Set(files.filter { $0.hasSuffix(".lua") })
        for gone in Set(scripts.keys).subtracting(wanted) {
            unload(gone)
        }
        failures = failures.filter { wanted.contains($0.key) }
        for file in wanted.sorted() {
            load(file)
        }
        return statuses
    }

    public var statuses: [Status] {
        Set(scripts.keys).union(failures.keys).sorted().map { file in
            Status(file: file, commands: scripts[file]?.commands.map(\.name) ?? [],
                   messageHooks: (scripts[file]?.messageHooks.count ?? 0) + (scripts[file]?.eventHooks.count ?? 0),
                   error: failures[file])
        }
    }

    /// The commands (with their examples) of a loaded file.
    func loadedCommands(of file: String) -> [ScriptCommand] {
        scripts[file]?.commands ?? []
    }

    /// Matches `text` against a Lua pattern inside `file`'s state.
    func matches(_ text: String, pattern: String, file: String) throws -> Bool {
        guard let script = scripts[file] else { return false }
        return try script.matches(text, pattern: pattern)
    }

    /// Unloads everything (server shutdown).
    public func unloadAll() {
        for file in Array(scripts.keys) { unload(file) }
    }

    private func unload(_ file: String) {
        table.removeAll(from: origin(file))
        hooks.removeAll(from: origin(file))
        scripts.removeValue(forKey: file)?.unload()
        failures.removeValue(forKey: file)
    }

    private func load(_ file: String) {
        let url = directory.appendingPathComponent(file)
        do {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  (attributes[.size] as? Int ?? 0) <= 256 * 1024 else {
                throw LuaFailure(message: "\(file): arquivo ausente ou maior que 256 KiB", stoppedByLimit: false)
            }
            let source = try String(contentsOf: url, encoding: .utf8)
            let scheduler = TimerScheduler { [weak self] body in
                guard let engine = self?.engine else { return }
                engine.withChat { chat in body(chat) }
            }
            let script = try LuaScript(file: file, source: source, store: store(for: file), scheduler: scheduler,
                                       limits: limits)
            let logger = self.logger
            script.onTimerError = { message in logger.warning("bot timer failed", metadata: ["error": "\(message)"]) }
            do {
                try swapIn(script)
            } catch {
                script.unload()
                throw error
            }
            failures.removeValue(forKey: file)
            logger.info("bot loaded", metadata: ["file": "\(file)", "commands": "\(script.commands.map(\.name))"])
        } catch {
            let message = (error as? LuaFailure)?.message ?? "\(file): \(error)"
            failures[file] = message
            logger.error("bot failed to load", metadata: ["file": "\(file)", "error": "\(message)"])
        }
    }

    /// Registers the new version's commands in place of the old version's,
    /// or leaves the table exactly as it was.
    private func swapIn(_ script: LuaScript) throws {
        let origin = origin(script.file)
        let old = scripts[script.file]
        table.removeAll(from: origin)
        do {
            for command in script.commands {
                try table.register(makeCommand(command, of: script, origin: origin))
            }
        } catch {
            table.removeAll(from: origin)
            if let old {
                for command in old.commands { try? table.register(makeCommand(command, of: old, origin: origin)) }
            }
            throw LuaFailure(message: "\(script.file): \(error)", stoppedByLimit: false)
        }
        hooks.removeAll(from: origin)
        for hook in script.messageHooks {
            hooks.add(MessageHook(origin: origin) { [weak script] context, text in
                guard let script else { return .pass }
                return try script.runMessageHook(hook, text: text, context: context)
            })
        }
        if !script.eventHooks.isEmpty {
            hooks.add(EventHook(origin: origin) { [weak script] chat, event in
                try script?.runEventHooks(event, chat: chat)
            })
        }
        old?.unload()
        scripts[script.file] = script
    }

    private func origin(_ file: String) -> String { "bots/\(file)" }

    private func store(for file: String) -> BotStore {
        if let store = stores[file] { return store }
        let store = BotStore(script: file, values: savedData.removeValue(forKey: file) ?? [:], storage: storage)
        stores[file] = store
        return store
    }

    private func makeCommand(_ command: ScriptCommand, of script: LuaScript, origin: String) -> Command {
        let logger = self.logger
        return Command(name: command.name, aliases: command.aliases, usage: command.usage, summary: command.help,
                       permission: command.permission, origin: origin) { [weak script] context in
            guard let script else { throw ChatError.unknownCommand(command.name, suggestion: nil) }
            do {
                return .reply(try script.run(command, context: context))
            } catch let failure as LuaFailure {
                logger.warning("bot command failed", metadata: [
                    "file": "\(script.file)", "command": "\(command.name)", "error": "\(failure.message)"])
                let detail = context.role == .admin ? failure.message : nil
                throw ChatError.botFailed(command: command.name, detail: detail)
            }
        }
    }
}
