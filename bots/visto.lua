-- visto: /visto nome diz quando alguém falou pela última vez, onde e o
-- quê, ou que está online agora (e há quanto tempo parado).
papo.bot{name = "visto"}

local function remember(name, what)
  what.nome = name
  what.quando = os.time()
  papo.store.set(papo.fold(name), what)
end

papo.on("message", function(ev)
  local text = ev.text
  if utf8.len(text) and utf8.len(text) > 80 then text = text:sub(1, utf8.offset(text, 81) - 1) .. "…" end
  remember(ev.user, {sala = ev.room, texto = text})
end)

papo.on("leave", function(ev)
  if ev.cause ~= "quit" then return end
  local last = papo.store.get(papo.fold(ev.user)) or {}
  last.saiu = os.time()
  last.nome = ev.user
  papo.store.set(papo.fold(ev.user), last)
end)

local function ago(t) return papo.format_duration(math.max(1, os.time() - t)) end

papo.command{
  name = "visto",
  aliases = {"seen"},
  help = "quando alguém falou pela última vez",
  args = {{name = "nome", type = "user"}},
  run = function(ctx)
    local name = ctx.args.nome
    for _, u in ipairs(papo.users()) do
      if papo.same_name(u.name, name) then
        return u.name .. " está online agora, em #" .. u.room .. " (parado há " .. papo.format_duration(u.idle) .. ")."
      end
    end
    local last = papo.store.get(papo.fold(name))
    if not last then return "Nunca vi " .. name .. " por aqui." end
    local said = last.texto and (" falou há " .. ago(last.quando) .. " em #" .. last.sala .. ": «" .. last.texto .. "»") or ""
    local left = last.saiu and (" Saiu há " .. ago(last.saiu) .. ".") or ""
    return last.nome .. said .. "." .. left
  end,
  examples = {
    {input = "/visto zeca", output = "Nunca vi zeca por aqui."},
    {input = "/visto", error = "missing_argument"},
  },
}

papo.test{
  name = "quem saiu, quem está parado, quem nunca veio",
  steps = {
    {send = "/entrar cafe", user = "bia"},
    {send = "alguém viu meu guarda-chuva?", user = "bia"},
    {advance = 300},
    {send = "/visto BIA", reply = "bia está online agora, em #cafe (parado há 5m)."},
    {disconnect = "bia"},
    {advance = 3600},
    {send = "/visto bia", reply = "bia falou há 1h5m em #cafe: «alguém viu meu guarda-chuva?». Saiu há 1h."},
    {send = "/visto dani", reply = "Nunca vi dani por aqui."},
  },
}
