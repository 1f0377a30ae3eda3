import Foundation
import LuaBots
import Testing

/// `papo.test{...}` scenarios and the checks `papo bots test` makes of a
/// bots folder: what passes, and that each kind of mistake fails with a
/// reason that names it.
@Suite("Scenario tests (papo bots test)", .timeLimit(.minutes(1)))
struct ScenarioTests {
    /// A folder holding `files`, run through `papo bots test`.
    private func run(_ files: [String: String]) throws -> [ExampleRunner.Result] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("papo-sc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, source) in files {
            try source.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try ExampleRunner.run(directory: folder)
    }

    /// A round of a quiz: a command, a hook, a timer on the virtual clock,
    /// a whisper on an event, a reload.
    static let quiz = """
        local round
        papo.command{name = 'quiz', run = function(ctx)
          if round then return 'Já tem uma rodada.' end
          round = papo.after(30, function() round = nil; papo.say('Tempo esgotado! A resposta era: 4') end)
          papo.say('Quanto é 2+2? (' .. os.date('!%H:%M', os.time()) .. ')')
        end}
        papo.on_message(function(msg)
          if round and msg.text == '4' then
            papo.cancel(round); round = nil
            papo.say(msg.user .. ' acertou!')
          end
        end)
        papo.on('join', function(ev) if ev.server then papo.whisper(ev.user, 'Bem-vinda, ' .. ev.user) end end)
        papo.on('unload', function() if round then papo.say('Rodada interrompida.') end end)
        papo.test{name = 'uma rodada inteira', steps = {
          {send = '/quiz', says = {'Quanto é 2+2? (12:00)'}},
          {send = '/quiz', user = 'bia', reply = 'Já tem uma rodada.', says = {}},
          {advance = 29, says = {}},
          {advance = 1, says = {{text = 'Tempo esgotado! A resposta era: 4', room = 'geral'}}},
          {send = '/quiz', user = 'bia', says = {{matches = '^Quanto é 2%+2%? %(12:00%)$'}}},
          {send = '4', user = 'caio', delivered = '4', says = {'caio acertou!'}},
          {advance = 60, says = {}},
          {connect = 'dani', whispers = {{to = 'dani', text = 'Bem-vinda, dani'}}},
          {send = '/quiz', says = {{matches = '^Quanto'}}},
          {reload = true, says = {'Rodada interrompida.'}},
        }}
        """

    @Test func aScenarioDrivesCommandsHooksTimersAndEvents() throws {
        let results = try run(["quiz.lua": Self.quiz])
        #expect(results.map(\.line) == ["✓ quiz.lua teste: uma rodada inteira"])
    }

    /// The first step that does not hold fails the scenario, saying which
    /// step, what it did and what came instead.
    @Test(arguments: [
        ("{advance = 30, says = {'Tempo!'}}",
         "passo 2 (advance 30): fala: esperava \"Tempo!\", veio \"Tempo esgotado! A resposta era: 4\""),
        ("{advance = 10, says = {'Tempo esgotado! A resposta era: 4'}}",
         "passo 2 (advance 10): esperava 1 fala(s) do bot, vieram 0"),
        ("{send = '/quiz', reply = 'Não.'}", "passo 2 (ana: /quiz): esperava \"Não.\", veio \"Já tem uma rodada.\""),
        ("{send = '/nada'}", "passo 2 (ana: /nada): esperava sucesso, veio o erro unknown_command"),
        ("{send = '/quiz', reply = {matches = '(('}}", "passo 2 (ana: /quiz): padrão inválido \"((\""),
        ("{advance = 30, says = {{text = 'Tempo esgotado! A resposta era: 4', room = 'cafe'}}}",
         "foi para geral, não para cafe"),
        ("{send = 'oi', user = 'zeca'}", "passo 2 (zeca: oi): zeca não está no chat"),
    ])
    func aFailingStepSaysWhich(_ step: String, _ expected: String) throws {
        let source = Self.quiz.replacingOccurrences(of: "papo.test", with: "local _ = ") + """

            papo.test{name = 'errado', steps = {{send = '/quiz'}, \(step)}}
            """
        let results = try run(["quiz.lua": source])
        let failure = results.first { $0.title == "teste: errado" }?.failure
        #expect(failure?.contains(expected) == true, "\(String(describing: failure))")
    }

