import CLua
import Foundation

/// The thread that stops calls past their deadline between instructions
/// (see the watchdog in CLua's shim.h). Every 2 ms it looks at each state's
/// call in progress; an overdue one gets a signal on its thread, whose
/// handler makes the count hook fire at the next instruction. So a call ends
/// at most one instruction (one C call, milliseconds) past its deadline,
/// however the work is spread across instructions.
final class LuaWatchdog: @unchecked Sendable {
    static let shared = LuaWatchdog()

    private let lock = NSLock()
    private var watched: [UnsafeMutablePointer<papo_limits>] = []
    private var thread: Thread?

    private init() {
        papo_install_watchdog()
    }

    func watch(_ limits: UnsafeMutablePointer<papo_limits>) {
        lock.withLock {
            watched.append(limits)
            if thread == nil {
                let thread = Thread { [unowned self] in self.run() }
                thread.name = "papo.lua-watchdog"
                thread.start()
                self.thread = thread
            }
        }
    }

    /// Called before `limits` is freed: the watchdog never touches it again.
    func forget(_ limits: UnsafeMutablePointer<papo_limits>) {
        lock.withLock { watched.removeAll { $0 == limits } }
    }

    private func run() {
        while true {
            let now = papo_now()
            lock.withLock {
                for limits in watched { papo_watchdog_check(limits, now) }
            }
            usleep(2000)
        }
    }
}
