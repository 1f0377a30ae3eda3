import BotEngine
import ChatCore
import Foundation
import Logging

/// A loaded script with the worker that runs it and its throttled log.
final class LoadedScript: @unchecked Sendable {
    let script: LuaScript
    let worker: ScriptWorker
    let log: LogThrottle
    let health = ScriptHealth()
    private let lock = NSLock()
    private var refused = 0

    /// Says and whispers refused by flood control so far, for `/bots`.
    var floodRefused: Int { lock.withLock { refused } }

    func noteFlood(_ why: String) {
        lock.withLock { refused += 1 }
        log.warning("bot output refused by flood control", metadata: ["file": "\(file)", "why": "\(why)"])
    }

    /// The bot's store, bound once the script's top level has run (so to
    /// its declared name): what other threads use, never `script.store`.
    let store: BotStore

    init(script: LuaScript, worker: ScriptWorker, log: LogThrottle) {
        self.script = script
        store = script.store
        self.worker = worker
        self.log = log
    }

    /// A failure: logged (throttled) and kept for `/bots`.
    func failed(_ what: Logger.Message, error: String, metadata: Logger.Metadata = [:]) {
        health.failed(error)
        log.warning(what, metadata: metadata.merging(["file": "\(file)", "error": "\(error)"]) { $1 })
    }

    var file: String { script.file }
}

