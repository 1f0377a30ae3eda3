-- Window-edge cases for papo_patterns.h's plain find, which searches with
-- one memmem call per window of W start positions (8 * the needle length
-- for needles longer than W / 8), counted from s + init - 1. Checks
-- matches that straddle a window edge (the needle starts 1 .. m-1 bytes
-- before it), decoys, absent needles, and subjects whose start positions
-- end just before / at / after a window edge.
--
-- Two uses:
--   loadfile("window_edges.lua")(check, pack, W, dense) from test.lua, with
--     test.lua's comparator (W = the real PAPO_PLAIN_FIND_WINDOW);
--   ./test_w256 window_edges.lua (run.sh), a build with a small window,
--     where the dense sweep is cheap: its own comparator, prints a summary.
local check, pack, W, dense = ...
local standalone = check == nil
local nfail, ncases = 0, 0
if standalone then
  pack = function(...) return {n = select('#', ...), ...} end
  W, dense = PLAIN_WINDOW, true
  local function show(t)
    local o = {}
    for i = 1, t.n do o[i] = tostring(t[i]) end
    return "(" .. table.concat(o, ", ") .. ")"
  end
  check = function(fname, args, label)
    ncases = ncases + 1
    local a = pack(pcall(string[fname], table.unpack(args, 1, args.n)))
    local b = pack(pcall(pstring[fname], table.unpack(args, 1, args.n)))
    local same = a.n == b.n
    for i = 1, math.max(a.n, b.n) do
      if a[i] ~= b[i] or math.type(a[i]) ~= math.type(b[i]) then same = false end
    end
    if not same then
      nfail = nfail + 1
      if nfail <= 20 then
        print(string.format("MISMATCH %s %s\n  string:  %s\n  pstring: %s",
          fname, label, show(a), show(b)))
      end
    end
  end
end

local function window_of(m) return (W // 8 < m) and 8 * m or W end

local function needles(m)  -- a few needle shapes of length m, no specials
  local t = {}
  if m == 1 then return {"b", "a"} end
  t[#t + 1] = "b" .. string.rep("a", m - 2) .. "b"     -- memchr-friendly
  if m <= 300 then                                     -- a^(m-1)b: the hostile
    t[#t + 1] = string.rep("a", m - 1) .. "b"          -- shape (slow for
  end                                                  -- lmemfind when long)
  if m >= 4 and m <= 300 then                          -- mixed bytes b..f
    local c = {}
    for i = 1, m do c[i] = string.char(98 + (i * 7) % 5) end
    t[#t + 1] = table.concat(c)
  end
  return t
end

-- how far before the edge the needle starts: 0 and m are controls (the
-- needle wholly after / wholly before the edge), 1 .. m-1 straddle it
local function dlist(m)
  local t = {0, m}
  if dense and m <= 40 then
    for d = 1, m - 1 do t[#t + 1] = d end
  else
    local seen = {[0] = true, [m] = true}
    for _, d in ipairs{1, 2, 3, m // 2, m - 3, m - 2, m - 1} do
      if d > 0 and d < m and not seen[d] then seen[d] = true; t[#t + 1] = d end
    end
  end
  return t
end

local function PF(s, nd, init, label)  -- plain flag, and the no-specials path
  check("find", pack(s, nd, init, true), label)
  check("find", pack(s, nd, init), label)
end

local lengths, inits, ks
if dense then
  lengths = {}
  for m = 1, 40 do lengths[#lengths + 1] = m end
  for _, m in ipairs{63, 64, 65, 100, 255, 256, 257, 300, 1000} do
    lengths[#lengths + 1] = m
  end
  inits, ks = {1, 2, 100}, {1, 2, 3}
else
  lengths = {1, 2, 3, 16, 17, 255, 256, 257, 1000, 8192, 8193, 9000}
  inits, ks = {1, 778}, {1, 2}
end

for _, m in ipairs(lengths) do
  local win = window_of(m)
  for _, nd in ipairs(needles(m)) do
    local f = nd:byte(-1) == 97 and "b" or "a"         -- filler: not nd's last byte
    for _, init in ipairs(inits) do
      for _, k in ipairs(ks) do
        local edge = (init - 1) + k * win      -- 0-based offset of the edge in s
        for _, d in ipairs(dlist(m)) do
          local p = edge - d                   -- the needle starts at s[p], 0-based
          -- a decoy (the needle with its last byte changed) straddling the
          -- previous edge, the match, and a second match after it
          local pre = string.rep(f, p)
          if p - win - m > init then
            local q = p - win
            pre = string.rep(f, q) .. nd:sub(1, -2) .. f .. string.rep(f, p - q - m)
          end
          assert(#pre == p)
          local s = pre .. nd .. string.rep(f, 100) .. nd .. f .. f .. f
          local label = string.format("edge m=%d init=%d k=%d d=%d %q", m, init, k, d,
            #nd <= 20 and nd or nd:sub(1, 8) .. "...")
          PF(s, nd, init, label)
          if k == 2 then   -- a negative init that names the same start
            PF(s, nd, init - #s - 1, label .. " (negative init)")
          end
          if d == 1 then   -- the needle absent: its last byte changed
            PF(pre .. nd:sub(1, -2) .. f .. string.rep(f, 100), nd, init, label .. " absent")
          end
        end
        -- subjects whose start positions (from init) number k*win - 1, k*win,
        -- k*win + 1: the match at the very last start position; absent; and
        -- one byte short of it
        for _, extra in ipairs{-1, 0, 1} do
          local nstarts = k * win + extra
          local len = (init - 1) + nstarts + m - 1
          local s = string.rep(f, len - m) .. nd
          local label = string.format("last-start m=%d init=%d n=%d", m, init, nstarts)
          PF(s, nd, init, label)
          PF(s:sub(1, -2) .. f, nd, init, label .. " absent")
          PF(s:sub(1, -2), nd, init, label .. " short")
        end
      end
    end
  end
end

if standalone then
  print(string.format("window-edge cases (window %d start positions, dense): %d, mismatches: %d",
    W, ncases, nfail))
  assert(nfail == 0, "pstring disagrees with string at window edges")
  print("WINDOW EDGES OK")
end
