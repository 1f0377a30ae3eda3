@testable import BotEngine
import ChatCore
import Foundation
import Testing

/// The arithmetic of `PasswordLockout` and `LoginLockouts`, and the
/// password queue's slots: what a guesser gets, and what an owner keeps.
@Suite("Password lockouts")
struct LoginLockoutTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func checksInFlightCountSoGuessesSentAtOnceCannotPassTheLimit() {
        var lockout = PasswordLockout(maxFailures: 5, lockFor: 30, maxLock: 600)
        let begun = (0..<6).map { _ in lockout.begin("dora", now: Self.t0) }
        #expect(begun.prefix(5).allSatisfy { $0 == nil })
        #expect(begun.last! != nil)
        for _ in 0..<5 { lockout.finish("dora", matched: false, now: Self.t0) }
        let later = lockout.begin("dora", now: Self.t0.addingTimeInterval(29))
        #expect(later == Self.t0.addingTimeInterval(30))
    }

    @Test func aCancelledCheckGivesItsTryBack() {
        var lockout = PasswordLockout(maxFailures: 1, lockFor: 30, maxLock: 600)
        let first = lockout.begin("x", now: Self.t0), second = lockout.begin("x", now: Self.t0)
        lockout.cancel("x")
        let third = lockout.begin("x", now: Self.t0)
        #expect(first == nil && second != nil && third == nil)
    }

    @Test func aFloodOfKeysDoesNotWipeALock() {
        var lockout = PasswordLockout(maxFailures: 1, lockFor: 600, maxLock: 600)
        lockout.failed("dora", now: Self.t0)
        for i in 0...PasswordLockout.maxTracked { lockout.failed("x\(i)", now: Self.t0) }
        let locked = lockout.locked("dora", now: Self.t0.addingTimeInterval(1))
        #expect(locked != nil)
    }

    /// A crowd of guessers from many addresses locks the name, but not for
    /// the owner at an address the account logged in from before.
    @Test func theOwnerAtAKnownAddressIsNotHeldByTheNamesLock() throws {
        var lockouts = LoginLockouts()
        let home = try lockouts.begin(account: "dora", address: "10.9.9.9", now: Self.t0).get()
        lockouts.finish(home, matched: true, now: Self.t0)
        for i in 0..<20 {
            let guess = try lockouts.begin(account: "dora", address: "10.1.0.\(i)", now: Self.t0).get()
            lockouts.finish(guess, matched: false, now: Self.t0)
        }
        #expect(throws: LoginLockouts.LockedUntil.self) {
            try lockouts.begin(account: "dora", address: "10.2.0.1", now: Self.t0).get()
        }
        #expect(throws: Never.self) { try lockouts.begin(account: "dora", address: "10.9.9.9", now: Self.t0).get() }
    }

    @Test func oneAddressGetsFiveTriesAtANameThenOnePerLock() throws {
        var lockouts = LoginLockouts()
        for _ in 0..<5 {
            let guess = try lockouts.begin(account: "dora", address: "10.1.1.1", now: Self.t0).get()
            lockouts.finish(guess, matched: false, now: Self.t0)
        }
        #expect(throws: LoginLockouts.LockedUntil.self) {
            try lockouts.begin(account: "dora", address: "10.1.1.1", now: Self.t0).get()
        }
        // Another name from the same address is still open, and the name from another address too.
        #expect(throws: Never.self) { try lockouts.begin(account: "ana", address: "10.1.1.1", now: Self.t0).get() }
        #expect(throws: Never.self) { try lockouts.begin(account: "dora", address: "10.3.3.3", now: Self.t0).get() }
    }

    @Test func theQueueKeepsRoomForLoginsAndLimitsEachAddress() {
        var slots = PasswordQueueSlots()
        var taken: [Bool] = []
        for _ in 0..<PasswordQueueSlots.perAddress { taken.append(slots.take(address: "10.0.0.1", kind: .login)) }
        taken.append(slots.take(address: "10.0.0.1", kind: .login))           // a fourth from one address
        for i in 0..<3 { taken.append(slots.take(address: "10.0.1.\(i)", kind: .change)) }
        taken.append(slots.take(address: "10.0.2.1", kind: .change))          // changes stop at 6
        taken.append(slots.take(address: "10.0.2.1", kind: .login))           // logins go on to 8
        taken.append(slots.take(address: "10.0.2.2", kind: .login))
        taken.append(slots.take(address: "10.0.2.3", kind: .login))           // full
        slots.give(address: "10.0.0.1")
        taken.append(slots.take(address: "10.0.0.1", kind: .login))
        #expect(taken == [true, true, true, false, true, true, true, false, true, true, false, true])
    }
}
