-- Compares ptable.* (Sources/CLua/papo_tablib.h, Papo's step-counted copy of
-- Lua's table functions) with Debian liblua's table.*: named cases and fuzz.
-- Run by VendoredLibraryTests.
local unpack, pack = table.unpack, table.pack
local LIMIT = "table operation too long (time limit)"

-- argument errors name the function differently ('table.insert' vs '?')
local function norm(v)
  if type(v) == "string" then return (v:gsub("to '[^']*'", "to 'F'")) end
  return v
end

local function repr(v)
  local tv = type(v)
  if tv == "string" then return string.format("%q", v)
  elseif tv == "number" then return math.type(v) .. ":" .. string.format("%.17g", v)
  elseif tv == "table" then return "tbl:" .. tostring(rawget(v, "id") or "?")
  elseif tv == "function" then return "fn"
  else return tostring(v) end
end

local function show(t)
  if t.n > 64 then  -- big unpack results: count and a sample
    return "n=" .. t.n .. " first=" .. repr(t[2]) .. " last=" .. repr(t[t.n])
  end
  local out = {}
  for i = 1, t.n do out[#out + 1] = repr(norm(t[i])) end
  return "(" .. table.concat(out, ", ") .. ")"
end

local function snap(t)
  if type(t) ~= "table" then return repr(t) end
  local keys = {}
  for k in next, t do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end)
  local out = {}
  for _, k in ipairs(keys) do out[#out + 1] = repr(k) .. "=" .. repr(rawget(t, k)) end
  return "{" .. table.concat(out, " ") .. "}"
end

-- a table whose every access goes through Lua metamethods, logged
local function proxy(arr, len)
  local store, log = {}, {}
  for k, v in pairs(arr) do store[k] = v end
  local mt = {
    __len = function() log[#log + 1] = "#"; if type(len) == "function" then return len() end return len end,
    __index = function(_, k) log[#log + 1] = "g" .. tostring(k); return store[k] end,
    __newindex = function(_, k, v) log[#log + 1] = "s" .. tostring(k) .. "=" .. tostring(v); store[k] = v end,
  }
  return setmetatable({}, mt), store, log
end

-- runs one case on one library; 'build' makes fresh inputs each time and
-- returns args (with n), the table to snapshot, and the access log
local function observe(lib, fname, build)
  local args, store, log = build()
  local r = pack(pcall(lib[fname], unpack(args, 1, args.n)))
  return show(r) .. " | " .. snap(store) .. " | " .. table.concat(log or {}, ",")
end

local ncases, nfail = 0, 0
local function case(fname, build, label)
  ncases = ncases + 1
  local a = observe(table, fname, build)
  local b = observe(ptable, fname, build)
  if a ~= b then
    nfail = nfail + 1
    if nfail <= 20 then
      print(("MISMATCH %s %s\n  table:  %s\n  ptable: %s"):format(fname, label or "", a, b))
    end
  end
end

local function args(...) return pack(...) end
local function arr(n) local t = {} for i = 1, n do t[i] = "v" .. i end return t end
local mi, MI = math.mininteger, math.maxinteger

-- ================= named cases =================
-- insert: every size and position, plain and proxy
local positions = {mi, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, MI, 1.0, 2.0, 1.5, "2", "x", {}, true}
for n = 0, 5 do
  case("insert", function() local t = arr(n); return args(t, "new"), t end, "append n=" .. n)
  case("insert", function() local t = arr(n); return args(t, nil), t end, "append nil n=" .. n)
  for _, p in ipairs(positions) do
    case("insert", function() local t = arr(n); return args(t, p, "new"), t end, "n=" .. n .. " pos=" .. tostring(p))
    case("insert", function() local t, s, l = proxy(arr(n), n); return args(t, p, "new"), s, l end, "proxy n=" .. n .. " pos=" .. tostring(p))
  end
end
case("insert", function() local t = arr(3); return args(t), t end, "1 arg")
case("insert", function() local t = arr(3); return args(t, 1, 2, 3), t end, "4 args")
case("insert", function() local t = arr(3); return args(t, 1, nil, nil), t end, "4 args nils")
case("insert", function() return args(), nil end, "no args")
case("insert", function() return args(nil, 1), nil end, "nil table")
case("insert", function() return args("abc", 1), nil end, "string")
case("insert", function() return args(io.stdout, 1), nil end, "userdata")
case("insert", function() local t = arr(3); return args(t, 2, nil), t end, "insert nil mid")
case("insert", function() local t, s, l = proxy(arr(3), 3.0); return args(t, 2, "x"), s, l end, "__len float")
case("insert", function() local t, s, l = proxy(arr(3), 2.5); return args(t, 2, "x"), s, l end, "__len 2.5")
case("insert", function() local t, s, l = proxy(arr(3), "3"); return args(t, 2, "x"), s, l end, "__len '3'")
case("insert", function() local t, s, l = proxy(arr(3), "x"); return args(t, 2, "x"), s, l end, "__len 'x'")
case("insert", function() local t, s, l = proxy(arr(3), -5); return args(t, 1, "x"), s, l end, "__len -5")
case("insert", function() local t, s, l = proxy(arr(3), MI); return args(t, 1, "x"), s, l end, "__len maxint wraps")
case("insert", function() local t, s, l = proxy(arr(3), MI); return args(t, "x"), s, l end, "__len maxint append")
case("insert", function()
  local t = setmetatable({}, {__len = function() error("len boom") end}); return args(t, 1), t end, "__len errors")
case("insert", function()
  local t = setmetatable({1, 2, 3}, {__newindex = function(_, k) error("ni " .. k) end}); return args(t, 1, 0), t end, "__newindex errors")
case("insert", function()
  local log = {}
  local t = setmetatable({1, 2, nil, 4}, {__index = function(_, k) log[#log+1] = "g" .. k; return "I" .. k end})
  return args(t, 1, 0), t, log end, "raw with __index holes")

-- remove
for n = 0, 5 do
  case("remove", function() local t = arr(n); return args(t), t end, "last n=" .. n)
  case("remove", function() local t, s, l = proxy(arr(n), n); return args(t), s, l end, "proxy last n=" .. n)
  for _, p in ipairs({mi, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, MI, 2.0, 1.5, "3", "y", nil, false}) do
    case("remove", function() local t = arr(n); return args(t, p), t end, "n=" .. n .. " pos=" .. tostring(p))
    case("remove", function() local t, s, l = proxy(arr(n), n); return args(t, p), s, l end, "proxy n=" .. n .. " pos=" .. tostring(p))
  end
end
case("remove", function() local t = {[0] = "z"}; return args(t, 0), t end, "remove [0] of empty")
case("remove", function() local t = {[0] = "z"}; return args(t), t end, "remove of empty with [0]")
case("remove", function() local t, s, l = proxy({"a"}, -1); return args(t), s, l end, "__len -1")
case("remove", function() local t, s, l = proxy({"a"}, mi); return args(t, mi), s, l end, "__len minint pos minint")
case("remove", function() local t, s, l = proxy({"a"}, MI); return args(t, MI), s, l end, "__len maxint pos maxint")
case("remove", function() return args(42), nil end, "number")
case("remove", function() local t = arr(3); return args(t, 1, 2), t end, "extra args")

-- concat
local cvals = {
  {"a", "b", "c"}, {1, 2, 3}, {1.5, -0.0, 2^63, mi, MI, 1e300, 0/0 ~= 0/0 and 1 or 2},
  {"x", 2, "y", 3.25}, {}, {"only"}, {"a", {}, "c"}, {"a", true}, {"a", nil, "c"},
  {"", "", ""}, {"a\0b", "\0", "c"}, {function() end},
}
local seps = {nil, "", ", ", "\0", 7, 1.5, {}, false}
for ci, vals in ipairs(cvals) do
  for si = 1, #seps + 1 do
    local sep = seps[si]
    case("concat", function() local t = {table.unpack(vals, 1, 8)}; return args(t, sep), t end, "c" .. ci .. " sep" .. si)
  end
  for _, ij in ipairs({{1, 3}, {2, 3}, {3, 3}, {3, 2}, {0, 2}, {-1, 1}, {2, nil}, {nil, 2}, {4, 4}, {1.0, 2.0}, {1.5, 2}, {"2", "3"}, {mi, mi}, {MI, MI}, {MI - 1, MI}}) do
    case("concat", function() local t = {table.unpack(vals, 1, 8)}; return args(t, "-", ij[1], ij[2]), t end,
      "c" .. ci .. " i=" .. tostring(ij[1]) .. " j=" .. tostring(ij[2]))
  end
end
case("concat", function() local t, s, l = proxy({"p", "q", 3}, 3); return args(t, "+"), s, l end, "proxy")
case("concat", function() local t, s, l = proxy({"p", "q", 3}, 3); return args(t, "+", 2), s, l end, "proxy i=2")
case("concat", function()
  local t = setmetatable({}, {__index = function(_, k) return "k" .. k end, __len = function() return 4 end})
  return args(t, "."), nil end, "index+len only (no __newindex needed)")
case("concat", function()
  local t = setmetatable({}, {__index = function(_, k) return "k" .. k end}) return args(t, "."), nil end, "no __len: raw length 0")
case("concat", function() return args("abc"), nil end, "string (no __len)")
case("concat", function() return args(nil), nil end, "nil")
case("concat", function() return args(), nil end, "no args")

-- unpack
local ut = {"a", "b", "c", [0] = "z", [-1] = "m"}
for _, ij in ipairs({{}, {1}, {2}, {3}, {4}, {0}, {-1}, {1, 3}, {1, 5}, {2, 1}, {0, 0}, {-1, 1}, {3, 3},
    {mi, mi}, {MI, MI}, {MI - 2, MI}, {mi, mi + 2}, {mi, MI}, {1, MI}, {0, MI}, {-5, MI}, {1, 1e7},
    {1, 2^31}, {1, 2^31 - 2}, {1, 200}, {1, 1000}, {1, 5000}, {1, 100000}, {1, 999000}, {1, 999990}, {1, 1.0}, {1.5, 2}, {"1", "2"}, {1, "x"},
    {nil, 2}, {2, nil}, {1, {}}}) do
  case("unpack", function() local t = {}; for k, v in pairs(ut) do t[k] = v end; return args(t, ij[1], ij[2]), t end,
    "i=" .. tostring(ij[1]) .. " j=" .. tostring(ij[2]))
end
case("unpack", function() local t, s, l = proxy({"a", "b", "c"}, 3); return args(t), s, l end, "proxy")
case("unpack", function() local t, s, l = proxy({"a", "b", "c"}, 3); return args(t, 2, 5), s, l end, "proxy 2..5")
case("unpack", function() local t, s, l = proxy({"a"}, MI); return args(t), s, l end, "proxy __len maxint")
case("unpack", function() local t, s, l = proxy({"a"}, 2^31 + 5); return args(t, -3), s, l end, "proxy __len huge")
case("unpack", function() return args("abc"), nil end, "string")
case("unpack", function() return args("abc", 1, 2), nil end, "string range")
case("unpack", function() return args(nil), nil end, "nil")
case("unpack", function() return args(nil, 1, 2), nil end, "nil range")
case("unpack", function() return args(42, 1, 1), nil end, "number range")

-- sort
local function sortcases()
  return {
    {}, {1}, {2, 1}, {1, 2}, {3, 1, 2}, {5, 4, 3, 2, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
    {3, 3, 3, 1, 1, 2}, {1.5, -2, 1e300, -1e300, mi, MI, 0.5, 3},
    {"b", "a", "c", "ab", "", "B"}, {"a\0c", "a\0b", "a"},
    {3, "x", 1}, {1, 2, {}}, {1, nil, 3}, {0/0, 1, 2}, {true, false},
  }
end
local cmps = {
  {"nil", nil}, {"gt", function(a, b) return a > b end}, {"lt", function(a, b) return a < b end},
  {"le", function(a, b) return a <= b end}, {"true", function() return true end},
  {"false", function() return false end}, {"err", function() error("cmp boom") end},
  {"num", 5}, {"str", "x"}, {"tbl", {}},
}
for si, _ in ipairs(sortcases()) do
  for _, c in ipairs(cmps) do
    case("sort", function() local t = sortcases()[si]; return args(t, c[2]), t end, "s" .. si .. " " .. c[1])
  end
  case("sort", function() local t = sortcases()[si]; local s, l; t, s, l = proxy(t, #t); return args(t), s, l end, "proxy s" .. si)
  case("sort", function() local t = sortcases()[si]; local s, l; t, s, l = proxy(t, #t); return args(t, cmps[2][2]), s, l end, "proxy gt s" .. si)
end
for _, n in ipairs({10, 50, 99, 100, 101, 127, 128, 129, 200, 500, 1000}) do
  local function build(kind)
    return function()
      local t = {}
      for i = 1, n do
        if kind == "asc" then t[i] = i elseif kind == "desc" then t[i] = n - i
        elseif kind == "saw" then t[i] = i % 7 elseif kind == "const" then t[i] = 1
        else t[i] = (i * 7919) % 1009 end
      end
      return args(t), t
    end
  end
  for _, kind in ipairs({"asc", "desc", "saw", "const", "mod"}) do case("sort", build(kind), kind .. n) end
end
case("sort", function() local t, s, l = proxy({3, 1, 2}, 2^31 - 1); return args(t), s, l end, "array too big")
case("sort", function() local t, s, l = proxy({3, 1, 2}, MI); return args(t), s, l end, "array too big maxint")
case("sort", function() local t, s, l = proxy({3, 1, 2}, -4); return args(t), s, l end, "negative length")
case("sort", function() return args("cba"), nil end, "string")
case("sort", function() return args(nil), nil end, "nil")
case("sort", function() return args({2, 1}, nil, "extra"), nil end, "extra arg")
case("sort", function() return args({1}, 5), nil end, "n=1 bad cmp ignored")
case("sort", function()
  local mt = {__lt = function(a, b) return a.k < b.k end}
  local t = {}
  for i = 1, 30 do t[i] = setmetatable({id = i, k = (i * 37) % 30}, mt) end
  return args(t), t end, "__lt")
case("sort", function()
  local mt = {__lt = function(a, b) return a.k < b.k end}
  local t = {setmetatable({id = 1, k = 1}, mt), 2}
  return args(t), t end, "__lt mixed")
case("sort", function()
  local t = {5, 3, 4, 1, 2}
  return args(t, function(a, b) ptable.sort({3, 2, 1}); table.sort({3, 2, 1}); return a < b end), t end, "nested sort in cmp")
case("sort", function()
  local t = {5, 3, 4, 1, 2}
  return args(t, function(a, b) coroutine.yield() return a < b end), t end, "yield in cmp (outside coroutine)")
print(("named cases: %d, mismatches: %d"):format(ncases, nfail))
local named_cases = ncases

-- yield across the C call, inside a coroutine
for _, lib in ipairs({table, ptable}) do
  local co = coroutine.wrap(function()
    return pcall(lib.sort, {3, 2, 1}, function(a, b) coroutine.yield() return a < b end) end)
  local ok, msg = co()
  assert(ok == false and msg:find("attempt to yield across a C%-call boundary"), tostring(msg))
end

-- ================= random fuzz =================
math.randomseed(12345)
local R = math.random
local function rval()
  local k = R(1, 10)
  if k <= 4 then return R(-5, 20) elseif k <= 6 then return "s" .. R(1, 30)
  elseif k == 7 then return R() * 100 elseif k == 8 then return nil
  elseif k == 9 then return ({true, false, {}})[R(1, 3)] else return "" end
end
local function rpos(n)
  local k = R(1, 20)
  if k <= 14 then return R(-2, n + 3) elseif k == 15 then return ({mi, MI, mi + 1, MI - 1})[R(1, 4)]
  elseif k == 16 then return R(-2, n + 3) + 0.0 elseif k == 17 then return 1.5
  elseif k == 18 then return tostring(R(0, n + 1)) elseif k == 19 then return nil else return "z" end
end
local function rtab(strs)
  local n = R(0, 12)
  local t = {}
  for i = 1, n do
    if strs then t[i] = (R(1, 8) == 1) and R(-100, 100) or ("w" .. R(1, 50)) else t[i] = rval() end
  end
  return t, n
end
local fuzz0 = ncases
for iter = 1, 16000 do
  local fname = ({"insert", "remove", "concat", "unpack"})[iter % 4 + 1]
  local base, n = rtab(fname == "concat" and R(1, 4) > 1)
  local useproxy = R(1, 4) == 1
  local plen = R(1, 6) == 1 and R(-2, n + 3) or n
  local a = {}
  local na = R(1, 4)
  if fname == "insert" then
    na = ({2, 3, 3, 3, 3, 1, 4})[R(1, 7)]
    a = {rpos(n), rval(), rval()}
  elseif fname == "remove" then a = {rpos(n)}; na = R(1, 2)
  elseif fname == "concat" then
    a = {({nil, "", ",", "--", 3})[R(1, 5)], rpos(n), rpos(n)}
  else a = {rpos(n), rpos(n)} end
  case(fname, function()
    local t, s, l
    if useproxy then t, s, l = proxy(base, plen) else
      t = {}; for k, v in pairs(base) do t[k] = v end; s = t end
    return pack(t, unpack(a, 1, na - 1)), s, l
  end, "fuzz" .. iter)
end
print(("fuzz insert/remove/concat/unpack: %d cases, mismatches so far: %d"):format(ncases - fuzz0, nfail))

-- sort fuzz: both outputs sorted, permutations of the input, and (the
-- algorithm and pivots being the same) equal
local sort_fuzz, sort_equal = 0, 0
local function key(v) return math.type(v) and ("n" .. string.format("%.17g", v)) or ("s" .. v) end
for iter = 1, 4000 do
  local n = ({R(0, 10), R(0, 100), R(100, 400), R(1000, 3000)})[R(1, 4)]
  local kind = R(1, 4)
  local input = {}
  for i = 1, n do
    if kind == 1 then input[i] = R(1, 10) elseif kind == 2 then input[i] = R(-1e6, 1e6)
    elseif kind == 3 then input[i] = R() else input[i] = "k" .. R(1, 200) end
  end
  local cmpk = R(1, 3)
  local cmp = ({nil, function(a, b) return a > b end, function(a, b) return a < b end})[cmpk]
  local outs = {}
  for li, lib in ipairs({table, ptable}) do
    local t = {unpack(input, 1, n)}
    lib.sort(t, cmp)
    outs[li] = t
    for i = 2, n do
      local ok = cmp and not cmp(t[i], t[i - 1]) or (not cmp and not (t[i] < t[i - 1]))
      if not ok then error("not sorted: iter " .. iter) end
    end
    local count = {}
    for i = 1, n do local k = key(input[i]); count[k] = (count[k] or 0) + 1 end
    for i = 1, n do local k = key(t[i]); count[k] = (count[k] or 0) - 1 end
    for _, c in pairs(count) do if c ~= 0 then error("not a permutation: iter " .. iter) end end
  end
  sort_fuzz = sort_fuzz + 1
  local eq = true
  for i = 1, n do if outs[1][i] ~= outs[2][i] then eq = false break end end
  if eq then sort_equal = sort_equal + 1 end
end
print(("fuzz sort: %d arrays (up to 3000 elements), all sorted permutations; identical outputs: %d"):format(sort_fuzz, sort_equal))
-- records sorted by one field: unstable, so only sortedness + permutation
local rec_eq = 0
for iter = 1, 500 do
  local n = R(2, 500)
  local input = {}
  for i = 1, n do input[i] = {id = i, k = R(1, 20)} end
  local outs = {}
  for li, lib in ipairs({table, ptable}) do
    local t = {unpack(input)}
    lib.sort(t, function(a, b) return a.k < b.k end)
    local seen = {}
    for i = 1, n do
      assert(not seen[t[i].id]); seen[t[i].id] = true
      if i > 1 then assert(t[i - 1].k <= t[i].k, "records not sorted") end
    end
    outs[li] = t
  end
  local eq = true
  for i = 1, n do if outs[1][i] ~= outs[2][i] then eq = false end end
  if eq then rec_eq = rec_eq + 1 end
end
print(("fuzz sort of records by key: 500 arrays sorted, permutations; identical outputs: %d"):format(rec_eq))

-- ================= step accounting =================
assert(nfail == 0, "ptable disagrees with table")
