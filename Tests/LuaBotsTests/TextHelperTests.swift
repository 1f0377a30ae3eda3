import Foundation
@testable import LuaBots
import Testing

/// `papo.fold`, `papo.same_name`, `papo.words`, `papo.parse_duration` and
/// `papo.format_duration`: the Unicode-aware helpers Lua's byte patterns lack.
@Suite("Text helpers for bots", .timeLimit(.minutes(1)))
struct TextHelperTests {
    @Test(arguments: [
        ("joão++ e JOÃO-- e joa\u{0303}o", ["joão", "e", "JOÃO", "e", "joa\u{0303}o"]),
        ("guarda-chuva d'água, 1º lugar!", ["guarda-chuva", "d'água", "1º", "lugar"]),
        ("fim. começo -x- ...", ["fim", "começo", "x"]),
        ("", []),
        ("日本語 テスト", ["日本語", "テスト"]),
    ])
    func wordsSplitOnUnicodeWordBoundaries(_ text: String, _ expected: [String]) {
        #expect(TextHelpers.words(text) == expected)
    }

    @Test func foldIsTheServersNameComparison() {
        #expect(TextHelpers.fold("JOÃO") == TextHelpers.fold("joa\u{0303}o"))
        #expect(TextHelpers.fold("João") != TextHelpers.fold("Joao"))
        #expect(TextHelpers.fold("Ana") == "ana")
    }

    @Test(arguments: [
        ("1h30m", 5400), ("10m", 600), ("10min", 600), ("45s", 45), ("2d", 172_800), ("90", 90),
        ("1h 30min", 5400), ("1H", 3600),
    ])
    func durationsParse(_ text: String, _ seconds: Int) {
        #expect(TextHelpers.parseDuration(text) == seconds)
        #expect(TextHelpers.parseDuration(TextHelpers.formatDuration(seconds)) == seconds)
    }

    @Test(arguments: ["", "0", "0m", "amanhã", "10x", "1h1h", "m10", "-5m", "999999999999d", "400d", "1.5h"])
    func badDurationsAreRefused(_ text: String) {
        #expect(TextHelpers.parseDuration(text) == nil)
    }

    @Test func formatDurationIsCompact() {
        #expect(TextHelpers.formatDuration(5400) == "1h30m")
        #expect(TextHelpers.formatDuration(90061) == "1d1h1m1s")
        #expect(TextHelpers.formatDuration(0) == "0s")
    }

    /// The karma case that failed with `%a`: the helpers from Lua.
    @Test func fromLuaAccentedNamesCount() throws {
        let bots = try BotHarness(files: ["k.lua": """
            papo.command{name = 'k', run = function(ctx)
              local out = {}
              for _, w in ipairs(papo.words(ctx.args)) do out[#out + 1] = papo.fold(w) end
              local d, why = papo.parse_duration('amanhã')
              return table.concat(out, ',') .. ' ' .. tostring(papo.same_name('JOÃO', 'joão'))
                .. ' ' .. papo.parse_duration('1h30m') .. ' ' .. tostring(d) .. ' ' .. papo.format_duration(600)
                .. ' ' .. tostring(why ~= nil)
            end}
            """])
        #expect(bots.send("/k João++ ação")?.text == "joão,ação true 5400 nil 10m true")
        let wrong = try BotHarness(files: ["w.lua": "papo.command{name = 'w', run = function() return papo.fold({}) end}"])
        #expect(wrong.send("/w")?.error?.code == "bot_error")
    }
}
