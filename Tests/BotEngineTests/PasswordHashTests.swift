import BotEngine
import Foundation
import Testing

/// The admin password is kept as an scrypt hash; these check the stored
/// form both ways and that bad forms are refused, not misread.
@Suite("Admin credential")
struct PasswordHashTests {
    static let credential = try! PasswordHash.hashing("segredo", logRounds: 10)

    @Test func theRightPasswordAndOnlyItMatches() {
        #expect(Self.credential.verify("segredo"))
        for wrong in ["", "Segredo", "segred", "segredo ", "segredo2", String(repeating: "s", count: 5000)] {
            #expect(!Self.credential.verify(wrong), "\(wrong.prefix(20))")
        }
    }

    @Test func theStoredFormReadsBackAndHoldsNoPassword() throws {
        let stored = Self.credential.storedForm
        #expect(stored.hasPrefix("scrypt$10$8$1$"))
        #expect(!stored.contains("segredo"))
        #expect(try PasswordHash(stored: stored).verify("segredo"))
        // The same password hashes differently each time (a fresh salt).
        #expect(try PasswordHash.hashing("segredo", logRounds: 10).storedForm != stored)
    }

    @Test func aPlainPasswordIsHashedOnLoad() throws {
        let loaded = try PasswordHash(stored: "segredo")
        #expect(loaded.storedForm.hasPrefix("scrypt$14$"))
        #expect(loaded.verify("segredo"))
    }

    @Test(arguments: [
        "scrypt$", "scrypt$14$8$1$c2FsdA==$a2V5", "scrypt$9$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "scrypt$14$8$1$!!!$???", "scrypt$14$0$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "scrypt$14$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$extra",
    ])
    func aMalformedHashIsRefused(_ stored: String) {
        #expect(throws: PasswordHash.Invalid.self) { try PasswordHash(stored: stored) }
    }
}
