-- /moeda: flips a coin
papo.command{
  name = "moeda",
  aliases = {"coin"},
  help = "joga uma moeda: cara ou coroa",
  examples = {
    {input = "/moeda", matches = "^ana jogou uma moeda: c[ao][rr][ao]a?!$"},
  },
  run = function(ctx)
    local side = math.random(2) == 1 and "cara" or "coroa"
    return ctx.user .. " jogou uma moeda: " .. side .. "!"
  end,
}
