/*
** papo_tablib.h: bounded table.insert / remove / concat / unpack / sort
** for Papo's sandbox.
**
** Derived from Lua 5.4.4 ltablib.c,
** Copyright (C) 1994-2022 Lua.org, PUC-Rio.
**
** Why: Debian's liblua5.4 cannot bound these functions' loops (they run
** inside C, moving, concatenating or comparing elements as many times as a
** __len metamethod or a long string asks, where no hook can stop them), so
** Papo carries a copy of them whose every step is counted and which gives
** up past a budget.
**
** Permission is hereby granted, free of charge, to any person obtaining
** a copy of this software and associated documentation files (the
** "Software"), to deal in the Software without restriction, including
** without limitation the rights to use, copy, modify, merge, publish,
** distribute, sublicense, and/or sell copies of the Software, and to
** permit persons to whom the Software is furnished to do so, subject to
** the following conditions:
**
** The above copyright notice and this permission notice shall be
** included in all copies or substantial portions of the Software.
**
** THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
** EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
** MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
** IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
** CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
** TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
** SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
*/

/*
** What this header provides: five lua_CFunctions with the arguments,
** results and error messages of Lua 5.4.4's table.insert / table.remove /
** table.concat / table.unpack / table.sort:
**
**     papo_tab_insert   papo_tab_remove   papo_tab_concat
**     papo_tab_unpack   papo_tab_sort
**
** Differences from ltablib.c:
**  - every unit of work is counted in papo_TabState.steps: each element
**    moved by insert / remove, each element pushed by unpack, each element
**    added by concat (plus one step per 64 bytes of the element and of the
**    separator that follows it, charged before the copy), and each
**    comparison and each swap (set2) of sort; a comparison of two strings
**    (with or without an order function) additionally costs (length of the
**    shorter one / 64) steps, charged before the comparison (Lua's
**    l_strcmp runs strcoll over the strings); the count starts at 0 for
**    each call;
**  - every PAPO_TABLE_CHECK_EVERY (1024) steps it calls
**    papo_pattern_interrupt(L) (the same hook as papo_patterns.h; the
**    including file must define it); a non-zero result stops the call with
**    the Lua error "table operation too long (time limit)";
**  - past PAPO_TABLE_MAX_STEPS steps in one call the same error is raised
**    whatever papo_pattern_interrupt says.
** Everything else (metamethods through lua_geti / lua_seti / luaL_len, the
** order of accesses, results, messages) is as in Lua 5.4.4.
**
** Like every library error, the limit error is raised with luaL_error, so
** its message starts with the calling Lua line ("chunk:line: ").
**
** papo_pattern_interrupt may run while concat holds a luaL_Buffer, while
** sort has a few values pushed, and while unpack has filled the stack space
** it reserved, so it must leave the Lua stack as it found it and push
** nothing without calling lua_checkstack first; it may itself raise a Lua
** error.
*/
#ifndef PAPO_TABLIB_H
#define PAPO_TABLIB_H

#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>

/*
** Provided by the including file (declared identically in papo_patterns.h).
** Called every PAPO_TABLE_CHECK_EVERY steps of one table call; return 0 to
** go on, non-zero to stop the call with "table operation too long (time
** limit)".
*/
static int papo_pattern_interrupt(lua_State *L);

/* hard cap on the steps of one library call */
#ifndef PAPO_TABLE_MAX_STEPS
#define PAPO_TABLE_MAX_STEPS 50000000LL
#endif

/* how many steps go by between calls of papo_pattern_interrupt */
#ifndef PAPO_TABLE_CHECK_EVERY
#define PAPO_TABLE_CHECK_EVERY 1024
#endif

/* bytes compared or copied that count as one step */
#define PAPO_TAB_BYTES_PER_STEP_SHIFT 6

#define PAPO_TAB_LIMIT_MESSAGE "table operation too long (time limit)"

#if defined(__GNUC__)
#define papo_tab_unlikely(x) (__builtin_expect(((x) != 0), 0))
#else
#define papo_tab_unlikely(x) (x)
#endif


/* ------------------------------------------------------------------ */
/* step accounting */

typedef struct papo_TabState {
  lua_State *L;
  long long steps;  /* work done in this library call */
  long long next_check;  /* 'steps' at which to call papo_pattern_interrupt */
} papo_TabState;