/// The Lua bots of one folder, registered into the engine's command table.
/// `reload()` is all-or-nothing per script: a new version is compiled and its
/// commands checked off to the side, and swapped in only if all is well;
/// otherwise the running version stays.
///
/// No Lua ever runs under the chat's lock: each script's calls run on its
/// own `ScriptWorker`, files compile on the caller's thread (or the loader
/// queue for `/reload`), and only the swap itself, which runs no script,
/// happens as the chat's owner.
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
        /// Says and whispers refused by the bot's flood limits so far.
        public var floodRefused: Int = 0
        /// Commands, hooks and timers of the running version that failed, and the last failure.
        public var failures: Int = 0
        public var lastFailure: String?
        /// Rooms whose moderators switched the bot off there (`/bot desligar`).
        public var roomsOff: [String] = []
    }

    /// The recent log lines of a loaded script (`papo.log` and failures),
    /// and whether `admin` now follows new ones; nil for no such script.
    public func log(of file: String, follow admin: UserID?) -> (lines: [String], following: Bool)? {
        guard let loaded = lock.withLock({ scripts[file] ?? scripts[file + ".lua"] }) else { return nil }
        let following = admin.map { loaded.health.follow($0, true) } ?? false
        return (loaded.health.recentLines, following)
    }

    /// Stops sending any script's lines to `admin`.
    public func unfollowAll(_ admin: UserID) {
        for loaded in lock.withLock({ Array(scripts.values) }) { loaded.health.forget(admin) }
    }

    public let directory: URL
    private let table: CommandTable
    private let hooks: HookTable
    private let limits: LuaState.Limits
    private let logger: Logger
    /// Guards `scripts`, `failures`, `stores` and `savedData`; taken under
    /// the chat's lock or alone, never the other way round.
    private let lock = NSLock()
    private var scripts: [String: LoadedScript] = [:]
    private var failures: [String: String] = [:]
    /// Workers of versions being retired (their `unload` hooks may still run).
    private var retiring: [ScriptWorker] = []
    /// One `/reload` at a time, off the chat's lock.
    private let loader = DispatchQueue(label: "papo.bots.loader")

    /// The engine whose chat scripts reach; see `attach(to:)`.
    private weak var engine: ChatEngine?
    private var defaultRoom = "geral"
    private let storage: (any ChatStorage)?
    /// Each bot's store, by owner (its declared name, or its file's); kept across reloads.
    private var stores: [String: BotStore] = [:]
    private var savedData: [String: [BotValueKey: String]]
    /// The virtual clock of a scenario test, or nil for real time.
    private let clock: VirtualClock?

    /// - Parameter storage: where scripts' stored values live (the chat's
    ///   database); nil keeps them in memory only.
    /// - Parameter cpu: how much CPU each script may use over time.
    /// - Parameter clock: a scenario's virtual clock for timers and the
    ///   scripts' `os.time` (tests only); nil for real time.
    public init(directory: URL, table: CommandTable, hooks: HookTable, storage: (any ChatStorage)? = nil,
                cpu: BotCPULimits = BotCPULimits(), logger: Logger = Logger(label: "papo.bots"),
                clock: VirtualClock? = nil) throws {
        self.directory = directory
        self.clock = clock
        self.table = table
        self.hooks = hooks
        self.storage = storage
        self.savedData = try storage?.loadBotData() ?? [:]
        self.limits = LuaState.Limits(cpu: cpu)
        self.logger = logger
    }

    /// Lets scripts reach `engine`'s chat. Call before loading.
    public func attach(to engine: ChatEngine) {
        self.engine = engine
        defaultRoom = engine.withChat { $0.defaultRoom }
    }

    /// Loads every `*.lua` file; files gone since the last load are unloaded
    /// with their commands. Blocks while the files compile; never call it
    /// as the chat's owner (it takes the chat's lock to swap them in).
    @discardableResult
    public func reload() -> [Status] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let wanted = Set(files.filter { $0.hasSuffix(".lua") })
        let compiled = wanted.sorted().map { file in (file, compile(file)) }
        let swap = {
            self.lock.withLock {
                for gone in Set(self.scripts.keys).subtracting(wanted) { self.unload(gone) }
                self.failures = self.failures.filter { wanted.contains($0.key) }
                for (file, result) in compiled { self.install(file, result) }
            }
        }
        if let engine { engine.withChat { _ in swap() } } else { swap() }
        return statuses
    }

    /// `reload()` on the loader queue, then `completion` with the report.
    func reloadLater(_ completion: @escaping ([Status]) -> Void) {
        loader.async { completion(self.reload()) }
    }

    public var statuses: [Status] {
        lock.withLock {
            Set(scripts.keys).union(failures.keys).sorted().map { file in
                let script = scripts[file]?.script
                return Status(file: file, commands: script?.commands.map(\.name) ?? [],
                              messageHooks: (script?.messageHooks.count ?? 0) + (script?.eventHooks.count ?? 0),
                              error: failures[file], floodRefused: scripts[file]?.floodRefused ?? 0,
                              failures: scripts[file]?.health.errors ?? 0, lastFailure: scripts[file]?.health.lastError,
                              roomsOff: scripts[file]?.roomsOff ?? [])
            }
        }
    }

    /// Every loaded script.
    var loadedScripts: [LoadedScript] { lock.withLock { Array(scripts.values) } }

    /// The commands (with their examples) of a loaded file.
    func loadedCommands(of file: String) -> [ScriptCommand] {
        lock.withLock { scripts[file]?.script.commands ?? [] }
    }

    /// The scenarios a loaded file declared, and what was wrong with any of
    /// its test declarations.
    func loadedTests(of file: String) -> (tests: [BotScenario], errors: [String]) {
        lock.withLock { scripts[file].map { ($0.script.tests, $0.script.testErrors) } ?? ([], []) }
    }

    /// Matches `text` against a Lua pattern inside `file`'s state, on its
    /// worker. Not as the chat's owner.
    func matches(_ text: String, pattern: String, file: String) throws -> Bool {
        guard let loaded = lock.withLock({ scripts[file] }) else { return false }
        return try loaded.worker.sync { Result { try loaded.script.matches(text, pattern: pattern) } }.get()
    }

    /// Waits until no script has work queued or running and no user's line
    /// waits for one (tests and `papo bots test`). Not as the chat's owner.
    public func waitUntilIdle() {
        while true {
            loader.sync {}
            let workers = lock.withLock { scripts.values.map(\.worker) + retiring }
            for worker in workers { worker.waitUntilIdle() }
            let busy = workers.contains { $0.pending > 0 } || (engine?.hasLinesInFlight ?? false)
            if !busy { return }
            usleep(1000)
        }
    }

    /// Unloads everything (server shutdown), waiting for calls in progress.
    /// Not as the chat's owner.
    public func unloadAll() {
        let all: [LoadedScript] = {
            let detach = {
                self.lock.withLock { () -> [LoadedScript] in
                    let all = Array(self.scripts.values)
                    for file in Array(self.scripts.keys) { self.unload(file) }
                    return all
                }
            }
            if let engine { return engine.withChat { _ in detach() } }
            return detach()
        }()
        for loaded in all { loaded.worker.waitUntilIdle() }
    }

    /// Takes `file`'s commands and hooks out and retires its script once
    /// the calls queued for it have run. Under `lock` (and the chat's).
    private func unload(_ file: String) {
        table.removeAll(from: origin(file))
        hooks.removeAll(from: origin(file))
        if let old = scripts.removeValue(forKey: file) { retire(old) }
        failures.removeValue(forKey: file)
    }

    /// Runs the old version's `unload` hooks (if it was ever loaded) and
    /// unloads it on its worker, then `then` (the new version's `load`, so
    /// goodbyes come first). `waitUntilIdle` waits for it too. Under `lock`.
    private func retire(_ old: LoadedScript, wasLoaded: Bool = true, then: @escaping @Sendable () -> Void = {}) {
        retiring.append(old.worker)
        old.worker.submit(.normal, unbounded: true) {
            if wasLoaded {
                do { try old.script.runLifecycle("unload") } catch { old.failed("unload hook failed", error: "\(error)") }
            }
            old.script.unload()
            then()
            self.lock.withLock { self.retiring.removeAll { $0 === old.worker } }
        }
    }

    /// Compiles and runs `file`'s top level on this thread, off the chat's
    /// lock: the new version, not yet visible to anyone.
    private func compile(_ file: String) -> Result<LoadedScript, LuaFailure> {
        let url = directory.appendingPathComponent(file)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              (attributes[.size] as? Int ?? 0) <= 256 * 1024 else {
            return .failure(LuaFailure(message: "\(file): arquivo ausente ou maior que 256 KiB", stoppedByLimit: false))
        }
        do {
            let source = try String(contentsOf: url, encoding: .utf8)
            let worker = ScriptWorker(label: file)
            let scheduler = TimerScheduler(clock: clock)
            let log = LogThrottle(logger: logger)
            let box = Box<LoadedScript>()
            scheduler.due = { id in
                guard let loaded = box.value else { return scheduler.fired(id) }
                let accepted = loaded.worker.submit(.normal) {
                    scheduler.fired(id)
                    do {
                        try loaded.script.fireTimer(id)
                    } catch {
                        loaded.failed("bot timer failed", error: "\(error)")
                    }
                }
                if !accepted { scheduler.fired(id) }
            }
            let script = try LuaScript(file: file, source: source, stores: { [weak self] owner in
                self?.store(owner: owner, file: file) ?? BotStore(owner: owner, saved: [:], storage: nil)
            }, scheduler: scheduler, limits: limits, clock: clock, dataFolder: dataFolder(of: file))
            script.defaultRoom = defaultRoom
            script.chat = { [weak engine] body in engine?.withChat { chat in body(chat) } }
            let loaded = LoadedScript(script: script, worker: worker, log: log)
            script.onFlood = { [weak loaded] why in loaded?.noteFlood(why) }
            script.roomIsOff = { [weak loaded] room in loaded?.isOff(inRoom: room) ?? false }
            script.onLog = { [weak loaded] text in
                guard let loaded else { return }
                loaded.health.logged(text)
                loaded.log.warning("bot log", metadata: ["file": "\(loaded.file)", "text": "\(BotText.oneLine(text, maxCharacters: 300))"])
            }
            loaded.health.deliver = { [weak engine] line, admins in
                engine?.withChat { chat in
                    let endpoints = admins.compactMap { chat.endpoint(of: $0) }
                    chat.outbox.deliver(.reply(Reply(text: "\(file): \(line)", time: chat.now, unprompted: true)),
                                        to: endpoints)
                }
            }
            box.value = loaded
            return .success(loaded)
        } catch let failure as LuaFailure {
            return .failure(failure)
        } catch {
            return .failure(LuaFailure(message: "\(file): \(error)", stoppedByLimit: false))
        }
    }

    /// Swaps a compiled file in, or records why it failed. Under `lock` and
    /// the chat's lock; runs no script.
    private func install(_ file: String, _ result: Result<LoadedScript, LuaFailure>) {
        do {
            let loaded = try result.get()
            try swapIn(loaded)
            failures.removeValue(forKey: file)
            logger.info("bot loaded", metadata: ["file": "\(file)", "commands": "\(loaded.script.commands.map(\.name))"])
        } catch {
            if case .success(let loaded) = result { retire(loaded, wasLoaded: false) }
            let message = (error as? LuaFailure)?.message ?? "\(file): \(error)"
            failures[file] = message
            logger.error("bot failed to load", metadata: ["file": "\(file)", "error": "\(message)"])
        }
    }

    /// Registers the new version's commands in place of the old version's,
    /// or leaves the table exactly as it was.
    private func swapIn(_ loaded: LoadedScript) throws {
        let script = loaded.script
        let origin = origin(script.file)
        let old = scripts[script.file]
        // One bot name, one data owner: a second file claiming it would share the data.
        if let name = script.botName,
           let other = scripts.values.first(where: { $0.file != script.file && $0.script.botName == name }) {
            throw LuaFailure(message: "\(script.file): papo.bot: o nome '\(name)' já é de \(other.file)", stoppedByLimit: false)
        }
        table.removeAll(from: origin)
        do {
            for command in script.commands {
                try table.register(makeCommand(command, of: loaded, origin: origin))
            }
        } catch {
            table.removeAll(from: origin)
            if let old {
                for command in old.script.commands { try? table.register(makeCommand(command, of: old, origin: origin)) }
            }
            throw LuaFailure(message: "\(script.file): \(error)", stoppedByLimit: false)
        }
        hooks.removeAll(from: origin)
        if !script.messageHooks.isEmpty {
            hooks.add(makeMessageHook(of: loaded, origin: origin))
        }
        if !script.eventHooks.isEmpty {
            hooks.add(EventHook(origin: origin, kinds: script.eventKinds) { [weak loaded] event in
                guard let loaded, !loaded.isOff(inRoom: event.room) else { return }
                let accepted = loaded.worker.submit(.normal) {
                    do {
                        try loaded.script.runEventHooks(event)
                    } catch {
                        loaded.failed("event hook failed", error: "\(error)")
                    }
                }
                if !accepted {
                    loaded.log.warning("event dropped: the script is busy", metadata: ["file": "\(loaded.file)"])
                }
            })
        }
        scripts[script.file] = loaded
        let start: @Sendable () -> Void = { [weak loaded] in
            guard let loaded else { return }
            loaded.worker.submit(.normal, unbounded: true) {
                do { try loaded.script.runLifecycle("load") } catch { loaded.failed("load hook failed", error: "\(error)") }
            }
        }
        if let old { retire(old, then: start) } else { start() }
    }

    /// The script's message hooks as one: they run on its worker, in the
    /// order declared, ahead of its other work, and a message waits for all
    /// of them together at most the engine's deadline (so a script with
    /// eight slow hooks costs a message no more than one). A hook that
    /// fails lets the message pass; a block ends the message's turn.
    private func makeMessageHook(of loaded: LoadedScript, origin: String) -> MessageHook {
        MessageHook(origin: origin) { [weak loaded, weak engine] inputs, decide in
            // Never decided on this thread: the engine may hold the chat's lock.
            let refuse = { ChatEngine.offLock.async { decide([], []) } }
            guard let loaded else { return refuse() }
            let latest = CPUBudget.now() + (engine?.hookDeadline ?? 0.1)
            let accepted = loaded.worker.submit(.urgent) {
                var decisions: [HookDecision] = []
                var followUps: [[FollowUp]] = []
                for input in inputs {
                    // Past the engine's deadline it has moved on: run no more.
                    guard CPUBudget.now() < latest else { break }
                    if loaded.isOff(inRoom: input.room) {
                        decisions.append(.pass)
                        followUps.append([])
                        continue
                    }
                    let outcome = loaded.script.runMessageHooks(input, until: latest) { error in
                        loaded.failed("message hook failed", error: "\(error)")
                    }
                    decisions.append(outcome.decision)
                    followUps.append(outcome.followUps)
                }
                decide(decisions, followUps)
            }
            if !accepted { refuse() }
        }
    }

    private func origin(_ file: String) -> String { "bots/\(file)" }

    /// `bots/quiz/` for `quiz.lua`: a direct child of the bots folder, and
    /// only for a plain name (never `..` or `.`).
    private func dataFolder(of file: String) -> URL? {
        let stem = String(file.dropLast(4))
        guard stem.range(of: "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", options: .regularExpression) != nil else { return nil }
        return directory.appendingPathComponent(stem, isDirectory: true)
    }

    /// The store of the bot `owner`, made on first use. A bot that has just
    /// declared its name (`papo.bot`) and has no data yet adopts a copy of
    /// what its file stored under the file's name, so adding `papo.bot{}`
    /// to an existing script keeps its data (the file's rows stay, so a
    /// new version that then fails to load loses nothing). A name another
    /// loaded file holds gets a throwaway store: that file's data is never
    /// handed to a second one, which `swapIn` then refuses.
    private func store(owner: String, file: String) -> BotStore {
        let (store, adopted): (BotStore, [BotValueKey: String]) = lock.withLock {
            if owner != file, scripts.values.contains(where: { $0.file != file && $0.script.botName == owner }) {
                return (BotStore(owner: owner, saved: [:], storage: nil), [:])
            }
            if let store = stores[owner] { return (store, [:]) }
            var saved = savedData.removeValue(forKey: owner) ?? [:]
            var adopted: [BotValueKey: String] = [:]
            if saved.isEmpty, owner != file {
                adopted = stores[file]?.saved ?? savedData[file] ?? [:]
                saved = adopted
            }
            let store = BotStore(owner: owner, saved: saved, storage: storage)
            stores[owner] = store
            return (store, adopted)
        }
        for (key, json) in adopted { storage?.record(.botValue(owner: owner, key, value: json)) }
        return store
    }

    /// Commands that wait longer than this for their script's worker are
    /// answered `bot_busy` instead of run.
    static let maxCommandWait = 2.0
    private static let commandTimers = DispatchQueue(label: "papo.bots.command-waits")

    /// The table entry of a script command: it takes the caller's line off
    /// the chat's lock and runs on the script's worker; the answer comes
    /// back through the line's continuation.
    private func makeCommand(_ command: ScriptCommand, of loaded: LoadedScript, origin: String) -> Command {
        let file = loaded.file
        return Command(name: command.name, aliases: command.aliases, usage: command.usage, summary: command.help,
                       permission: command.permission, origin: origin,
                       details: command.subcommandLines) { [weak loaded] context in
            guard let loaded else { throw ChatError.unknownCommand(command.name, suggestion: nil) }
            if let room = context.chat.roomName(of: context.caller), loaded.isOff(inRoom: room) {
                throw ChatError.botError(code: "bot_off", message: "O bot \(loaded.botName) está desligado em #\(room).")
            }
            let caller = try Self.snapshot(context, command)
            let chosen = command.select(context.arguments).command
            let continuation = context.suspend()
            // Whichever comes first: the worker starts the command, or the
            // wait runs out and the caller is told the bot is busy.
            let started = Once()
            Self.commandTimers.asyncAfter(deadline: .now() + Self.maxCommandWait) {
                if started.claim() { continuation.fail(.botBusy(script: file)) }
            }
            let accepted = loaded.worker.submit(.normal) {
                guard started.claim() else { return }
                do {
                    continuation.finish(text: try loaded.script.run(chosen, caller: caller))
                } catch let refusal as CommandRefusal {
                    continuation.fail(.botError(code: refusal.code, message: refusal.message))
                } catch {
                    let message = (error as? LuaFailure)?.message ?? "\(file): \(error)"
                    loaded.failed("bot command failed", error: message, metadata: ["command": "\(command.name)"])
                    continuation.fail(.botFailed(command: command.name, detail: caller.role == .admin ? message : nil))
                }
            }
            if !accepted, started.claim() {
                // Answered from another thread: this one holds the chat's lock.
                ChatEngine.offLock.async { continuation.fail(.botBusy(script: file)) }
            }
            return .deferred
        }
    }
}

