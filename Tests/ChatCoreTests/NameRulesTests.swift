import ChatCore
import Testing

/// One row of a validation table.
struct RuleCase: CustomTestStringConvertible, Sendable {
    let input: String
    let expected: Result<String, ChatError>
    var testDescription: String { "\(input.debugDescription) → \(expected)" }
}

@Suite("Name and message rules")
struct NameRulesTests {
    static let userNames: [RuleCase] = [
        RuleCase(input: "ana", expected: .success("ana")),
        RuleCase(input: "  João_2 ", expected: .success("João_2")),
        RuleCase(input: "maria.silva-3", expected: .success("maria.silva-3")),
        RuleCase(input: "", expected: .failure(.nameEmpty)),
        RuleCase(input: "   ", expected: .failure(.nameEmpty)),
        RuleCase(input: String(repeating: "a", count: 25), expected: .failure(.nameTooLong(max: 24))),
        RuleCase(input: String(repeating: "a", count: 24), expected: .success(String(repeating: "a", count: 24))),
        RuleCase(input: "2ana", expected: .failure(.nameInvalid("2ana"))),
        RuleCase(input: "ana bia", expected: .failure(.nameInvalid("ana bia"))),
        RuleCase(input: "/ana", expected: .failure(.nameInvalid("/ana"))),
        RuleCase(input: "an\u{200B}a", expected: .failure(.nameInvalid("an\u{200B}a"))),
        RuleCase(input: "ana\u{1B}[31m", expected: .failure(.nameInvalid("ana\u{1B}[31m"))),
        RuleCase(input: "Papo", expected: .failure(.nameReserved("Papo"))),
        RuleCase(input: "ADMIN", expected: .failure(.nameReserved("ADMIN"))),
    ]

    @Test(arguments: userNames)
    func userName(_ row: RuleCase) {
        #expect(NameRules.userName(row.input) == row.expected)
    }

    static let roomNames: [RuleCase] = [
        RuleCase(input: "jogos", expected: .success("jogos")),
        RuleCase(input: "#Jogos", expected: .success("Jogos")),
        RuleCase(input: "sala-2", expected: .success("sala-2")),
        RuleCase(input: "#", expected: .failure(.roomNameInvalid("#"))),
        RuleCase(input: "sala!", expected: .failure(.roomNameInvalid("sala!"))),
        RuleCase(input: String(repeating: "s", count: 33), expected: .failure(.roomNameInvalid(String(repeating: "s", count: 33)))),
    ]

    @Test(arguments: roomNames)
    func roomName(_ row: RuleCase) {
        #expect(NameRules.roomName(row.input) == row.expected)
    }

    static let messages: [RuleCase] = [
        RuleCase(input: "olá, mundo", expected: .success("olá, mundo")),
        RuleCase(input: "  com\tespaço ", expected: .success("com espaço")),
        RuleCase(input: "", expected: .failure(.messageEmpty)),
        RuleCase(input: "\u{1B}[2J", expected: .failure(.controlCharacters)),
        RuleCase(input: "sino\u{07}", expected: .failure(.controlCharacters)),
        RuleCase(input: "c1\u{9B}31m", expected: .failure(.controlCharacters)),
        RuleCase(input: "gpj.exe\u{202E}", expected: .failure(.controlCharacters)),
        RuleCase(input: "zero\u{200B}width", expected: .failure(.controlCharacters)),
        RuleCase(input: "linha\u{2028}nova", expected: .failure(.controlCharacters)),
        RuleCase(input: "família 👨\u{200D}👩\u{200D}👧", expected: .success("família 👨\u{200D}👩\u{200D}👧")),
        RuleCase(input: String(repeating: "é", count: 2001), expected: .failure(.messageTooLong(max: 2000))),
    ]

    @Test(arguments: messages)
    func messageText(_ row: RuleCase) {
        #expect(NameRules.messageText(row.input) == row.expected)
    }

    @Test func loopbackAddressesAreShared() {
        #expect(AddressRules.isShared("127.0.0.1"))
        #expect(AddressRules.isShared("::1"))
        #expect(!AddressRules.isShared("10.0.0.9"))
    }
}

/// Pairs of names that a reader could or could not tell apart.
@Suite("Name skeletons")
struct SkeletonTests {
    static let lookalikes: [(String, String)] = [
        ("ana", "ANA"), ("ana", "\u{0430}na"), ("joão", "joao"), ("bia", "b1a"), ("Ivan", "lvan"), ("carol", "caroI"),
        ("arnaldo", "amaldo"), ("ana.silva", "anasilva"), ("ana_b", "an-ab"), ("ana", "ａｎａ"), ("oscar", "0scar"),
        ("pedro", "\u{0440}edro"), ("marco", "marc\u{03BF}"), ("wesley", "vvesley"),
    ]
    static let distinct: [(String, String)] = [
        ("ana", "ana2"), ("bia", "bea"), ("caio", "caia"), ("joão", "joana"), ("ana", "anna"),
    ]

    @Test(arguments: lookalikes)
    func lookAlike(_ a: String, _ b: String) {
        #expect(NameRules.skeleton(a) == NameRules.skeleton(b))
    }

    @Test(arguments: distinct)
    func lookDifferent(_ a: String, _ b: String) {
        #expect(NameRules.skeleton(a) != NameRules.skeleton(b))
    }

    @Test func lookAlikesOfReservedNamesAreReserved() {
        #expect(NameRules.userName("p\u{0430}po") == .failure(.nameReserved("p\u{0430}po")))
        #expect(NameRules.userName("Adm1n") == .failure(.nameReserved("Adm1n")))
    }
}
