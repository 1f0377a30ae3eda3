-- /sorteio [prêmio]: picks a random member of the caller's room and
-- announces the winner to the whole room with papo.say
papo.command{
  name = "sorteio",
  aliases = {"raffle"},
  usage = "[prêmio]",
  help = "sorteia alguém da sala",
  examples = {
    {input = "/sorteio um livro", output = ""},
  },
  run = function(ctx)
    local people = ctx.members
    if #people == 0 then return "Não há ninguém para sortear." end
    local winner = people[math.random(#people)]
    local prize = ctx.args ~= "" and (" de " .. ctx.args) or ""
    local count = #people == 1 and "1 pessoa" or (#people .. " pessoas")
    papo.say(string.format("%s fez um sorteio%s entre %s: %s ganhou! 🎉", ctx.user, prize, count, winner))
    return nil
  end,
}