extension BotRegistry {
    /// The caller, the (sub)command picked and its declared arguments,
    /// taken under the chat's lock: a call its role may not make, or whose
    /// arguments do not parse, is answered here, before any Lua runs.
    static func snapshot(_ context: CommandContext, _ command: ScriptCommand) throws -> CallerSnapshot {
        var caller = CallerSnapshot(context)
        caller.command = command.name
        let (chosen, rest, sub) = command.select(context.arguments)
        guard let sub else {
            if let arguments = command.arguments {
                caller.values = try arguments.parse(context.arguments, synopsis: "/\(command.name) \(command.usage)",
                                                    chat: context.chat)
            }
            return caller
        }
        try ChatEngine.checkPermission(chosen.permission, role: context.role, room: context.chat.roomName(of: context.caller))
        caller.subcommand = sub
        caller.arguments = rest
        caller.words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).prefix(64).map(String.init)
        if let arguments = chosen.arguments {
            caller.values = try arguments.parse(rest, synopsis: "/\(command.name) \(sub) \(chosen.usage)", chat: context.chat)
        }
        return caller
    }
}

/// A reference filled in after the closures that need it are made.
final class Box<T: AnyObject>: @unchecked Sendable {
    private let lock = NSLock()
    private weak var stored: T?

    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
