-- karma: "valeu joão++" dá um ponto a joão, "bia--" tira um de bia.
-- /karma [nome] mostra os pontos; /karma top, os cinco primeiros.
-- Counts only messages really said (the "message" event comes after every
-- filter), folds names as the server does (João++ and joão++ are one),
-- and keeps the points under the bot's name, whatever this file is called.
papo.bot{name = "karma"}

local MAX_PER_MESSAGE = 5

local function key(name) return papo.fold(name) end
local function points(name) return papo.store.get(key(name)) or 0 end

papo.on("message", function(ev)
  local seen, changes = {}, 0
  for token in ev.text:gmatch("%S+") do
    local name, sign = token:match("^@?(.-)([%+%-][%+%-])[%.,!?;:]*$")
    if name and name ~= "" and (sign == "++" or sign == "--") and not seen[key(name)] then
      seen[key(name)] = true
      if papo.same_name(name, ev.user) then
        papo.whisper(ev.user, "Karma em si mesmo não vale.")
      elseif changes < MAX_PER_MESSAGE then
        changes = changes + 1
        local n = points(name) + (sign == "++" and 1 or -1)
        papo.store.set(key(name), n)
        papo.say(name .. " agora tem " .. n .. " de karma.")
      end
    end
  end
end)

papo.command{
  name = "karma",
  help = "mostra o karma de alguém (ou o seu)",
  args = {{name = "nome", type = "user", optional = true}},
  run = function(ctx)
    local name = ctx.args.nome or ctx.user
    return name .. " tem " .. points(name) .. " de karma."
  end,
  subcommands = {
    {name = "top", help = "os cinco com mais karma", run = function(ctx)
      local all = {}
      for _, k in ipairs(papo.store.keys()) do all[#all + 1] = {name = k, n = papo.store.get(k)} end
      table.sort(all, function(a, b) if a.n ~= b.n then return a.n > b.n end return a.name < b.name end)
      if #all == 0 then return "Ninguém tem karma ainda." end
      local lines = {"Karma:"}
      for i = 1, math.min(5, #all) do lines[#lines + 1] = i .. ". " .. all[i].name .. " (" .. all[i].n .. ")" end
      return table.concat(lines, "\n")
    end},
  },
  examples = {
    {input = "/karma", output = "ana tem 0 de karma."},
    {input = "/karma bia", output = "bia tem 0 de karma."},
    {input = "/karma top", output = "Ninguém tem karma ainda."},
    {input = "/karma bia caio", error = "invalid_argument"},
  },
}

papo.test{
  name = "++ e -- contam, com acentos e sem diferença de caixa",
  users = {"ana", "bia", "joão"},
  steps = {
    {send = "valeu joão++ e JOÃO++!", delivered = "valeu joão++ e JOÃO++!", says = {"joão agora tem 1 de karma."}},
    {send = "bia--", says = {"bia agora tem -1 de karma."}},
    {send = "@Joa\u{0303}o++", user = "bia", says = {"Joa\u{0303}o agora tem 2 de karma."}},
    {send = "/karma JOÃO", reply = "joão tem 2 de karma."},
    {send = "/karma", user = "joão", reply = "joão tem 2 de karma."},
    {send = "/karma top", reply = "Karma:\n1. joão (2)\n2. bia (-1)"},
  },
}

papo.test{
  name = "karma em si mesmo não vale, e cinco por mensagem no máximo",
  steps = {
    {send = "ana++", says = {}, whispers = {{to = "ana", text = "Karma em si mesmo não vale."}}},
    {send = "a++ b++ c++ d++ e++ f++ g++", says = {
      "a agora tem 1 de karma.", "b agora tem 1 de karma.", "c agora tem 1 de karma.",
      "d agora tem 1 de karma.", "e agora tem 1 de karma."}},
    {send = "c++ é uma linguagem", user = "bia", says = {"c agora tem 2 de karma."}},
  },
}