/* starts a new budget: one per library call */
static inline void papo_tab_init (papo_TabState *ts, lua_State *L) {
  ts->L = L;
  ts->steps = 0;
  ts->next_check = PAPO_TABLE_CHECK_EVERY;
}

/* reached every PAPO_TABLE_CHECK_EVERY steps: stop or go on */
static inline void papo_tab_checkpoint (papo_TabState *ts) {
  if (ts->steps > PAPO_TABLE_MAX_STEPS || papo_pattern_interrupt(ts->L) != 0)
    luaL_error(ts->L, PAPO_TAB_LIMIT_MESSAGE);
  ts->next_check = ts->steps + PAPO_TABLE_CHECK_EVERY;
}

/* charges 'n' steps of work */
#define PAPO_TAB_STEP(ts, n) do { \
    (ts)->steps += (long long)(n); \
    if (papo_tab_unlikely((ts)->steps >= (ts)->next_check)) \
      papo_tab_checkpoint(ts); \
  } while (0)

/* steps for 'len' bytes of copying or comparing */
static inline long long papo_tab_bytes_steps (size_t len) {
  return (long long)(len >> PAPO_TAB_BYTES_PER_STEP_SHIFT);
}


/* ------------------------------------------------------------------ */
/* table checks */

/*
** Operations that an object must define to mimic a table
** (some functions only need some of them)
*/
#define PAPO_TAB_R	1			/* read */
#define PAPO_TAB_W	2			/* write */
#define PAPO_TAB_L	4			/* length */
#define PAPO_TAB_RW	(PAPO_TAB_R | PAPO_TAB_W)		/* read/write */


static inline int papo_tab_checkfield (lua_State *L, const char *key, int n) {
  lua_pushstring(L, key);
  return (lua_rawget(L, -n) != LUA_TNIL);
}


/*
** Check that 'arg' either is a table or can behave like one (that is,
** has a metatable with the required metamethods)
*/
static inline void papo_tab_checktab (lua_State *L, int arg, int what) {
  if (lua_type(L, arg) != LUA_TTABLE) {  /* is it not a table? */
    int n = 1;  /* number of elements to pop */
    if (lua_getmetatable(L, arg) &&  /* must have metatable */
        (!(what & PAPO_TAB_R) || papo_tab_checkfield(L, "__index", ++n)) &&
        (!(what & PAPO_TAB_W) || papo_tab_checkfield(L, "__newindex", ++n)) &&
        (!(what & PAPO_TAB_L) || papo_tab_checkfield(L, "__len", ++n))) {
      lua_pop(L, n);  /* pop metatable and tested metamethods */
    }
    else
      luaL_checktype(L, arg, LUA_TTABLE);  /* force an error */
  }
}


/* ltablib.c's aux_getn macro */
static inline lua_Integer papo_tab_aux_getn (lua_State *L, int n, int w) {
  papo_tab_checktab(L, n, w | PAPO_TAB_L);
  return luaL_len(L, n);
}


/* ------------------------------------------------------------------ */
/* insert / remove / concat */

static inline int papo_tab_insert (lua_State *L) {
  papo_TabState ts;
  lua_Integer pos;  /* where to insert new element */
  lua_Integer e = papo_tab_aux_getn(L, 1, PAPO_TAB_RW);
  papo_tab_init(&ts, L);
  e = luaL_intop(+, e, 1);  /* first empty element */
  switch (lua_gettop(L)) {
    case 2: {  /* called with only 2 arguments */
      pos = e;  /* insert new element at the end */
      break;
    }
    case 3: {
      lua_Integer i;
      pos = luaL_checkinteger(L, 2);  /* 2nd argument is the position */
      /* check whether 'pos' is in [1, e] */
      luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2,
                       "position out of bounds");
      for (i = e; i > pos; i--) {  /* move up elements */
        PAPO_TAB_STEP(&ts, 1);
        lua_geti(L, 1, i - 1);
        lua_seti(L, 1, i);  /* t[i] = t[i - 1] */
      }
      break;
    }
    default: {
      return luaL_error(L, "wrong number of arguments to 'insert'");
    }
  }
  lua_seti(L, 1, pos);  /* t[pos] = v */
  return 0;
}


