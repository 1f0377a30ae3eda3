-- quiz: /quiz faz uma pergunta à sala; quem responder certo primeiro
-- ganha um ponto (guardado na conta de quem está identificado). As
-- perguntas vêm de bots/quiz/perguntas.txt; o tempo de cada rodada é um
-- ajuste que os admins mudam na hora: /botconfig quiz rodada 60.
papo.bot{
  name = "quiz",
  config = {
    rodada = {type = "duration", default = 30, min = 10, max = 600, help = "tempo para responder"},
    ordem = {type = "choice", choices = {"sorteada", "sequencial"}, default = "sorteada",
             help = "como escolher a próxima pergunta"},
  },
}

local questions = {}
for line in (papo.read("perguntas.txt") or ""):gmatch("[^\n]+") do
  local q, a = line:match("^%s*([^#|][^|]-)%s*|%s*(.-)%s*$")
  if q and a ~= "" then questions[#questions + 1] = {pergunta = q, resposta = a} end
end

local rounds = {}   -- room -> {question, timer}
local nextIndex = 0

local function normalize(s) return papo.fold((s:gsub("^%s+", ""):gsub("%s+$", ""))) end

local function pick()
  if papo.config("ordem") == "sequencial" then
    nextIndex = nextIndex % #questions + 1
    return questions[nextIndex]
  end
  return questions[math.random(#questions)]
end

papo.command{
  name = "quiz",
  help = "faz uma pergunta à sala",
  run = function(ctx)
    if #questions == 0 then return papo.error("no_questions", "Não há perguntas em bots/quiz/perguntas.txt.") end
    if rounds[ctx.room] then return "Já tem uma pergunta no ar: " .. rounds[ctx.room].question.pergunta end
    local room, question, seconds = ctx.room, pick(), papo.config("rodada")
    local timer = papo.after(seconds, function()
      rounds[room] = nil
      papo.say("⏰ Tempo esgotado! A resposta era: " .. question.resposta)
    end)
    rounds[room] = {question = question, timer = timer}
    papo.say("❓ " .. question.pergunta .. " (" .. papo.format_duration(seconds) .. " para responder)")
  end,
  subcommands = {
    {name = "parar", role = "moderator", help = "encerra a pergunta no ar", run = function(ctx)
      local round = rounds[ctx.room]
      if not round then return papo.error("no_round", "Não há pergunta no ar em #" .. ctx.room .. ".") end
      papo.cancel(round.timer)
      rounds[ctx.room] = nil
      papo.say("Pergunta encerrada por " .. ctx.user .. ". A resposta era: " .. round.question.resposta)
    end},
    {name = "pontos", help = "os seus pontos", run = function(ctx)
      if not ctx.identified then return "Pontos ficam com a sua conta: crie uma com /registrar <senha>." end
      return ctx.account .. " tem " .. (papo.store.account(ctx.account_id).get("pontos") or 0) .. " ponto(s)."
    end},
  },
  examples = {
    {input = "/quiz parar", error = "not_moderator"},
    {input = "/quiz parar", as = "moderator", error = "no_round"},
    {input = "/quiz pontos", output = "Pontos ficam com a sua conta: crie uma com /registrar <senha>."},
  },
}

papo.on("message", function(ev)
  local round = rounds[ev.room]
  if not round or normalize(ev.text) ~= normalize(round.question.resposta) then return end
  papo.cancel(round.timer)
  rounds[ev.room] = nil
  local total = ""
  if ev.account_id then
    local account = papo.store.account(ev.account_id)
    local n = (account.get("pontos") or 0) + 1
    account.set("pontos", n)
    total = " (" .. n .. " ponto(s))"
  end
  papo.say("🎉 " .. ev.user .. " acertou: " .. round.question.resposta .. "!" .. total)
end)

papo.on("unload", function()
  for room, round in pairs(rounds) do
    papo.say("O quiz foi recarregado; a pergunta ficou sem resposta: " .. round.question.resposta, room)
  end
end)

papo.test{
  name = "uma rodada com acerto, uma sem, e o tempo que o admin muda",
  users = {{name = "ana", admin = true}, {name = "bia", account = true}, "caio"},
  steps = {
    {send = "/botconfig quiz ordem sequencial", reply = "quiz: ordem = sequencial."},
    {send = "/quiz", says = {"❓ Qual é a capital do Brasil? (30s para responder)"}},
    {send = "/quiz", user = "caio", reply = "Já tem uma pergunta no ar: Qual é a capital do Brasil?"},
    {send = "brasilia", user = "caio", says = {}},
    {send = "  BRASÍLIA ", user = "bia", says = {"🎉 bia acertou: Brasília! (1 ponto(s))"}},
    {advance = 60, says = {}},
    {send = "/botconfig quiz rodada 15s", reply = "quiz: rodada = 15s."},
    {send = "/quiz", says = {"❓ Quantos estados tem o Brasil? (15s para responder)"}},
    {advance = 14, says = {}},
    {advance = 1, says = {"⏰ Tempo esgotado! A resposta era: 26"}},
    {send = "/quiz pontos", user = "bia", reply = "bia tem 1 ponto(s)."},
    {send = "/botconfig quiz rodada 5s", error = "invalid_setting"},
  },
}

papo.test{
  name = "recarregar no meio de uma pergunta avisa a sala",
  users = {{name = "ana", admin = true}, "bia"},
  steps = {
    {send = "/quiz"},
    {reload = true, says = {{matches = "^O quiz foi recarregado; a pergunta ficou sem resposta: .+$", room = "geral"}}},
    {advance = 60, says = {}},
  },
}
