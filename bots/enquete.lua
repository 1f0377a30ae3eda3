-- /enquete pergunta | opção | opção ...  starts a poll in your room
-- /enquete                               shows the poll and its votes
-- /votar n                               votes (again to change your vote)
-- Polls and votes live in papo.store, so they survive /reload and restarts.

local function poll_key(room) return "enquete:" .. room:lower() end
local function vote_prefix(room) return "voto:" .. room:lower() .. ":" end

local function load_poll(room)
  local saved = papo.store.get(poll_key(room))
  if not saved then return nil end
  local parts = {}
  for part in saved:gmatch("[^\n]+") do parts[#parts + 1] = part end
  return { question = parts[1], options = { table.unpack(parts, 2) } }
end

local function results(room)
  local poll = load_poll(room)
  if not poll then return "Não há enquete em #" .. room .. ". Crie uma: /enquete pergunta | opção | opção" end
  local counts, prefix = {}, vote_prefix(room)
  for _, key in ipairs(papo.store.keys()) do
    if key:sub(1, #prefix) == prefix then
      local n = tonumber(papo.store.get(key))
      counts[n] = (counts[n] or 0) + 1
    end
  end
  local lines = { "Enquete: " .. poll.question }
  for i, option in ipairs(poll.options) do
    lines[#lines + 1] = string.format("  %d) %s — %d voto(s)", i, option, counts[i] or 0)
  end
  lines[#lines + 1] = "Vote com /votar n"
  return table.concat(lines, "\n")
end

papo.command{
  name = "enquete",
  aliases = {"poll"},
  usage = "[pergunta | opção | opção ...]",
  help = "cria uma enquete na sala, ou mostra a atual",
  examples = {
    {input = "/enquete", matches = "^Não há enquete em #geral"},
    {input = "/enquete Pizza? | sim | não", matches = "^Enquete: Pizza%?\n  1%) sim — 0 voto%(s%)"},
    {input = "/enquete só uma | opção", matches = "^Uso: /enquete"},
  },
  run = function(ctx)
    if ctx.args == "" then return results(ctx.room) end
    local parts = {}
    for part in ctx.args:gmatch("[^|]+") do
      part = part:match("^%s*(.-)%s*$")
      if part ~= "" then parts[#parts + 1] = part end
    end
    if #parts < 3 or #parts > 11 then
      return "Uso: /enquete pergunta | opção | opção (de 2 a 10 opções)"
    end
    local prefix = vote_prefix(ctx.room)
    for _, key in ipairs(papo.store.keys()) do
      if key:sub(1, #prefix) == prefix then papo.store.set(key, nil) end
    end
    papo.store.set(poll_key(ctx.room), table.concat(parts, "\n"))
    papo.say(string.format("%s abriu uma enquete: %s (%s). Vote com /votar n; resultados com /enquete.",
      ctx.user, parts[1], table.concat({ table.unpack(parts, 2) }, ", ")))
    return results(ctx.room)
  end,
}

papo.command{
  name = "votar",
  aliases = {"vote"},
  usage = "<n>",
  help = "vota na enquete da sala",
  examples = {
    {input = "/votar 1", output = "Não há enquete em #geral."},
  },
  run = function(ctx)
    local poll = load_poll(ctx.room)
    if not poll then return "Não há enquete em #" .. ctx.room .. "." end
    local n = tonumber(ctx.words[1])
    if not n or n % 1 ~= 0 or n < 1 or n > #poll.options then
      return string.format("Uso: /votar n, com n de 1 a %d", #poll.options)
    end
    papo.store.set(vote_prefix(ctx.room) .. ctx.user:lower(), n)
    return string.format("Voto registrado: %s.", poll.options[n])
  end,
}