static inline int papo_tab_remove (lua_State *L) {
  papo_TabState ts;
  lua_Integer size = papo_tab_aux_getn(L, 1, PAPO_TAB_RW);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  papo_tab_init(&ts, L);
  if (pos != size)  /* validate 'pos' if given */
    /* check whether 'pos' is in [1, size + 1] */
    luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 1,
                     "position out of bounds");
  lua_geti(L, 1, pos);  /* result = t[pos] */
  for ( ; pos < size; pos++) {
    PAPO_TAB_STEP(&ts, 1);
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);  /* t[pos] = t[pos + 1] */
  }
  lua_pushnil(L);
  lua_seti(L, 1, pos);  /* remove entry t[pos] */
  return 1;
}


/* charges the copy of the value on top and of 'lsep' separator bytes */
static inline void papo_tab_addfield (papo_TabState *ts, luaL_Buffer *b,
                                      lua_Integer i, size_t lsep) {
  lua_State *L = ts->L;
  size_t len = 0;
  lua_geti(L, 1, i);
  if (papo_tab_unlikely(!lua_isstring(L, -1)))
    luaL_error(L, "invalid value (%s) at index %I in table for 'concat'",
                  luaL_typename(L, -1), (LUAI_UACINT)i);
  if (lua_type(L, -1) == LUA_TSTRING)
    len = lua_rawlen(L, -1);
  PAPO_TAB_STEP(ts, 1 + papo_tab_bytes_steps(len) + papo_tab_bytes_steps(lsep));
  luaL_addvalue(b);
}


static inline int papo_tab_concat (lua_State *L) {
  papo_TabState ts;
  luaL_Buffer b;
  lua_Integer last = papo_tab_aux_getn(L, 1, PAPO_TAB_R);
  size_t lsep;
  const char *sep = luaL_optlstring(L, 2, "", &lsep);
  lua_Integer i = luaL_optinteger(L, 3, 1);
  last = luaL_optinteger(L, 4, last);
  papo_tab_init(&ts, L);
  luaL_buffinit(L, &b);
  for (; i < last; i++) {
    papo_tab_addfield(&ts, &b, i, lsep);
    luaL_addlstring(&b, sep, lsep);
  }
  if (i == last)  /* add last value (if interval was not empty) */
    papo_tab_addfield(&ts, &b, i, 0);
  luaL_pushresult(&b);
  return 1;
}


/* ------------------------------------------------------------------ */
/* unpack */

static inline int papo_tab_unpack (lua_State *L) {
  papo_TabState ts;
  lua_Unsigned n;
  lua_Integer i = luaL_optinteger(L, 2, 1);
  lua_Integer e = luaL_opt(L, luaL_checkinteger, 3, luaL_len(L, 1));
  if (i > e) return 0;  /* empty range */
  n = (lua_Unsigned)e - i;  /* number of elements minus 1 (avoid overflows) */
  if (papo_tab_unlikely(n >= (unsigned int)INT_MAX  ||
                        !lua_checkstack(L, (int)(++n))))
    return luaL_error(L, "too many results to unpack");
  papo_tab_init(&ts, L);
  for (; i < e; i++) {  /* push arg[i..e - 1] (to avoid overflows) */
    PAPO_TAB_STEP(&ts, 1);
    lua_geti(L, 1, i);
  }
  lua_geti(L, 1, e);  /* push last element */
  return (int)n;
}


/*
** {======================================================
** Quicksort
** (based on 'Algorithms in MODULA-3', Robert Sedgewick;
**  Addison-Wesley, 1993.)
** =======================================================
*/


/* type for array indices */
typedef unsigned int papo_tab_IdxT;


/* size of 'e' measured in number of 'unsigned int's */
#define papo_tab_sof(e)		(sizeof(e) / sizeof(unsigned int))

/*
** Produce a "random" 'unsigned int' to randomize pivot choice. This
** is used only when 'sort' detects a big imbalance in the result
** of a partition.
** Use 'time' and 'clock' as sources of "randomness". Because we don't
** know the types 'clock_t' and 'time_t', we cannot cast them to
** anything without risking overflows. A safe way to use their values
** is to copy them to an array of a known type and use the array values.
*/
static inline unsigned int papo_tab_l_randomizePivot (void) {
  clock_t c = clock();
  time_t t = time(NULL);
  unsigned int buff[papo_tab_sof(c) + papo_tab_sof(t)];
  unsigned int i, rnd = 0;
  memcpy(buff, &c, papo_tab_sof(c) * sizeof(unsigned int));
  memcpy(buff + papo_tab_sof(c), &t, papo_tab_sof(t) * sizeof(unsigned int));
  for (i = 0; i < papo_tab_sof(buff); i++)
    rnd += buff[i];
  return rnd;
}


