-- /dado [NdM]: rolls N dice of M faces (default 1d6), e.g. /dado 2d6
papo.command{
  name = "dado",
  aliases = {"dice", "rolar"},
  usage = "[NdM]",
  help = "rola dados: /dado 2d6",
  examples = {
    {input = "/dado 2d6", matches = "^ana rolou 2d6: %d+ %+ %d+ %(total %d+%)$"},
    {input = "/dado", matches = "^ana rolou 1d6: [1-6] %(total [1-6]%)$"},
    {input = "/rolar 99d6", matches = "^Uso: /dado NdM"},
  },
  run = function(ctx)
    local spec = ctx.words[1] or "1d6"
    local n, m = spec:match("^(%d*)[dD](%d+)$")
    n = tonumber(n ~= "" and n or "1")
    m = tonumber(m)
    if not n or not m or n < 1 or n > 20 or m < 2 or m > 1000 then
      return "Uso: /dado NdM (1 a 20 dados de 2 a 1000 faces), por exemplo /dado 2d6"
    end
    local rolls, total = {}, 0
    for i = 1, n do
      local r = math.random(m)
      rolls[i] = tostring(r)
      total = total + r
    end
    return string.format("%s rolou %dd%d: %s (total %d)", ctx.user, n, m, table.concat(rolls, " + "), total)
  end,
}
