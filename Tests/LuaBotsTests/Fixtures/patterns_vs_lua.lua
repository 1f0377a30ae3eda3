-- Compares pstring.* (Sources/CLua/papo_patterns.h, Papo's step-counted copy
-- of Lua's matcher) with Debian liblua's string.*: explicit cases, random
-- patterns and plain finds across window edges. Run by PatternEquivalenceTests.
local unpack = table.unpack
local function pack(...) return {n = select('#', ...), ...} end

-- argument errors name the function differently ('string.gsub' vs '?')
local function norm(v)
  if type(v) == "string" then return (v:gsub("to '[^']*'", "to 'F'")) end
  return v
end

local function show(t)
  local out = {}
  for i = 1, t.n do
    local v = t[i]
    out[#out + 1] = type(v) == "string" and string.format("%q", v) or tostring(v)
  end
  return "(" .. table.concat(out, ", ") .. ")"
end

local function same(a, b)
  if a.n ~= b.n then return false end
  for i = 1, a.n do
    local x, y = norm(a[i]), norm(b[i])
    if x ~= y or math.type(x) ~= math.type(y) then return false end
  end
  return true
end

-- runs one library function and returns everything observable, flattened
local function observe(lib, fname, args)
  if fname == "gmatch" then
    local ok, it = pcall(lib.gmatch, unpack(args, 1, args.n))
    if not ok then return pack(false, it) end
    local all = {n = 0}
    for _ = 1, 200 do
      local r = pack(pcall(it))
      all[#all + 1] = "#" .. r.n
      for i = 1, r.n do all[#all + 1] = r[i] end
      if not r[1] or r.n == 1 then break end   -- error, or iteration over
      if r.n == 2 and r[2] == nil then break end
    end
    all.n = #all
    return all
  elseif fname == "gsub" and args.repl == "function" then
    local log = {}
    local a = {n = args.n}
    for i = 1, args.n do a[i] = args[i] end
    a[3] = function(...)
      local t = pack(...)
      log[#log + 1] = "#" .. t.n
      for i = 1, t.n do log[#log + 1] = t[i] end
      return args.ret(...)
    end
    local r = pack(pcall(lib.gsub, unpack(a, 1, a.n)))
    for i = 1, #log do r[r.n + i] = log[i] end
    r.n = r.n + #log
    return r
  else
    return pack(pcall(lib[fname], unpack(args, 1, args.n)))
  end
end

local ncases, nfail = 0, 0
local function check(fname, args, label)
  ncases = ncases + 1
  local a = observe(string, fname, args)
  local b = observe(pstring, fname, args)
  if not same(a, b) then
    nfail = nfail + 1
    print(string.format("MISMATCH %s %s\n  string:  %s\n  pstring: %s",
      fname, label or show(args), show(a), show(b)))
  end
end
local function C(fname, ...) check(fname, pack(...)) end

-------------------------------------------------------------------------------
-- (a) the explicit table of cases
local text = "Hello, World! 123 abc_DEF \t\n x=0x1F; (a(b)c) [brackets] end."

-- find
C("find", "hello world", "wor")
C("find", "hello world", "o", 5)
C("find", "hello world", "o", 6)
C("find", "hello world", "o", -3)
C("find", "hello world", "o", -100)
C("find", "hello world", "o", 0)
C("find", "hello world", "o", 12)
C("find", "hello world", "o", 13)
C("find", "hello world", "", 12)
C("find", "hello world", "", 13)
C("find", "hello world", "")
C("find", "", "")
C("find", "", "a")
C("find", "a.b", ".", 1, true)
C("find", "a.b", "%.", 1)
C("find", "a+b", "+", 1, true)
C("find", "a+b", "a+", 1, false)
C("find", "abc", "b", nil, true)
C("find", "a\0b\0c", "\0c")
C("find", "a\0b\0c", "b\0", 1, true)
C("find", "a\0b\0c", "%z")
C("find", "a\0b\0c", "[\0]", 3)
C("find", text, "^Hello")
C("find", text, "^World")
C("find", text, "end%.$")
C("find", text, "end$")
C("find", "a$b", "$b")
C("find", "a^b", "a^b")
C("find", text, "%a+")
C("find", text, "%d+")
C("find", text, "%s+")
C("find", text, "%w+", 8)
C("find", text, "%p+")
C("find", text, "0x%x+")
C("find", text, "%u+")
C("find", text, "%l+")
C("find", text, "%c+")
C("find", text, "%g+", 20)
C("find", text, "%A+")
C("find", text, "%S+", 14)
C("find", text, "%D%d")
C("find", text, "[%a_]+", 19)
C("find", text, "[A-F]+")
C("find", text, "[^%s%p]+", 7)
C("find", text, "[]]")
C("find", text, "[^]]+")
C("find", text, "[a-]+", 20)
C("find", text, "[%]%[]")
C("find", text, "%b()")
C("find", text, "%b[]")
C("find", text, "%f[%w]%w+", 3)
C("find", text, "%f[%W]")
C("find", "THE (quick) fox", "%f[%a]%a+%f[%A]", 2)
C("find", text, "(%d+)")
C("find", text, "()(%a+)()", 10)
C("find", text, "x=(0x)(%x+)")
C("find", "abcabc", "(abc)%1")
C("find", "xyyxyyz", "((x)(y+))%1")
C("find", "aaa", "a-")
C("find", "aaa", "a-$")
C("find", "aaab", "a*b")
C("find", "aaab", "a+?")
C("find", "b", "a?b")
C("find", "ab", "a?b")
C("find", text, "o.-o")
C("find", text, ".-", 5)
-- match
C("match", "key = value", "(%w+)%s*=%s*(%w+)")
C("match", "  trim me  ", "^%s*(.-)%s*$")
C("match", "2024-05-17", "(%d+)-(%d+)-(%d+)")
C("match", "hello", "()ll()")
C("match", "hello", "()")
C("match", "hello", "")
C("match", "hello", "", 10)
C("match", "hello", "l+", -2)
C("match", "hello", "^(h)(e)(l)(l)(o)$")
C("match", "[[nested]]", "%[(%b[])%]")
C("match", "f(a(b)c)d", "%b()")
C("match", "f(a(b c)d", "%b()")
C("match", "THE (quick) fox", "%f[%a](%a+)", 5)
C("match", "abcd", "((a)(b))((c)d)")
C("match", "aXa", "(a)X%1")
C("match", "aXb", "(a)X%1")
C("match", "x", "(x)", 2)
C("match", "café", "[\128-\255]+")
-- errors (messages must agree)
C("find", "abc", "%")
C("find", "abc", "[a")
C("find", "abc", "(a")
C("find", "abc", "a)")
C("find", "abc", "%1")
C("find", "abc", "(a)%2")
C("find", "abc", "%b")
C("find", "abc", "%f")
C("find", "abc", "%fa")
C("find", "abc", "[%")
C("match", "aaaa", string.rep("a?", 300))
C("match", string.rep("x", 40), string.rep("(x)", 33))
C("match", string.rep("x", 40), string.rep("(x)", 32))
C("find", {}, "a")
C("find", "a", nil)
C("find", "a", "a", "x")
C("find", 12345, 3)
C("match", 1.5, "%.")
-- gmatch
C("gmatch", "one two  three", "%a+")
C("gmatch", "k1=v1, k2=v2", "(%w+)=(%w+)")
C("gmatch", "abc", "")
C("gmatch", "abc", "()")
C("gmatch", "abc", "a*")
C("gmatch", "xaaxxa", "a*")
C("gmatch", "hello world from lua", "%a+", 7)
C("gmatch", "hello world from lua", "%a+", -3)
C("gmatch", "hello", "l", 100)
C("gmatch", "hello", "", 6)
C("gmatch", "hello", "", 7)
C("gmatch", "^a^a", "^a")
C("gmatch", "(a)(b(c))", "%b()")
C("gmatch", "THE (quick) fox", "%f[%a]%a+")
C("gmatch", "abc", "(")
C("gmatch", "aaa", "%1")
-- gsub with string replacement
C("gsub", "hello world", "o", "0")
C("gsub", "hello world", "(o)", "[%1]")
C("gsub", "hello world", "%w+", "%0 %0")
C("gsub", "hello world", "(%w+) (%w+)", "%2 %1")
C("gsub", "hello world", "l", "L", 2)
C("gsub", "hello world", "l", "L", 0)
C("gsub", "hello world", "l", "L", -1)
C("gsub", "hello world", "l", "L", 2.0)
C("gsub", "hello world", "l", "L", 2.5)
C("gsub", "hello", "", "-")
C("gsub", "hello", "x*", "-")
C("gsub", "abc", "%w", "%%")
C("gsub", "abc", "%w", "%1")
C("gsub", "abc", "%w", "%2")
C("gsub", "abc", "%w", "%x")
C("gsub", "abc", "()", "%1")
C("gsub", "abc", "()b()", "%2%1")
C("gsub", "hello", "^h", "H")
C("gsub", "hello", "^l", "L")
C("gsub", "  x  ", "^%s+", "")
C("gsub", "hello", "o$", "0")
C("gsub", "abc", "b", 42)
C("gsub", "abc", "b", 4.5)
C("gsub", "abc", "b", true)
C("gsub", "abc", "b")
C("gsub", "a b c", "%s", "%%%0")
C("gsub", "abc", "", "")
C("gsub", "", "", "x")
C("gsub", "abc", "(", "x")
C("gsub", "abc", "b", "%")
-- gsub with table replacement
local vars = {name = "Lua", version = 5.4, off = false, t = {}}
C("gsub", "$name is $version, $off, $missing", "%$(%w+)", vars)
C("gsub", "$name $t", "%$(%w+)", vars)
C("gsub", "a=1 b=2", "(%w)=(%w)", {a = "A"})
C("gsub", "hello", "", {})
C("gsub", "hello", "()", {[1] = "<1>", [3] = "<3>"})
-- gsub with function replacement (calls and results compared)
local function G(s, p, ret, n)
  check("gsub", {n = n and 4 or 3, s, p, "function", n, repl = "function", ret = ret},
        string.format("%q %q fn n=%s", s, p, tostring(n)))
end
G("hello world", "%w+", function(w) return w:upper() end)
G("hello world", "(%w)(%w*)", function(a, b) return a:upper() .. b end)
G("hello world", "%w+", function() return nil end)
G("hello world", "%w+", function() return false end)
G("hello world", "%w+", function() return 7 end)
G("hello world", "%w+", function() return {} end)
G("hello world", "()o()", function(a, b) return a .. "-" .. b end)
G("hello world", "l", function(c) return c .. c end, 2)
G("abc", "", function(...) return select('#', ...) end)
G("abc", "x*", function(s) return "[" .. s .. "]" end)
G("key=val; k2=v2", "(%w+)=(%w+)", function(k, v) return v .. "=" .. k end)
print(string.format("explicit cases: %d, mismatches: %d", ncases, nfail))
local explicit = ncases

-------------------------------------------------------------------------------
-- random patterns against random subjects (errors compared too)
math.randomseed(20240517)
local tokens = {"a", "b", "c", "x", ".", "%a", "%d", "%s", "%w", "%p", "%A",
  "[ab]", "[^a]", "[a-c]", "[%d_]", "[]]", "(", ")", "()", "*", "+", "-", "?",
  "^", "$", "%b()", "%bab", "%f[%w]", "%f[%s]", "%1", "%2", "%", "[", "]", "%%",
  "%.", " ", "1"}
local subjchars = {"a", "b", "c", "x", "1", "2", " ", "(", ")", ".", "_", "%"}
local repls = {"", "-", "%0", "%1", "<%1|%2>", "%%", "%", "x%0x"}
local function rpat()
  local t = {}
  for _ = 1, math.random(0, 6) do t[#t + 1] = tokens[math.random(#tokens)] end
  return table.concat(t)
end
local function rsubj()
  local t = {}
  for _ = 1, math.random(0, 12) do t[#t + 1] = subjchars[math.random(#subjchars)] end
  return table.concat(t)
end
for _ = 1, 6000 do
  local s, p, init = rsubj(), rpat(), math.random(-15, 15)
  check("find", pack(s, p, init))
  check("find", pack(s, p, init, math.random() < 0.5))
  check("match", pack(s, p, init))
  check("gmatch", pack(s, p, init))
  check("gsub", pack(s, p, repls[math.random(#repls)], math.random(-1, 4)))
  check("gsub", pack(s, p, {a = "A", ab = 1, ["1"] = false}))
  G(s, p, function(c, ...) if c == "a" then return "Z" end return nil end)
end
print(string.format("random cases: %d, mismatches: %d", ncases - explicit, nfail))
local before_windows = ncases

-------------------------------------------------------------------------------
-- plain find works in windows of PLAIN_WINDOW start positions: matches
-- across window edges (sparse here; run.sh also runs window_edges.lua
-- densely with a build whose window is 256)
assert(loadfile(FIXTURES .. "/window_edges.lua"))(check, pack, PLAIN_WINDOW, false)
print(string.format("window-edge cases (window %d start positions): %d, mismatches: %d",
  PLAIN_WINDOW, ncases - before_windows, nfail))
print(string.format("TOTAL: %d cases, %d mismatches", ncases, nfail))
assert(nfail == 0, "pstring disagrees with string")
