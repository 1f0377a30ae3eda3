import Foundation
@testable import LuaBots
import Testing

/// Declared arguments (`args`), `papo.error` and subcommands: parsed and
/// checked before the script runs, answered with real error codes.
@Suite("Bot command arguments and subcommands", .timeLimit(.minutes(1)))
struct CommandArgumentTests {
    static let source = """
        papo.command{
          name = 'lembrar',
          args = {{name = 'tempo', type = 'duration', max = 86400}, {name = 'texto', type = 'rest'}},
          run = function(ctx) return ctx.args.tempo .. ' ' .. ctx.args.texto .. ' [' .. ctx.raw .. ']' end,
        }
        papo.command{
          name = 'soma',
          args = {{name = 'n', type = 'int', min = 1, max = 10}, {name = 'passo', type = 'number', default = 0.5}},
          run = function(ctx) return math.type(ctx.args.n) .. ' ' .. ctx.args.n .. ' ' .. ctx.args.passo end,
        }
        papo.command{
          name = 'jogo',
          args = {{name = 'mao', type = 'choice', choices = {'pedra', 'papel', 'tesoura'}},
                  {name = 'quem', type = 'user', online = true, optional = true},
                  {name = 'sala', type = 'room', optional = true}},
          run = function(ctx) return ctx.args.mao .. ' ' .. tostring(ctx.args.quem) .. ' ' .. tostring(ctx.args.sala) end,
        }
        papo.command{
          name = 'regras',
          help = 'mostra as regras da sala',
          run = function(ctx)
            if ctx.raw ~= '' then return papo.error('not_found', 'Não há regra ' .. ctx.raw .. '.') end
            return 'Sejam gentis.'
          end,
          subcommands = {
            {name = 'definir', aliases = {'set'}, role = 'moderator', help = 'muda as regras',
             args = {{name = 'texto', type = 'rest'}},
             run = function(ctx) return ctx.subcommand .. ': ' .. ctx.args.texto end},
            {name = 'ver', run = function(ctx) return 'ver ' .. ctx.command end},
          },
        }
        """

    @Test(arguments: [
        ("/lembrar 1h30m pizza no forno", nil, "5400 pizza no forno [1h30m pizza no forno]"),
        ("/lembrar amanhã pizza", "invalid_argument",
         "<tempo>: \"amanhã\" não é uma duração (30s, 10m, 1h30m, 2d). Uso: /lembrar <tempo> <texto...>"),
        ("/lembrar 2d pizza", "invalid_argument", "<tempo>: \"2d\" é maior que 1d. Uso: /lembrar <tempo> <texto...>"),
        ("/lembrar 10m", "missing_argument", "Falta <texto>. Uso: /lembrar <tempo> <texto...>"),
        ("/lembrar", "missing_argument", "Falta <tempo>. Uso: /lembrar <tempo> <texto...>"),
        ("/soma 3", nil, "integer 3 0.5"),
        ("/soma 3 2,5", nil, "integer 3 2.5"),
        ("/soma 11", "invalid_argument", "<n>: \"11\" é maior que 10. Uso: /soma <n> [passo]"),
        ("/soma três", "invalid_argument", "<n>: \"três\" não é um número inteiro. Uso: /soma <n> [passo]"),
        ("/soma 3 1 2", "invalid_argument", "argumento a mais: \"2\". Uso: /soma <n> [passo]"),
        ("/jogo PEDRA", nil, "pedra nil nil"),
        ("/jogo papel ANA #GERAL", nil, "papel ana geral"),
        ("/jogo lagarto", "invalid_argument", "<mao>: \"lagarto\" não é pedra, papel, tesoura. Uso: /jogo <pedra|papel|tesoura> [quem] [sala]"),
        ("/jogo pedra zeca", "no_such_user", nil),
        ("/jogo pedra ana cafe", "no_such_room", nil),
        ("/regras", nil, "Sejam gentis."),
        ("/regras 3", "not_found", "Não há regra 3."),
        ("/regras ver", nil, "ver regras"),
        ("/regras definir Sem spam", "not_moderator", nil),
    ] as [(String, String?, String?)])
    func argumentsAreParsedBeforeTheScriptRuns(_ line: String, _ code: String?, _ text: String?) throws {
        let bots = try BotHarness(files: ["a.lua": Self.source])
        let reply = try #require(bots.send(line))
        #expect(reply.error?.code == code, "\(reply)")
        if let text { #expect((reply.error?.message ?? reply.text) == text) }
    }

    @Test func aSubcommandHasItsOwnRole() throws {
        let bots = try BotHarness(files: ["a.lua": Self.source])
        _ = bots.send("/entrar cafe")
        #expect(bots.send("/regras SET Sem spam")?.text == "definir: Sem spam")
        #expect(bots.send("/regras definir")?.error?.code == "missing_argument")
        let help = bots.send("/ajuda regras")?.text ?? ""
        #expect(help.contains("/regras definir <texto...> — muda as regras (moderadores)"), "\(help)")
        #expect(bots.send("/ajuda lembrar")?.text.hasPrefix("/lembrar <tempo> <texto...> —") == true)
    }

    @Test(arguments: [
        ("args = {{name = 'x', tipo = 'int'}}", "campo desconhecido 'tipo'"),
        ("args = {{name = 'x', type = 'inteiro'}}", "'type' deve ser word, int"),
        ("args = {{name = 'r', type = 'rest'}, {name = 'x'}}", "rest deve ser o último"),
        ("args = {{name = 'x', optional = true}, {name = 'y'}}", "opcionais só podem vir depois"),
        ("args = {{name = 'x', type = 'choice'}}", "precisa de 'choices'"),
        ("args = {{name = 'x', min = 1}}", "'min' é um número, só para int"),
        ("args = {{name = 'X'}}", "'name' deve ser um identificador"),
        ("subcommands = {{name = 'a', run = function() end}, {name = 'A', run = function() end}}", "repetido 'A'"),
        ("subcommands = {{name = 'a', rol = 'admin', run = function() end}}", "campo desconhecido 'rol'"),
        ("subcommands = {{name = 'a'}}", "falta a função 'run' de /a"),
    ])
    func aWrongDeclarationFailsTheLoad(_ fields: String, _ expected: String) throws {
        let bots = try BotHarness(files: ["d.lua": "papo.command{name = 'x', \(fields), run = function() end}"])
        let error = bots.registry.statuses.first?.error ?? ""
        #expect(error.contains(expected), "\(error)")
    }

    @Test func papoErrorRefusesABadCode() throws {
        let bots = try BotHarness(files: ["e.lua": """
            papo.command{name = 'e', run = function(ctx) return papo.error(ctx.raw, 'x') end}
            papo.command{name = 'f', run = function() return setmetatable({code = 'x_y', text = 'falso'}, {}) end}
            """])
        #expect(bots.send("/e Not Snake")?.error?.code == "bot_error")
        #expect(bots.send("/e ok_code")?.error?.code == "ok_code")
        // A table that only looks like one is not an error answer.
        #expect(bots.send("/f")?.error?.code == "bot_error")
    }
}
