import Foundation
import LuaBots
import Testing

@Suite("Examples next to commands (papo bots test)", .timeLimit(.minutes(1)))
struct ExampleTests {
    /// `swift test` runs every example of every shipped bot.
    @Test func everyShippedExamplePasses() throws {
        let results = try ExampleRunner.run(directory: BotHarness.shippedFolder)
        #expect(results.count >= 10)
        for result in results {
            #expect(result.passed, "\(result.line)")
        }
    }

    @Test func aWrongExampleFailsWithAReadableReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("papo-ex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            papo.command{name = 'eco', run = function(ctx) return ctx.args end, examples = {
              {input = '/eco oi', output = 'oi'},
              {input = '/eco oi', output = 'tchau'},
              {input = '/eco abc', matches = '^%d+$'},
              {input = '/eco', error = 'bot_error'},
              {input = '/reload', error = 'not_admin'},
              {input = '/reload', as = 'admin', matches = '^Bots recarregados'},
            }}
            """.write(to: folder.appendingPathComponent("eco.lua"), atomically: true, encoding: .utf8)
        try "this is not lua".write(to: folder.appendingPathComponent("ruim.lua"), atomically: true, encoding: .utf8)
        let results = try ExampleRunner.run(directory: folder)
        #expect(results.map(\.passed) == [true, false, false, false, true, true, false])
        #expect(results[1].line == "✗ eco.lua /eco oi — esperava \"tchau\", veio \"oi\"")
        #expect(results[2].failure == "\"abc\" não casa com o padrão \"^%d+$\"")
        #expect(results[3].failure == "esperava o erro bot_error, veio sucesso: \"\"")
        #expect(results[6].file == "ruim.lua" && results[6].failure?.contains("ruim.lua:1:") == true)
    }
}