/* arrays larger than 'RANLIMIT' may use randomized pivots */
#define PAPO_TAB_RANLIMIT	100u


static inline void papo_tab_set2 (papo_TabState *ts, papo_tab_IdxT i,
                                  papo_tab_IdxT j) {
  lua_State *L = ts->L;
  PAPO_TAB_STEP(ts, 1);
  lua_seti(L, 1, i);
  lua_seti(L, 1, j);
}


/*
** Return true iff value at stack index 'a' is less than the value at
** index 'b' (according to the order of the sort).
*/
static inline int papo_tab_sort_comp (papo_TabState *ts, int a, int b) {
  lua_State *L = ts->L;
  long long cost = 1;
  if (lua_type(L, a) == LUA_TSTRING && lua_type(L, b) == LUA_TSTRING) {
    size_t la = lua_rawlen(L, a), lb = lua_rawlen(L, b);
    cost += papo_tab_bytes_steps(la < lb ? la : lb);
  }
  PAPO_TAB_STEP(ts, cost);
  if (lua_isnil(L, 2))  /* no function? */
    return lua_compare(L, a, b, LUA_OPLT);  /* a < b */
  else {  /* function */
    int res;
    lua_pushvalue(L, 2);    /* push function */
    lua_pushvalue(L, a-1);  /* -1 to compensate function */
    lua_pushvalue(L, b-2);  /* -2 to compensate function and 'a' */
    lua_call(L, 2, 1);      /* call function */
    res = lua_toboolean(L, -1);  /* get result */
    lua_pop(L, 1);          /* pop result */
    return res;
  }
}


/*
** Does the partition: Pivot P is at the top of the stack.
** precondition: a[lo] <= P == a[up-1] <= a[up],
** so it only needs to do the partition from lo + 1 to up - 2.
** Pos-condition: a[lo .. i - 1] <= a[i] == P <= a[i + 1 .. up]
** returns 'i'.
*/
static inline papo_tab_IdxT papo_tab_partition (papo_TabState *ts,
                                                papo_tab_IdxT lo,
                                                papo_tab_IdxT up) {
  lua_State *L = ts->L;
  papo_tab_IdxT i = lo;  /* will be incremented before first use */
  papo_tab_IdxT j = up - 1;  /* will be decremented before first use */
  /* loop invariant: a[lo .. i] <= P <= a[j .. up] */
  for (;;) {
    /* next loop: repeat ++i while a[i] < P */
    while ((void)lua_geti(L, 1, ++i), papo_tab_sort_comp(ts, -1, -2)) {
      if (papo_tab_unlikely(i == up - 1))  /* a[i] < P  but a[up - 1] == P  ?? */
        luaL_error(L, "invalid order function for sorting");
      lua_pop(L, 1);  /* remove a[i] */
    }
    /* after the loop, a[i] >= P and a[lo .. i - 1] < P */
    /* next loop: repeat --j while P < a[j] */
    while ((void)lua_geti(L, 1, --j), papo_tab_sort_comp(ts, -3, -1)) {
      if (papo_tab_unlikely(j < i))  /* j < i  but  a[j] > P ?? */
        luaL_error(L, "invalid order function for sorting");
      lua_pop(L, 1);  /* remove a[j] */
    }
    /* after the loop, a[j] <= P and a[j + 1 .. up] >= P */
    if (j < i) {  /* no elements out of place? */
      /* a[lo .. i - 1] <= P <= a[j + 1 .. i .. up] */
      lua_pop(L, 1);  /* pop a[j] */
      /* swap pivot (a[up - 1]) with a[i] to satisfy pos-condition */
      papo_tab_set2(ts, up - 1, i);
      return i;
    }
    /* otherwise, swap a[i] - a[j] to restore invariant and repeat */
    papo_tab_set2(ts, i, j);
  }
}