    /// A runtime error in a hook or timer fails the step with file:line,
    /// even though the user saw nothing wrong.
    @Test func aScriptFailureFailsTheStepWithItsLine() throws {
        let results = try run(["conta.lua": """
            papo.on('message', function(ev)
              local n = nil
              return n + 1
            end)
            papo.test{name = 'conta mensagens', steps = {{send = 'oi', delivered = 'oi'}}}
            """])
        #expect(results.count == 1)
        #expect(results[0].failure?.contains("o script falhou: conta.lua:3:") == true, "\(results[0].line)")
    }

    /// A bot's words caused by a message come after it, even when said
    /// from the message hook that saw it before the room did.
    @Test func wordsFromAMessageHookComeAfterTheMessage() throws {
        let bots = try BotHarness(files: ["eco.lua": """
            papo.on_message(function(msg) if msg.text == 'ping' then papo.say('pong') end end)
            """])
        _ = bots.send("ping")
        let texts = bots.outbox.messages(to: bots.ana)
        #expect(texts.suffix(2) == ["ping", "pong"], "\(texts)")
    }

    /// Misspelt keys are errors of the test run, named, and never stop the
    /// bot loading; a bad example is reported the same way.
    @Test func aMisspeltTestKeyFailsTheRunNotTheLoad() throws {
        let source = """
            papo.command{name = 'oi', run = function() return 'oi' end, examples = {
              {input = '/oi', outptu = 'oi'},
            }}
            papo.test{name = 'digitado errado', steps = {{send = '/oi', replay = 'oi'}}}
            papo.test{name = 'duas ações', steps = {{send = '/oi', advance = 1}}}
            papo.test{name = 'sem passos'}
            papo.test{nome = 'x', steps = {}}
            """
        let results = try run(["oi.lua": source])
        let failures = results.compactMap(\.failure)
        #expect(failures.count == 5, "\(results.map(\.line))")
        #expect(failures.contains { $0.contains("oi.lua:1:") && $0.contains("campo desconhecido 'outptu'") })
        #expect(failures.contains { $0.contains("oi.lua:4:") && $0.contains("passo 1: campo desconhecido 'replay'") })
        #expect(failures.contains { $0.contains("cada passo tem uma só ação") })
        #expect(failures.contains { $0.contains("'steps' deve ser uma lista") })
        #expect(failures.contains { $0.contains("campo desconhecido 'nome'") })
        // The server loads the bot all the same.
        let bots = try BotHarness(files: ["oi.lua": source])
        #expect(bots.registry.statuses.first?.error == nil)
        #expect(bots.send("/oi")?.text == "oi")
    }

    /// `identify`: a connection becomes an account by registering,
    /// identifying or logging in at connect; the bot hears of each.
    @Test func identifyFiresForEveryWayIntoAnAccount() throws {
        let results = try run(["conta.lua": """
            papo.on('identify', function(ev)
              papo.whisper(ev.user, 'olá, conta ' .. ev.account .. ' ' .. tostring(#ev.account_id) .. ' ' .. tostring(ev.identified))
            end)
            papo.test{name = 'três caminhos', users = {'ana', {name = 'bia', account = true}}, steps = {
              {send = '/registrar senha-de-teste', whispers = {{to = 'ana', text = 'olá, conta ana 32 true'}}},
              {disconnect = 'bia'},
              {connect = 'bia', whispers = {{to = 'bia', text = 'olá, conta bia 32 true'}}},
              {send = 'oi', whispers = {}},
            }}
            """])
        #expect(results.map(\.line) == ["✓ conta.lua teste: três caminhos"])
    }

    /// Files that load alone but clash together fail the folder's run.
    @Test func aNameTwoFilesClaimFailsTheRun() throws {
        let results = try run([
            "a.lua": "papo.command{name = 'dado', run = function() return 'a' end}",
            "b.lua": "papo.command{name = 'sorte', aliases = {'dado'}, run = function() return 'b' end}",
        ])
        let clash = results.filter { !$0.passed }
        #expect(clash.count == 1, "\(results.map(\.line))")
        #expect(clash.first?.title == "(junto com os outros arquivos)")
        #expect(clash.first?.failure?.contains("dado") == true, "\(clash.map(\.line))")
    }
}
