-- /lembrete 10m texto: the bot reminds the room after a delay
-- (s = seconds, m = minutes, h = hours; from 1 second to 24 hours)
local units = { s = 1, m = 60, h = 3600 }

papo.command{
  name = "lembrete",
  aliases = {"remind"},
  usage = "<tempo> <texto>",
  help = "lembra a sala de algo depois de um tempo: /lembrete 10m pizza no forno",
  examples = {
    {input = "/lembrete 10m pizza no forno", output = "Combinado: lembro #geral em 10m."},
    {input = "/lembrete amanhã pizza", matches = "^Uso:"},
  },
  run = function(ctx)
    local amount, unit = (ctx.words[1] or ""):match("^(%d+)([smh])$")
    local text = ctx.words[2] and ctx.args:match("^%S+%s+(.+)$")
    local seconds = amount and tonumber(amount) * units[unit]
    if not seconds or not text or seconds < 1 or seconds > 86400 then
      return "Uso: /lembrete <tempo> <texto>, com tempo como 30s, 10m ou 2h (até 24h)"
    end
    local who = ctx.user
    papo.after(seconds, function()
      papo.say(string.format("⏰ Lembrete de %s: %s", who, text))
    end)
    return string.format("Combinado: lembro #%s em %s%s.", ctx.room, amount, unit)
  end,
}
