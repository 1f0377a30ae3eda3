-- Event hooks: greets whoever arrives on the server, and says goodbye.
papo.on("join", function(ev)
  if ev.server then
    papo.say("Bem-vindo(a) ao Papo, " .. ev.user .. "! Digite /ajuda para ver os comandos.")
  end
end)

papo.on("rename", function(ev)
  papo.say(ev.user .. " agora atende por " .. ev.target .. ".")
end)
