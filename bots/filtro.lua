-- A message hook: masks the words listed below in every public message and
-- stops messages that are only shouting. Edit the list and /reload.
local blocked_words = {"bobo", "chato", "spam"}

local function mask(word)
  return string.rep("*", utf8.len(word) or #word)
end

papo.on_message(function(msg)
  local text = msg.text
  if #text >= 12 and text == text:upper() and text:find("%a") then
    return false, "sem gritar, por favor (tudo em maiúsculas)"
  end
  for _, word in ipairs(blocked_words) do
    text = text:gsub("%f[%a]" .. word .. "%f[%A]", mask(word))
  end
  return text
end)