/*
** Choose an element in the middle (2nd-3th quarters) of [lo,up]
** "randomized" by 'rnd'
*/
static inline papo_tab_IdxT papo_tab_choosePivot (papo_tab_IdxT lo,
                                                  papo_tab_IdxT up,
                                                  unsigned int rnd) {
  papo_tab_IdxT r4 = (up - lo) / 4;  /* range/4 */
  papo_tab_IdxT p = rnd % (r4 * 2) + (lo + r4);
  /* lua_assert(lo + r4 <= p && p <= up - r4); */
  return p;
}


/*
** Quicksort algorithm (recursive function)
*/
static inline void papo_tab_auxsort (papo_TabState *ts, papo_tab_IdxT lo,
                                     papo_tab_IdxT up, unsigned int rnd) {
  lua_State *L = ts->L;
  while (lo < up) {  /* loop for tail recursion */
    papo_tab_IdxT p;  /* Pivot index */
    papo_tab_IdxT n;  /* to be used later */
    /* sort elements 'lo', 'p', and 'up' */
    lua_geti(L, 1, lo);
    lua_geti(L, 1, up);
    if (papo_tab_sort_comp(ts, -1, -2))  /* a[up] < a[lo]? */
      papo_tab_set2(ts, lo, up);  /* swap a[lo] - a[up] */
    else
      lua_pop(L, 2);  /* remove both values */
    if (up - lo == 1)  /* only 2 elements? */
      return;  /* already sorted */
    if (up - lo < PAPO_TAB_RANLIMIT || rnd == 0)  /* small interval or no randomize? */
      p = (lo + up)/2;  /* middle element is a good pivot */
    else  /* for larger intervals, it is worth a random pivot */
      p = papo_tab_choosePivot(lo, up, rnd);
    lua_geti(L, 1, p);
    lua_geti(L, 1, lo);
    if (papo_tab_sort_comp(ts, -2, -1))  /* a[p] < a[lo]? */
      papo_tab_set2(ts, p, lo);  /* swap a[p] - a[lo] */
    else {
      lua_pop(L, 1);  /* remove a[lo] */
      lua_geti(L, 1, up);
      if (papo_tab_sort_comp(ts, -1, -2))  /* a[up] < a[p]? */
        papo_tab_set2(ts, p, up);  /* swap a[up] - a[p] */
      else
        lua_pop(L, 2);
    }
    if (up - lo == 2)  /* only 3 elements? */
      return;  /* already sorted */
    lua_geti(L, 1, p);  /* get middle element (Pivot) */
    lua_pushvalue(L, -1);  /* push Pivot */
    lua_geti(L, 1, up - 1);  /* push a[up - 1] */
    papo_tab_set2(ts, p, up - 1);  /* swap Pivot (a[p]) with a[up - 1] */
    p = papo_tab_partition(ts, lo, up);
    /* a[lo .. p - 1] <= a[p] == P <= a[p + 1 .. up] */
    if (p - lo < up - p) {  /* lower interval is smaller? */
      papo_tab_auxsort(ts, lo, p - 1, rnd);  /* call recursively for lower interval */
      n = p - lo;  /* size of smaller interval */
      lo = p + 1;  /* tail call for [p + 1 .. up] (upper interval) */
    }
    else {
      papo_tab_auxsort(ts, p + 1, up, rnd);  /* call recursively for upper interval */
      n = up - p;  /* size of smaller interval */
      up = p - 1;  /* tail call for [lo .. p - 1]  (lower interval) */
    }
    if ((up - lo) / 128 > n) /* partition too imbalanced? */
      rnd = papo_tab_l_randomizePivot();  /* try a new randomization */
  }  /* tail call auxsort(L, lo, up, rnd) */
}


static inline int papo_tab_sort (lua_State *L) {
  lua_Integer n = papo_tab_aux_getn(L, 1, PAPO_TAB_RW);
  if (n > 1) {  /* non-trivial interval? */
    papo_TabState ts;
    luaL_argcheck(L, n < INT_MAX, 1, "array too big");
    if (!lua_isnoneornil(L, 2))  /* is there a 2nd argument? */
      luaL_checktype(L, 2, LUA_TFUNCTION);  /* must be a function */
    lua_settop(L, 2);  /* make sure there are two arguments */
    papo_tab_init(&ts, L);
    papo_tab_auxsort(&ts, 1, (papo_tab_IdxT)n, 0);
  }
  return 0;
}

/* }====================================================== */

#endif /* PAPO_TABLIB_H */
