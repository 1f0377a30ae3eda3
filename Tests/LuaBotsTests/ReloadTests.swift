import BotEngine
import ChatCore
import Foundation
import LuaBots
import Testing

@Suite("Bots: load and /reload", .timeLimit(.minutes(1)))
struct ReloadTests {
    static let hello = "papo.command{name = 'oi', help = 'diz oi', run = function(ctx) return 'oi, ' .. ctx.user end}"

    @Test func aScriptCommandIsInTheTableAndInHelp() throws {
        let bots = try BotHarness(files: ["oi.lua": Self.hello])
        #expect(bots.send("/oi")?.text == "oi, bia")
        #expect(bots.send("/ajuda")?.text.contains("/oi — diz oi") == true)
    }

    @Test func reloadIsForAdminsOnly() throws {
        let bots = try BotHarness()
        #expect(bots.send("/reload")?.error == .notAdmin)
        #expect(bots.send("/bots")?.error == .notAdmin)
        #expect(bots.send("/reload", as: bots.ana)?.ok == true)
    }

    /// Issue #5's permission matrix for the admin commands, with their
    /// aliases: bia as an ordinary user, as the moderator of a room (also
    /// while in it), and after the admin banned her from it.
    @Test func adminCommandsAreRefusedToModeratorsAndBannedUsersToo() throws {
        let bots = try BotHarness()
        let lines = ["/reload", "/recarregar", "/bots"]
        func refusedToBia(_ situation: String) {
            for line in lines { #expect(bots.send(line)?.error == .notAdmin, "\(situation): \(line)") }
        }
        refusedToBia("an ordinary user")
        #expect(bots.send("/entrar dev")?.ok == true)
        refusedToBia("the moderator of #dev, in #dev")
        #expect(bots.send("/entrar geral")?.ok == true)
        refusedToBia("the moderator of #dev, in #geral")
        #expect(bots.send("/entrar dev")?.ok == true)
        #expect(bots.send("/entrar dev", as: bots.ana)?.ok == true)
        #expect(bots.send("/banir bia", as: bots.ana)?.ok == true)
        refusedToBia("banned from #dev")
    }

    @Test func editsBreakagesAndDeletionsFollowTheFolder() throws {
        let bots = try BotHarness(files: ["oi.lua": Self.hello])
        // Edit: the new version replaces the old.
        try bots.write("oi.lua", "papo.command{name = 'oi', run = function() return 'olá v2' end}")
        _ = bots.send("/reload", as: bots.ana)
        #expect(bots.send("/oi")?.text == "olá v2")
        // Break it: the old version keeps running and the admin sees file and line.
        try bots.write("oi.lua", "papo.command{name = 'oi',\n run = function() return 'v3' end\n")
        let report = bots.send("/reload", as: bots.ana)?.text ?? ""
        #expect(report.contains("oi.lua:3:"), "\(report)")
        #expect(report.contains("a versão anterior continua ativa"))
        #expect(bots.send("/oi")?.text == "olá v2")
        // A new file appears.
        try bots.write("novo.lua", "papo.command{name = 'novo', run = function() return 'novo!' end}")
        _ = bots.send("/reload", as: bots.ana)
        #expect(bots.send("/novo")?.text == "novo!")
        // Deleted: its commands disappear.
        try bots.delete("oi.lua")
        _ = bots.send("/reload", as: bots.ana)
        #expect(bots.send("/oi")?.error?.code == "unknown_command")
        #expect(bots.registry.statuses.map(\.file) == ["novo.lua"])
    }

    @Test func manyReloadsNeverRunACommandTwice() throws {
        let bots = try BotHarness(files: ["oi.lua": Self.hello])
        for _ in 0..<20 { _ = bots.send("/reload", as: bots.ana) }
        let before = bots.outbox.replies(to: bots.bia).count
        _ = bots.send("/oi")
        #expect(bots.outbox.replies(to: bots.bia).count == before + 1)
        #expect(bots.engine.table.all.filter { $0.name == "oi" }.count == 1)
    }

    @Test func aScriptCannotReplaceABuiltinOrAnotherScript() throws {
        let bots = try BotHarness(files: [
            "a.lua": "papo.command{name = 'eco', run = function() return 'a' end}",
            "b.lua": "papo.command{name = 'eco', run = function() return 'b' end}",
            "c.lua": "papo.command{name = 'x', aliases = {'ping'}, run = function() return 'c' end}",
        ])
        #expect(bots.send("/eco")?.text == "a")
        #expect(bots.send("/ping")?.text == "pong")
        let statuses = Dictionary(uniqueKeysWithValues: bots.registry.statuses.map { ($0.file, $0) })
        #expect(statuses["b.lua"]?.error?.contains("/eco já pertence a bots/a.lua") == true)
        #expect(statuses["c.lua"]?.error?.contains("builtin") == true)
        #expect(bots.send("/x")?.error?.code == "unknown_command")
    }

    @Test func aBrokenScriptDoesNotStopTheOthers() throws {
        let bots = try BotHarness(files: [
            "1.lua": "this is not lua",
            "2.lua": "while true do end",
            "3.lua": Self.hello,
        ])
        #expect(bots.send("/oi")?.text == "oi, bia")
        let errors = bots.registry.statuses.compactMap(\.error)
        #expect(errors.count == 2)
        #expect(errors.contains { $0.contains("instruction limit exceeded") })
    }

    @Test func theShippedExampleBotsWork() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: BotHarness.shippedFolder.path)
            .filter { $0.hasSuffix(".lua") }
        var sources: [String: String] = [:]
        for file in files { sources[file] = try BotHarness.shipped(file) }
        let bots = try BotHarness(files: sources)
        #expect(bots.registry.statuses.allSatisfy { $0.error == nil }, "\(bots.registry.statuses)")
        let roll = bots.send("/dado 3d6")?.text ?? ""
        #expect(roll.range(of: #"^bia rolou 3d6: [1-6] \+ [1-6] \+ [1-6] \(total \d+\)$"#, options: .regularExpression) != nil, "\(roll)")
        #expect(bots.send("/dado 99d1")?.text.hasPrefix("Uso:") == true)
        let coin = bots.send("/moeda")?.text ?? ""
        #expect(coin == "bia jogou uma moeda: cara!" || coin == "bia jogou uma moeda: coroa!")
        #expect(bots.send("/sorteio um livro")?.ok == true)
        let raffle = bots.outbox.messages(to: bots.ana).last ?? ""
        #expect(raffle.hasPrefix("bia fez um sorteio de um livro entre 2 pessoas: "), "\(raffle)")
        #expect(raffle.hasSuffix("ana ganhou! 🎉") || raffle.hasSuffix("bia ganhou! 🎉"))
        // Alone in a room: one person, in the singular.
        _ = bots.send("/entrar sozinha")
        #expect(bots.send("/sorteio")?.ok == true)
        #expect(bots.outbox.messages(to: bots.bia).last == "bia fez um sorteio entre 1 pessoa: bia ganhou! 🎉")
    }
}
