import ChatCore
import Foundation

/// Each user's lines are handled in the order they were sent. When one of
/// them continues off the chat's lock (a Lua command, the message hooks),
/// that user's later lines wait here until it is answered. Nobody else's
/// lines wait: other users are never held up by a script.
final class UserPipeline {
    /// One waiting line, or a front end's action (`ChatEngine.perform`).
    struct Pending {
        var line: String
        var requestID: String?
        var action: ChatEngine.Action? = nil
    }

    private(set) var waiting: [Pending] = []
    /// UTF-8 bytes of the waiting lines.
    private(set) var waitingBytes = 0
    /// True while a line of this user is being handled off the lock.
    var suspended = false
    /// True while the front end holds the user's input (see `holdAt`).
    var holding = false

    /// At this many waiting lines (or `holdAtBytes`) `handle` tells the front
    /// end to stop handing over the user's lines until `resumeInput`: a fast
    /// sender is slowed, not cut. Large enough that a burst goes through the
    /// hooks in big batches (measured: 256 cost a tenth of the fan-out rate).
    static let holdAt = 1024
    static let holdAtBytes = 256 * 1024
    /// Lines one user may have waiting at most, for a front end that does
    /// not hold; past it a line is refused with an error.
    static let maxWaiting = 4096

    func append(_ line: String, requestID: String?, action: ChatEngine.Action? = nil) {
        waiting.append(Pending(line: line, requestID: requestID, action: action))
        waitingBytes += line.utf8.count
    }

    /// Takes the oldest waiting line.
    func takeFirst() -> Pending {
        let first = waiting.removeFirst()
        waitingBytes -= first.line.utf8.count
        return first
    }
}

/// How a line that left the chat's lock comes back: exactly one `finish`
/// or `fail`, from any thread. It answers the line, then handles the
/// user's next waiting lines.
public struct LineContinuation: Sendable {
    let engine: ChatEngine
    public let user: UserID
    let requestID: String?

    /// Runs `body` as the chat's owner and answers with its text (or error).
    public func finish(_ body: @escaping (Chat) throws -> String) {
        engine.resume(self, body)
    }

    public func finish(text: String) {
        finish { _ in text }
    }

    public func fail(_ error: ChatError) {
        finish { _ in throw error }
    }
}

extension ChatEngine {
    /// Holds the caller's later lines until `LineContinuation` comes back.
    /// Under the chat's lock, while the caller's line is being handled.
    func suspend(_ user: UserID, requestID: String?) -> LineContinuation {
        let pipeline = pipelines[user] ?? UserPipeline()
        pipeline.suspended = true
        pipelines[user] = pipeline
        return LineContinuation(engine: self, user: user, requestID: requestID)
    }

    /// True when `user` has a line off the lock or lines waiting behind one:
    /// a new line must wait its turn.
    func mustWait(_ user: UserID) -> Bool {
        guard let pipeline = pipelines[user] else { return false }
        return pipeline.suspended || !pipeline.waiting.isEmpty
    }

    /// Queues a line (or an action) behind the one in progress; false when too many wait.
    func enqueue(_ line: String, from user: UserID, requestID: String?, action: Action? = nil) -> Bool {
        guard let pipeline = pipelines[user], pipeline.waiting.count < UserPipeline.maxWaiting else { return false }
        pipeline.append(line, requestID: requestID, action: action)
        return true
    }

    /// True when the front end should stop handing over `user`'s lines
    /// (and then wait for `resumeInput`). Under the chat's lock.
    func shouldHold(_ user: UserID) -> Bool {
        guard let pipeline = pipelines[user],
              pipeline.waiting.count >= UserPipeline.holdAt || pipeline.waitingBytes >= UserPipeline.holdAtBytes
        else { return false }
        pipeline.holding = true
        return true
    }

    fileprivate func resume(_ continuation: LineContinuation, _ body: @escaping (Chat) throws -> String) {
        resume(continuation.user) { chat in
            guard let endpoint = chat.endpoint(of: continuation.user) else { return }
            let reply: Reply
            do {
                reply = Reply(requestID: continuation.requestID, text: try body(chat), time: chat.now)
            } catch {
                let chatError = error as? ChatError ?? .badRequest(String(describing: error))
                reply = Reply(requestID: continuation.requestID, error: chatError, time: chat.now)
            }
            self.answer(reply, user: continuation.user, endpoint: endpoint)
            // The third wrong password, as when answered at once (`process`).
            if reply.error == .tooManyAttempts { chat.quit(continuation.user) }
        }
    }

    /// Answers `user`'s suspended line(s) through `deliver`, as the chat's
    /// owner, then handles their waiting lines. Nothing for a user gone.
    func resume(_ user: UserID, _ deliver: @escaping (Chat) -> Void) {
        withChat { chat in
            guard chat.endpoint(of: user) != nil else {
                pipelines.removeValue(forKey: user)
                return
            }
            deliver(chat)
            pipelines[user]?.suspended = false
            handleWaitingLines(of: user)
        }
    }

    /// Handles `user`'s waiting lines in order until one leaves the lock
    /// again or none is left. Under the chat's lock.
    func handleWaitingLines(of user: UserID) {
        while let pipeline = pipelines[user], !pipeline.suspended {
            if pipeline.holding && pipeline.waiting.count < UserPipeline.holdAt / 2
                && pipeline.waitingBytes < UserPipeline.holdAtBytes / 2 {
                pipeline.holding = false
                chat.endpoint(of: user)?.resumeInput()
            }
            guard !pipeline.waiting.isEmpty else {
                pipelines.removeValue(forKey: user)
                return
            }
            let next = pipeline.takeFirst()
            if let action = next.action {
                run(action, from: user, requestID: next.requestID)
            } else {
                process(next.line, from: user, requestID: next.requestID)
            }
        }
    }

    /// True while any user's line is being handled off the lock or waits
    /// behind one (for tests and `papo bots test`, which wait for quiet).
    public var hasLinesInFlight: Bool {
        withChat { _ in !pipelines.isEmpty }
    }
}
