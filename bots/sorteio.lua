-- /sorteio [prêmio]: picks a random member of the caller's room
papo.command{
  name = "sorteio",
  aliases = {"raffle"},
  usage = "[prêmio]",
  help = "sorteia alguém da sala",
  run = function(ctx)
    local people = ctx.members
    if #people == 0 then return "Não há ninguém para sortear." end
    local winner = people[math.random(#people)]
    if ctx.args ~= "" then
      return string.format("Sorteio de %s em #%s: %s ganhou! 🎉", ctx.args, ctx.room, winner)
    end
    return string.format("Sorteio em #%s: %s! 🎉", ctx.room, winner)
  end,
}
