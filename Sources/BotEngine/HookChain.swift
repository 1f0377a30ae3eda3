import ChatCore
import Foundation
import Logging

/// A plain line on its way through the message hooks.
struct PendingMessage: Sendable {
    var input: HookInput
    let requestID: String?
    /// Why a hook stopped it, once one has.
    var blocked: String?
    /// What bots say after it, in the order the hooks ran.
    var followUps: [FollowUp] = []
}

/// How plain lines pass the message hooks, off the chat's lock. A user's
/// lines are said in order, so a fast sender's lines would each wait for a
/// round trip to the scripts; instead the lines already waiting right behind
/// the first go with it, as one batch: one trip to each script for them all.
extension ChatEngine {
    /// Most lines in one batch.
    static let maxHookBatch = 1024

    /// Where work that must not run under the chat's lock goes on: a serial
    /// queue of its own, which (unlike the global queues, sized to the
    /// cores) gets a thread even while every script's worker is busy.
    public static let offLock = DispatchQueue(label: "papo.off-lock")

    /// The text a line says, or nil for a command (`//x` says `/x`).
    static func spokenText(_ line: String) -> String? {
        if line.hasPrefix("//") { return String(line.dropFirst()) }
        return line.hasPrefix("/") ? nil : line
    }

    /// Sends `text` and the user's plain lines waiting right behind it
    /// through the hooks; the user's other lines wait for the batch. Under
    /// the chat's lock.
    func sayThroughHooks(_ text: String, requestID: String?, from user: UserID, room: String, notice: Bool = false) {
        let base = HookInput(user: user, userName: chat.name(of: user) ?? "", room: room,
                             role: chat.role(of: user, inRoom: room), text: text, account: AccountRef(chat.account(of: user)),
                             notice: notice)
        var batch = [PendingMessage(input: base, requestID: requestID)]
        // Only plain lines for the current room join the batch (`/em` is a command).
        if let pipeline = pipelines[user], room == chat.roomName(of: user), !notice {
            // A line that looks like a password command is left for `dispatch`, which refuses it.
            while batch.count < Self.maxHookBatch, let first = pipeline.waiting.first, first.action == nil,
                  let spoken = Self.spokenText(first.line), !BuiltinCommands.looksLikePasswordCommand(spoken) {
                let next = pipeline.takeFirst()
                var input = base
                input.text = spoken
                batch.append(PendingMessage(input: input, requestID: next.requestID))
            }
        }
        _ = suspend(user, requestID: nil)
        runHooks(hooks.messageHooks[...], batch, user: user)
    }

    /// Runs `hooks` one after another on `batch`, each off the lock, then
    /// says what is left. A hook that fails, or has not decided within
    /// `hookDeadline`, is skipped as if it had passed: the messages still go
    /// out (its decisions, if they come later, are ignored).
    private func runHooks(_ hooks: ArraySlice<MessageHook>, _ batch: [PendingMessage], user: UserID) {
        let open = batch.indices.filter { batch[$0].blocked == nil }
        guard let hook = hooks.first, !open.isEmpty else {
            resume(user) { chat in self.sayOrRefuse(batch, chat: chat) }
            return
        }
        let once = Once(), calling = Once()
        @Sendable func next(_ decisions: [HookDecision], _ followUps: [[FollowUp]]) {
            // A hook that decides at once, on this thread, would re-enter the
            // chat's lock it is called under: go on from another thread.
            if calling.isOpen {
                Self.offLock.async { next(decisions, followUps) }
                return
            }
            guard once.claim() else { return }
            var batch = batch
            for (index, lines) in zip(open, followUps) { batch[index].followUps += lines }
            for (index, decision) in zip(open, decisions) {
                switch decision {
                case .pass: break
                case .replace(let text): batch[index].input.text = text
                case .block(let reason): batch[index].blocked = reason
                }
            }
            self.runHooks(hooks.dropFirst(), batch, user: user)
        }
        let origin = hook.origin
        Self.hookTimers.asyncAfter(deadline: .now() + hookDeadline) { [self] in
            guard once.isOpen else { return }
            hookTimeouts.note(origin, logger: logger)
            next([], [])
        }
        hook.run(open.map { batch[$0].input }, { next($0, $1) })
        _ = calling.claim()
    }

    /// Says each message of a batch that no hook stopped, in order, and
    /// answers each line; then what bots said because of it (checked and
    /// counted against the bot's flood limits when the script spoke; a
    /// room gone meanwhile drops the line). Under the chat's lock.
    private func sayOrRefuse(_ batch: [PendingMessage], chat: Chat) {
        guard let endpoint = chat.endpoint(of: batch[0].input.user) else { return }
        for message in batch {
            var failure: ChatError?
            if let reason = message.blocked {
                failure = .blockedByBot(reason)
            } else {
                do {
                    try chat.say(message.input.user, message.input.text, in: message.input.room, notice: message.input.notice)
                } catch {
                    failure = error as? ChatError ?? .badRequest(String(describing: error))
                }
            }
            let reply = Reply(requestID: message.requestID, error: failure, text: "", time: chat.now)
            chat.outbox.deliver(.reply(reply), to: [endpoint])
            for line in message.followUps { try? chat.botSay(inRoom: line.room, line.text) }
        }
    }
}

/// True for the first caller of `claim` only; thread-safe.
public final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var open = true

    public init() {}

    public func claim() -> Bool {
        lock.withLock {
            defer { open = false }
            return open
        }
    }

    public var isOpen: Bool { lock.withLock { open } }
}

/// Logs message hooks that ran out of time at most once a second, with how
/// many did since the last line: a slow hook must not grow the log by a
/// line per message.
final class HookTimeoutLog: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    private var since = 0

    func note(_ origin: String, logger: Logger) {
        let count: Int? = lock.withLock {
            since += 1
            guard Date().timeIntervalSince(last) >= 1 else { return nil }
            defer { last = Date(); since = 0 }
            return since
        }
        if let count {
            logger.warning("message hook timed out", metadata: ["origin": "\(origin)", "count": "\(count)"])
        }
    }
}
