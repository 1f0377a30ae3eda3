-- regras: as regras de cada sala. /regras mostra; os moderadores da sala
-- mudam com /regras definir <texto> e apagam com /regras limpar. Quem
-- entra numa sala com regras as recebe em particular.
papo.bot{name = "regras"}

local function rules(room) return papo.store.room(room).get("texto") end

papo.command{
  name = "regras",
  aliases = {"rules"},
  help = "mostra as regras da sala",
  run = function(ctx)
    local text = rules(ctx.room)
    if not text then return "#" .. ctx.room .. " ainda não tem regras." end
    return "Regras de #" .. ctx.room .. ": " .. text
  end,
  subcommands = {
    {name = "definir", aliases = {"set"}, role = "moderator", help = "muda as regras da sala",
     args = {{name = "texto", type = "rest"}},
     run = function(ctx)
       papo.store.room(ctx.room).set("texto", ctx.args.texto)
       papo.say(ctx.user .. " mudou as regras de #" .. ctx.room .. ": " .. ctx.args.texto)
     end},
    {name = "limpar", role = "moderator", help = "apaga as regras da sala",
     run = function(ctx)
       if not rules(ctx.room) then return papo.error("not_found", "#" .. ctx.room .. " não tem regras.") end
       papo.store.room(ctx.room).set("texto", nil)
       return "Regras de #" .. ctx.room .. " apagadas."
     end},
  },
  examples = {
    {input = "/regras", output = "#geral ainda não tem regras."},
    {input = "/regras definir Sem spam", error = "not_moderator"},
    {input = "/regras definir", as = "moderator", error = "missing_argument"},
    {input = "/regras limpar", as = "moderator", error = "not_found"},
  },
}

papo.on("join", function(ev)
  if ev.server then return end
  local text = rules(ev.room)
  if text then papo.whisper(ev.user, "Bem-vindo a #" .. ev.room .. ". Regras: " .. text) end
end)

papo.test{
  name = "cada sala tem as suas, e quem entra as recebe",
  steps = {
    {send = "/entrar cafe", user = "bia"},
    {send = "/regras definir Só café, nada de chá.", user = "bia",
     says = {{text = "bia mudou as regras de #cafe: Só café, nada de chá.", room = "cafe"}}},
    {send = "/regras", reply = "#geral ainda não tem regras."},
    {send = "/entrar cafe", whispers = {{to = "ana", text = "Bem-vindo a #cafe. Regras: Só café, nada de chá."}}},
    {send = "/regras", reply = "Regras de #cafe: Só café, nada de chá."},
    {send = "/regras definir Chá também", error = "not_moderator"},
    {send = "/regras limpar", user = "bia", reply = "Regras de #cafe apagadas."},
    {send = "/regras", reply = "#cafe ainda não tem regras."},
  },
}
