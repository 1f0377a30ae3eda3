-- lembrar: /lembrar 10m pizza no forno. Na hora, o bot lembra você em
-- particular; se você não estiver online, lembra quando voltar. Os
-- lembretes ficam guardados: sobrevivem a /reload e a reinícios.
papo.bot{name = "lembrar"}

local MAX_PER_PERSON = 10
local timers = {}   -- id of a reminder -> timer

-- Reminders are kept per person: by account for the identified, by name
-- for guests (a guest's name is only theirs while they are online).
local function owner(ctx) return ctx.account_id and ("conta:" .. ctx.account_id) or ("nome:" .. papo.fold(ctx.user)) end

local function all() return papo.store.get("lembretes") or {} end
local function save(list) papo.store.set("lembretes", list) end

local function online(name)
  for _, u in ipairs(papo.users()) do if papo.same_name(u.name, name) then return u.name end end
end

local deliver
local function arm(r)
  local wait = math.max(1, r.quando - os.time())
  timers[r.id] = papo.after(math.min(wait, 7 * 86400), function() deliver(r.id) end)
end

-- Whispers reminder `id` if its person is online; else it waits for them.
deliver = function(id)
  timers[id] = nil
  local list = all()
  for i, r in ipairs(list) do
    if r.id == id then
      if r.quando > os.time() then arm(r) return end  -- more than 7 days: armed again
      local name = online(r.nome)
      if name then
        papo.whisper(name, "⏰ Lembrete: " .. r.texto)
        table.remove(list, i)
        save(list)
      end
      return
    end
  end
end

papo.on("load", function()
  for _, r in ipairs(all()) do arm(r) end
end)

papo.on("join", function(ev)
  if not ev.server then return end
  for _, r in ipairs(all()) do
    if r.quando <= os.time() and papo.same_name(r.nome, ev.user) then deliver(r.id) end
  end
end)

papo.command{
  name = "lembrar",
  aliases = {"remindme"},
  help = "lembra você de algo, em particular, depois de um tempo",
  args = {{name = "tempo", type = "duration", max = 30 * 86400}, {name = "texto", type = "rest"}},
  run = function(ctx)
    local list, mine = all(), 0
    for _, r in ipairs(list) do if r.dono == owner(ctx) then mine = mine + 1 end end
    if mine >= MAX_PER_PERSON then
      return papo.error("too_many_reminders", "Você já tem " .. MAX_PER_PERSON .. " lembretes; cancele algum com /lembrar cancelar n.")
    end
    local r = {id = (papo.store.get("proximo") or 0) + 1, dono = owner(ctx), nome = ctx.user,
               texto = ctx.args.texto, quando = os.time() + ctx.args.tempo}
    papo.store.set("proximo", r.id)
    list[#list + 1] = r
    save(list)
    arm(r)
    return "Combinado: lembro você em " .. papo.format_duration(ctx.args.tempo) .. "."
  end,
  subcommands = {
    {name = "lista", help = "os seus lembretes", run = function(ctx)
      local lines = {}
      for _, r in ipairs(all()) do
        if r.dono == owner(ctx) then
          lines[#lines + 1] = #lines + 1 .. ". em " .. papo.format_duration(math.max(0, r.quando - os.time())) .. ": " .. r.texto
        end
      end
      if #lines == 0 then return "Você não tem lembretes." end
      return table.concat(lines, "\n")
    end},
    {name = "cancelar", help = "cancela o lembrete n da lista", args = {{name = "n", type = "int", min = 1}},
     run = function(ctx)
       local list, seen = all(), 0
       for i, r in ipairs(list) do
         if r.dono == owner(ctx) then
           seen = seen + 1
           if seen == ctx.args.n then
             if timers[r.id] then papo.cancel(timers[r.id]) timers[r.id] = nil end
             table.remove(list, i)
             save(list)
             return "Lembrete cancelado: " .. r.texto
           end
         end
       end
       return papo.error("not_found", "Você não tem o lembrete " .. ctx.args.n .. ".")
     end},
  },
  examples = {
    {input = "/lembrar 10m pizza no forno", output = "Combinado: lembro você em 10m."},
    {input = "/lembrar amanhã pizza", error = "invalid_argument"},
    {input = "/lembrar 40d pizza", error = "invalid_argument"},
    {input = "/lembrar lista", output = "Você não tem lembretes."},
    {input = "/lembrar cancelar 1", error = "not_found"},
  },
}

papo.test{
  name = "o lembrete chega na hora, em particular",
  steps = {
    {send = "/lembrar 1h30m tirar a pizza", reply = "Combinado: lembro você em 1h30m."},
    {send = "/lembrar 2h ligar pra vó", reply = "Combinado: lembro você em 2h."},
    {send = "/lembrar lista", reply = "1. em 1h30m: tirar a pizza\n2. em 2h: ligar pra vó"},
    {advance = 5399, whispers = {}},
    {advance = 1, whispers = {{to = "ana", text = "⏰ Lembrete: tirar a pizza"}}, says = {}},
    {send = "/lembrar cancelar 1", reply = "Lembrete cancelado: ligar pra vó"},
    {advance = 3600, whispers = {}},
    {send = "/lembrar lista", reply = "Você não tem lembretes."},
  },
}

papo.test{
  name = "quem estava fora recebe ao voltar, e /reload não perde nada",
  users = {{name = "ana", admin = true}, {name = "bia", account = true}},
  steps = {
    {send = "/lembrar 10m reunião", user = "bia"},
    {reload = true},
    {disconnect = "bia"},
    {advance = 900, whispers = {}},
    {connect = "bia", whispers = {{to = "bia", text = "⏰ Lembrete: reunião"}}},
    {send = "/lembrar lista", user = "bia", reply = "Você não tem lembretes."},
  },
}
