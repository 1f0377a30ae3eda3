import ChatCore
import Testing

@Suite("Name patterns for bans and exceptions")
struct NamePatternTests {
    @Test(arguments: [
        ("ba*", "bar", true), ("ba*", "ba", true), ("ba*", "abar", false), ("*ar", "bar", true),
        ("b?r", "bar", true), ("b?r", "br", false), ("*", "qualquer", true), ("a*b*c", "axxbyyc", true),
        ("a*b*c", "axxbyy", false), ("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaa", false), ("josé*", "joséfina", true),
        ("bia", "bia", true), ("bia", "bianca", false), ("", "", true), ("?", "", false),
    ] as [(String, String, Bool)])
    func matches(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(NamePattern.matches(pattern, name) == expected)
    }

    @Test(arguments: [
        ("ba*", "ba*"), ("  b?a ", "b?a"), ("*", "*"), ("ana", "ana"),
    ] as [(String, String)])
    func acceptsNamesAndWildcards(_ raw: String, _ expected: String) throws {
        #expect(try NamePattern.validate(raw).get() == expected)
    }

    @Test(arguments: ["", "a b*", "ba*!", "x@*", String(repeating: "a", count: 25) + "*"])
    func refusesWhatNoNameHas(_ raw: String) {
        #expect(throws: ChatError.self) { try NamePattern.validate(raw).get() }
    }
}
