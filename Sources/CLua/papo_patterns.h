/*
** papo_patterns.h: bounded Lua pattern matching for Papo's sandbox.
**
** Derived from Lua 5.4.4 lstrlib.c (the PATTERN MATCHING section),
** Copyright (C) 1994-2022 Lua.org, PUC-Rio.
**
** Why: Debian's liblua5.4 cannot bound its pattern matcher (it backtracks
** inside C, where no hook can stop it), so Papo carries a copy of the
** matcher whose every step is counted and which gives up past a budget.
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
** What this header provides: four lua_CFunctions with the arguments and
** results of Lua 5.4.4's string.find / string.match / string.gmatch /
** string.gsub:
**
**     papo_str_find   papo_str_match   papo_str_gmatch   papo_str_gsub
**
** Differences from lstrlib.c:
**  - every unit of work is counted in MatchState.steps (each dispatch in
**    papo_do_match, each iteration of max_expand / min_expand /
**    matchbalance / the set scans in classend and matchbracketclass, each
**    start position tried, back-reference compares and gsub replacement
**    copies by length); the count starts at 0 for each find / match / gsub
**    call and for each call of a gmatch iterator;
**  - every PAPO_PATTERN_CHECK_EVERY (4096) steps it calls
**    papo_pattern_interrupt(L), which the including file must define; a
**    non-zero result stops the call with the Lua error
**    "pattern too complex (step limit)";
**  - past PAPO_PATTERN_MAX_STEPS steps in one call the same error is raised
**    whatever papo_pattern_interrupt says;
**  - plain searches (find with `plain` true, or a pattern without special
**    characters) use memmem instead of lmemfind, one window of
**    PAPO_PLAIN_FIND_WINDOW start positions per memmem call, and call
**    papo_pattern_interrupt between windows (glibc's memmem is not linear
**    for needles of 256 bytes or fewer, so one call over a whole subject
**    of many megabytes could run long where nothing can stop it).
**
** papo_pattern_interrupt may run while gsub holds a luaL_Buffer, so it must
** leave the Lua stack as it found it; it may itself raise a Lua error.
*/
#ifndef PAPO_PATTERNS_H
#define PAPO_PATTERNS_H

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>

/* glibc declares memmem only under _GNU_SOURCE, which a header included
** after <string.h> cannot turn on. The declaration is the POSIX-2024 one. */
#if !defined(__USE_GNU)
extern void *memmem(const void *haystack, size_t haystacklen,
                    const void *needle, size_t needlelen);
#endif

/*
** Provided by the including file. Called every PAPO_PATTERN_CHECK_EVERY
** steps of one pattern call; return 0 to go on, non-zero to stop the call
** with "pattern too complex (step limit)".
*/
static int papo_pattern_interrupt(lua_State *L);

/* hard cap on the steps of one library call */
#ifndef PAPO_PATTERN_MAX_STEPS
#define PAPO_PATTERN_MAX_STEPS 20000000LL
#endif

/* bytes compared or copied (memcmp, buffer copies) that count as one step;
** one matcher step costs about as much as comparing 64 bytes */
#define PAPO_BYTES_PER_STEP_SHIFT 6

/* how many steps go by between calls of papo_pattern_interrupt */
#ifndef PAPO_PATTERN_CHECK_EVERY
#define PAPO_PATTERN_CHECK_EVERY 4096
#endif

/* start positions searched by one memmem call of a plain find; between
** two calls papo_pattern_interrupt is asked. (A needle longer than an
** eighth of this gets windows of 8 * its length, so the overlap of
** windows and memmem's per-call set-up stay small against the search.) */
#ifndef PAPO_PLAIN_FIND_WINDOW
#define PAPO_PLAIN_FIND_WINDOW 65536
#endif

/*
** maximum number of captures that a pattern can do during
** pattern-matching. This limit is arbitrary, but must fit in
** an unsigned char.
*/
#if defined(LUA_MAXCAPTURES)
#define PAPO_MAXCAPTURES LUA_MAXCAPTURES
#else
#define PAPO_MAXCAPTURES 32
#endif

/* maximum recursion depth for 'match' */
#define PAPO_MAXCCALLS 200

/* macro to 'unsign' a character */
#define PAPO_UCHAR(c) ((unsigned char)(c))

#define PAPO_L_ESC '%'
#define PAPO_SPECIALS "^$*+?.([%-"

#define PAPO_CAP_UNFINISHED (-1)
#define PAPO_CAP_POSITION (-2)

#if defined(__GNUC__)
#define papo_unlikely(x) (__builtin_expect(((x) != 0), 0))
#else
#define papo_unlikely(x) (x)
#endif

#define PAPO_STEP_LIMIT_MESSAGE "pattern too complex (step limit)"


typedef struct papo_MatchState {
  const char *src_init;  /* init of source string */
  const char *src_end;  /* end ('\0') of source string */
  const char *p_end;  /* end ('\0') of pattern */
  lua_State *L;
  int matchdepth;  /* control for recursive depth (to avoid C stack overflow) */
  unsigned char level;  /* total number of captures (finished or unfinished) */
  long long steps;  /* work done in this library call */
  long long next_check;  /* 'steps' at which to call papo_pattern_interrupt */
  struct {
    const char *init;
    ptrdiff_t len;
  } capture[PAPO_MAXCAPTURES];
} papo_MatchState;


/* ------------------------------------------------------------------ */
/* step accounting */

/* starts a new budget: one per library call (or gmatch iterator call) */
static inline void papo_reset_steps (papo_MatchState *ms) {
  ms->steps = 0;
  ms->next_check = PAPO_PATTERN_CHECK_EVERY;
}

/* reached every PAPO_PATTERN_CHECK_EVERY steps: stop or go on */
static void papo_pattern_checkpoint (papo_MatchState *ms) {
  if (ms->steps > PAPO_PATTERN_MAX_STEPS || papo_pattern_interrupt(ms->L) != 0)
    luaL_error(ms->L, PAPO_STEP_LIMIT_MESSAGE);
  ms->next_check = ms->steps + PAPO_PATTERN_CHECK_EVERY;
}

/* charges 'n' steps of work */
#define PAPO_STEP(ms, n) do { \
    (ms)->steps += (long long)(n); \
    if (papo_unlikely((ms)->steps >= (ms)->next_check)) \
      papo_pattern_checkpoint(ms); \
  } while (0)


/* ------------------------------------------------------------------ */
/* the matcher */

/* recursive function */
static const char *papo_do_match (papo_MatchState *ms, const char *s,
                                  const char *p);


static inline int papo_check_capture (papo_MatchState *ms, int l) {
  l -= '1';
  if (papo_unlikely(l < 0 || l >= ms->level ||
                    ms->capture[l].len == PAPO_CAP_UNFINISHED))
    return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
  return l;
}


static inline int papo_capture_to_close (papo_MatchState *ms) {
  int level = ms->level;
  for (level--; level>=0; level--)
    if (ms->capture[level].len == PAPO_CAP_UNFINISHED) return level;
  return luaL_error(ms->L, "invalid pattern capture");
}


static inline const char *papo_classend (papo_MatchState *ms, const char *p) {
  switch (*p++) {
    case PAPO_L_ESC: {
      if (papo_unlikely(p == ms->p_end))
        luaL_error(ms->L, "malformed pattern (ends with '%%')");
      return p+1;
    }
    case '[': {
      if (*p == '^') p++;
      do {  /* look for a ']' */
        PAPO_STEP(ms, 1);
        if (papo_unlikely(p == ms->p_end))
          luaL_error(ms->L, "malformed pattern (missing ']')");
        if (*(p++) == PAPO_L_ESC && p < ms->p_end)
          p++;  /* skip escapes (e.g. '%]') */
      } while (*p != ']');
      return p+1;
    }
    default: {
      return p;
    }
  }
}


static inline int papo_match_class (int c, int cl) {
  int res;
  switch (tolower(cl)) {
    case 'a' : res = isalpha(c); break;
    case 'c' : res = iscntrl(c); break;
    case 'd' : res = isdigit(c); break;
    case 'g' : res = isgraph(c); break;
    case 'l' : res = islower(c); break;
    case 'p' : res = ispunct(c); break;
    case 's' : res = isspace(c); break;
    case 'u' : res = isupper(c); break;
    case 'w' : res = isalnum(c); break;
    case 'x' : res = isxdigit(c); break;
    case 'z' : res = (c == 0); break;  /* deprecated option */
    default: return (cl == c);
  }
  return (islower(cl) ? res : !res);
}


static inline int papo_matchbracketclass (papo_MatchState *ms, int c,
                                          const char *p, const char *ec) {
  int sig = 1;
  if (*(p+1) == '^') {
    sig = 0;
    p++;  /* skip the '^' */
  }
  while (++p < ec) {
    PAPO_STEP(ms, 1);
    if (*p == PAPO_L_ESC) {
      p++;
      if (papo_match_class(c, PAPO_UCHAR(*p)))
        return sig;
    }
    else if ((*(p+1) == '-') && (p+2 < ec)) {
      p+=2;
      if (PAPO_UCHAR(*(p-2)) <= c && c <= PAPO_UCHAR(*p))
        return sig;
    }
    else if (PAPO_UCHAR(*p) == c) return sig;
  }
  return !sig;
}


static inline int papo_singlematch (papo_MatchState *ms, const char *s,
                                    const char *p, const char *ep) {
  if (s >= ms->src_end)
    return 0;
  else {
    int c = PAPO_UCHAR(*s);
    switch (*p) {
      case '.': return 1;  /* matches any char */
      case PAPO_L_ESC: return papo_match_class(c, PAPO_UCHAR(*(p+1)));
      case '[': return papo_matchbracketclass(ms, c, p, ep-1);
      default:  return (PAPO_UCHAR(*p) == c);
    }
  }
}


static inline const char *papo_matchbalance (papo_MatchState *ms,
                                             const char *s, const char *p) {
  if (papo_unlikely(p >= ms->p_end - 1))
    luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
  if (*s != *p) return NULL;
  else {
    int b = *p;
    int e = *(p+1);
    int cont = 1;
    while (++s < ms->src_end) {
      PAPO_STEP(ms, 1);
      if (*s == e) {
        if (--cont == 0) return s+1;
      }
      else if (*s == b) cont++;
    }
  }
  return NULL;  /* string ends out of balance */
}


static inline const char *papo_max_expand (papo_MatchState *ms, const char *s,
                                           const char *p, const char *ep) {
  ptrdiff_t i = 0;  /* counts maximum expand for item */
  while (papo_singlematch(ms, s + i, p, ep)) {
    PAPO_STEP(ms, 1);
    i++;
  }
  /* keeps trying to match with the maximum repetitions */
  while (i>=0) {
    const char *res;
    PAPO_STEP(ms, 1);
    res = papo_do_match(ms, (s+i), ep+1);
    if (res) return res;
    i--;  /* else didn't match; reduce 1 repetition to try again */
  }
  return NULL;
}


static inline const char *papo_min_expand (papo_MatchState *ms, const char *s,
                                           const char *p, const char *ep) {
  for (;;) {
    const char *res;
    PAPO_STEP(ms, 1);
    res = papo_do_match(ms, s, ep+1);
    if (res != NULL)
      return res;
    else if (papo_singlematch(ms, s, p, ep))
      s++;  /* try with one more repetition */
    else return NULL;
  }
}


static inline const char *papo_start_capture (papo_MatchState *ms,
                                              const char *s, const char *p,
                                              int what) {
  const char *res;
  int level = ms->level;
  if (level >= PAPO_MAXCAPTURES) luaL_error(ms->L, "too many captures");
  ms->capture[level].init = s;
  ms->capture[level].len = what;
  ms->level = level+1;
  if ((res=papo_do_match(ms, s, p)) == NULL)  /* match failed? */
    ms->level--;  /* undo capture */
  return res;
}


static inline const char *papo_end_capture (papo_MatchState *ms,
                                            const char *s, const char *p) {
  int l = papo_capture_to_close(ms);
  const char *res;
  ms->capture[l].len = s - ms->capture[l].init;  /* close capture */
  if ((res = papo_do_match(ms, s, p)) == NULL)  /* match failed? */
    ms->capture[l].len = PAPO_CAP_UNFINISHED;  /* undo capture */
  return res;
}


static inline const char *papo_match_capture (papo_MatchState *ms,
                                              const char *s, int l) {
  size_t len;
  l = papo_check_capture(ms, l);
  len = ms->capture[l].len;
  if ((size_t)(ms->src_end-s) >= len) {
    PAPO_STEP(ms, len >> PAPO_BYTES_PER_STEP_SHIFT);  /* the memcmp below */
    if (memcmp(ms->capture[l].init, s, len) == 0)
      return s+len;
  }
  return NULL;
}


static const char *papo_do_match (papo_MatchState *ms, const char *s,
                                  const char *p) {
  if (papo_unlikely(ms->matchdepth-- == 0))
    luaL_error(ms->L, "pattern too complex");
  init: /* using goto's to optimize tail recursion */
  PAPO_STEP(ms, 1);
  if (p != ms->p_end) {  /* end of pattern? */
    switch (*p) {
      case '(': {  /* start capture */
        if (*(p + 1) == ')')  /* position capture? */
          s = papo_start_capture(ms, s, p + 2, PAPO_CAP_POSITION);
        else
          s = papo_start_capture(ms, s, p + 1, PAPO_CAP_UNFINISHED);
        break;
      }
      case ')': {  /* end capture */
        s = papo_end_capture(ms, s, p + 1);
        break;
      }
      case '$': {
        if ((p + 1) != ms->p_end)  /* is the '$' the last char in pattern? */
          goto dflt;  /* no; go to default */
        s = (s == ms->src_end) ? s : NULL;  /* check end of string */
        break;
      }
      case PAPO_L_ESC: {  /* escaped sequences not in the format class[*+?-]? */
        switch (*(p + 1)) {
          case 'b': {  /* balanced string? */
            s = papo_matchbalance(ms, s, p + 2);
            if (s != NULL) {
              p += 4; goto init;  /* return match(ms, s, p + 4); */
            }  /* else fail (s == NULL) */
            break;
          }
          case 'f': {  /* frontier? */
            const char *ep; char previous;
            p += 2;
            if (papo_unlikely(*p != '['))
              luaL_error(ms->L, "missing '[' after '%%f' in pattern");
            ep = papo_classend(ms, p);  /* points to what is next */
            previous = (s == ms->src_init) ? '\0' : *(s - 1);
            if (!papo_matchbracketclass(ms, PAPO_UCHAR(previous), p, ep - 1) &&
               papo_matchbracketclass(ms, PAPO_UCHAR(*s), p, ep - 1)) {
              p = ep; goto init;  /* return match(ms, s, ep); */
            }
            s = NULL;  /* match failed */
            break;
          }
          case '0': case '1': case '2': case '3':
          case '4': case '5': case '6': case '7':
          case '8': case '9': {  /* capture results (%0-%9)? */
            s = papo_match_capture(ms, s, PAPO_UCHAR(*(p + 1)));
            if (s != NULL) {
              p += 2; goto init;  /* return match(ms, s, p + 2) */
            }
            break;
          }
          default: goto dflt;
        }
        break;
      }
      default: dflt: {  /* pattern class plus optional suffix */
        const char *ep = papo_classend(ms, p);  /* points to optional suffix */
        /* does not match at least once? */
        if (!papo_singlematch(ms, s, p, ep)) {
          if (*ep == '*' || *ep == '?' || *ep == '-') {  /* accept empty? */
            p = ep + 1; goto init;  /* return match(ms, s, ep + 1); */
          }
          else  /* '+' or no suffix */
            s = NULL;  /* fail */
        }
        else {  /* matched once */
          switch (*ep) {  /* handle optional suffix */
            case '?': {  /* optional */
              const char *res;
              if ((res = papo_do_match(ms, s + 1, ep + 1)) != NULL)
                s = res;
              else {
                p = ep + 1; goto init;  /* else return match(ms, s, ep + 1); */
              }
              break;
            }
            case '+':  /* 1 or more repetitions */
              s++;  /* 1 match already done */
              /* FALLTHROUGH */
            case '*':  /* 0 or more repetitions */
              s = papo_max_expand(ms, s, p, ep);
              break;
            case '-':  /* 0 or more repetitions (minimum) */
              s = papo_min_expand(ms, s, p, ep);
              break;
            default:  /* no suffix */
              s++; p = ep; goto init;  /* return match(ms, s + 1, ep); */
          }
        }
        break;
      }
    }
  }
  ms->matchdepth++;
  return s;
}


/* ------------------------------------------------------------------ */
/* captures and the library functions */

/*
** Plain search: the first occurrence of s2 in s1, as lstrlib.c's lmemfind
** (which is O(l1*l2)) finds it. memmem searches one window of start
** positions at a time; each window's haystack runs l2 - 1 bytes past its
** last start position, so a match across a window edge is found in the
** window where it starts. Between windows papo_pattern_interrupt may stop
** the search with "pattern too complex (step limit)".
*/
static inline const char *papo_lmemfind (lua_State *L,
                                         const char *s1, size_t l1,
                                         const char *s2, size_t l2) {
  size_t nstarts, window, start;
  if (l2 == 0) return s1;  /* empty strings are everywhere */
  else if (l2 > l1) return NULL;  /* avoids a negative 'l1' */
  nstarts = l1 - l2 + 1;  /* start positions 0 .. l1 - l2 */
  window = PAPO_PLAIN_FIND_WINDOW;
  if (window / 8 < l2)  /* long needle: keep windows long against it */
    window = (l2 < nstarts / 8) ? l2 * 8 : nstarts;
  start = 0;
  for (;;) {
    const char *found;
    size_t n = nstarts - start;  /* start positions left */
    if (n > window) n = window;
    found = (const char *)memmem(s1 + start, n + (l2 - 1), s2, l2);
    if (found != NULL) return found;
    start += n;
    if (start >= nstarts) return NULL;
    if (papo_pattern_interrupt(L) != 0)
      luaL_error(L, PAPO_STEP_LIMIT_MESSAGE);
  }
}


/*
** get information about the i-th capture. If there are no captures
** and 'i==0', return information about the whole match, which
** is the range 's'..'e'. If the capture is a string, return
** its length and put its address in '*cap'. If it is an integer
** (a position), push it on the stack and return CAP_POSITION.
*/
static inline size_t papo_get_onecapture (papo_MatchState *ms, int i,
                                          const char *s, const char *e,
                                          const char **cap) {
  if (i >= ms->level) {
    if (papo_unlikely(i != 0))
      luaL_error(ms->L, "invalid capture index %%%d", i + 1);
    *cap = s;
    return e - s;
  }
  else {
    ptrdiff_t capl = ms->capture[i].len;
    *cap = ms->capture[i].init;
    if (papo_unlikely(capl == PAPO_CAP_UNFINISHED))
      luaL_error(ms->L, "unfinished capture");
    else if (capl == PAPO_CAP_POSITION)
      lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
    return capl;
  }
}


/*
** Push the i-th capture on the stack.
*/
static inline void papo_push_onecapture (papo_MatchState *ms, int i,
                                         const char *s, const char *e) {
  const char *cap;
  ptrdiff_t l = papo_get_onecapture(ms, i, s, e, &cap);
  if (l != PAPO_CAP_POSITION)
    lua_pushlstring(ms->L, cap, l);
  /* else position was already pushed */
}


static inline int papo_push_captures (papo_MatchState *ms, const char *s,
                                      const char *e) {
  int i;
  int nlevels = (ms->level == 0 && s) ? 1 : ms->level;
  luaL_checkstack(ms->L, nlevels, "too many captures");
  for (i = 0; i < nlevels; i++)
    papo_push_onecapture(ms, i, s, e);
  return nlevels;  /* number of strings pushed */
}


/* check whether pattern has no special characters */
static inline int papo_nospecials (const char *p, size_t l) {
  size_t upto = 0;
  do {
    if (strpbrk(p + upto, PAPO_SPECIALS))
      return 0;  /* pattern has a special character */
    upto += strlen(p + upto) + 1;  /* may have more after \0 */
  } while (upto <= l);
  return 1;  /* no special chars found */
}


static inline void papo_prepstate (papo_MatchState *ms, lua_State *L,
                                   const char *s, size_t ls,
                                   const char *p, size_t lp) {
  ms->L = L;
  ms->matchdepth = PAPO_MAXCCALLS;
  ms->src_init = s;
  ms->src_end = s + ls;
  ms->p_end = p + lp;
  papo_reset_steps(ms);
}


static inline void papo_reprepstate (papo_MatchState *ms) {
  ms->level = 0;
  /* lstrlib.c asserts this; here a step-limit error can leave a gmatch
  ** state mid-match, so the depth is restored instead */
  ms->matchdepth = PAPO_MAXCCALLS;
}


/*
** translate a relative initial string position
** (negative means back from end): clip result to [1, inf).
** The length of any string in Lua must fit in a lua_Integer,
** so there are no overflows in the casts.
** The inverted comparison avoids a possible overflow
** computing '-pos'.
*/
static inline size_t papo_posrelatI (lua_Integer pos, size_t len) {
  if (pos > 0)
    return (size_t)pos;
  else if (pos == 0)
    return 1;
  else if (pos < -(lua_Integer)len)  /* inverted comparison */
    return 1;  /* clip to 1 */
  else return len + (size_t)pos + 1;
}


static inline int papo_str_find_aux (lua_State *L, int find) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = papo_posrelatI(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {  /* start after string's end? */
    luaL_pushfail(L);  /* cannot find anything */
    return 1;
  }
  /* explicit request or no special characters? */
  if (find && (lua_toboolean(L, 4) || papo_nospecials(p, lp))) {
    /* do a plain search */
    const char *s2 = papo_lmemfind(L, s + init, ls - init, p, lp);
    if (s2) {
      lua_pushinteger(L, (s2 - s) + 1);
      lua_pushinteger(L, (s2 - s) + lp);
      return 2;
    }
  }
  else {
    papo_MatchState ms;
    const char *s1 = s + init;
    int anchor = (*p == '^');
    if (anchor) {
      p++; lp--;  /* skip anchor character */
    }
    papo_prepstate(&ms, L, s, ls, p, lp);
    do {
      const char *res;
      PAPO_STEP(&ms, 1);  /* one more start position */
      papo_reprepstate(&ms);
      if ((res=papo_do_match(&ms, s1, p)) != NULL) {
        if (find) {
          lua_pushinteger(L, (s1 - s) + 1);  /* start */
          lua_pushinteger(L, res - s);   /* end */
          return papo_push_captures(&ms, NULL, 0) + 2;
        }
        else
          return papo_push_captures(&ms, s1, res);
      }
    } while (s1++ < ms.src_end && !anchor);
  }
  luaL_pushfail(L);  /* not found */
  return 1;
}


/* string.find (s, pattern [, init [, plain]]) */
static inline int papo_str_find (lua_State *L) {
  return papo_str_find_aux(L, 1);
}


/* string.match (s, pattern [, init]) */
static inline int papo_str_match (lua_State *L) {
  return papo_str_find_aux(L, 0);
}


/* state for 'gmatch' */
typedef struct papo_GMatchState {
  const char *src;  /* current position */
  const char *p;  /* pattern */
  const char *lastmatch;  /* end of last match */
  papo_MatchState ms;  /* match state */
} papo_GMatchState;


static inline int papo_gmatch_aux (lua_State *L) {
  papo_GMatchState *gm =
      (papo_GMatchState *)lua_touserdata(L, lua_upvalueindex(3));
  const char *src;
  gm->ms.L = L;
  papo_reset_steps(&gm->ms);  /* a new budget for each iterator call */
  for (src = gm->src; src <= gm->ms.src_end; src++) {
    const char *e;
    PAPO_STEP(&gm->ms, 1);  /* one more start position */
    papo_reprepstate(&gm->ms);
    if ((e = papo_do_match(&gm->ms, src, gm->p)) != NULL &&
        e != gm->lastmatch) {
      gm->src = gm->lastmatch = e;
      return papo_push_captures(&gm->ms, src, e);
    }
  }
  /* lstrlib.c leaves gm->src where it was; so do we (a later call scans
  ** the same tail again and again finds nothing) */
  return 0;  /* not found */
}


/* string.gmatch (s, pattern [, init]) */
static inline int papo_str_gmatch (lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = papo_posrelatI(luaL_optinteger(L, 3, 1), ls) - 1;
  papo_GMatchState *gm;
  lua_settop(L, 2);  /* keep strings on closure to avoid being collected */
  gm = (papo_GMatchState *)lua_newuserdatauv(L, sizeof(papo_GMatchState), 0);
  if (init > ls)  /* start after string's end? */
    init = ls + 1;  /* avoid overflows in 's + init' */
  papo_prepstate(&gm->ms, L, s, ls, p, lp);
  gm->src = s + init; gm->p = p; gm->lastmatch = NULL;
  lua_pushcclosure(L, papo_gmatch_aux, 3);
  return 1;
}


static inline void papo_add_s (papo_MatchState *ms, luaL_Buffer *b,
                               const char *s, const char *e) {
  size_t l;
  lua_State *L = ms->L;
  const char *news = lua_tolstring(L, 3, &l);
  const char *p;
  while ((p = (char *)memchr(news, PAPO_L_ESC, l)) != NULL) {
    PAPO_STEP(ms, 1 + ((p - news) >> PAPO_BYTES_PER_STEP_SHIFT));  /* one item plus its copying */
    luaL_addlstring(b, news, p - news);
    p++;  /* skip ESC */
    if (*p == PAPO_L_ESC)  /* '%%' */
      luaL_addchar(b, *p);
    else if (*p == '0') {  /* '%0' */
      PAPO_STEP(ms, (e - s) >> PAPO_BYTES_PER_STEP_SHIFT);
      luaL_addlstring(b, s, e - s);
    }
    else if (isdigit(PAPO_UCHAR(*p))) {  /* '%n' */
      const char *cap;
      ptrdiff_t resl = papo_get_onecapture(ms, *p - '1', s, e, &cap);
      if (resl == PAPO_CAP_POSITION)
        luaL_addvalue(b);  /* add position to accumulated result */
      else {
        luaL_addlstring(b, cap, resl);
        PAPO_STEP(ms, resl >> PAPO_BYTES_PER_STEP_SHIFT);
      }
    }
    else
      luaL_error(L, "invalid use of '%c' in replacement string", PAPO_L_ESC);
    l -= p + 1 - news;
    news = p + 1;
  }
  PAPO_STEP(ms, l >> PAPO_BYTES_PER_STEP_SHIFT);
  luaL_addlstring(b, news, l);
}


/*
** Add the replacement value to the string buffer 'b'.
** Return true if the original string was changed. (Function calls and
** table indexing resulting in nil or false do not change the subject.)
*/
static inline int papo_add_value (papo_MatchState *ms, luaL_Buffer *b,
                                  const char *s, const char *e, int tr) {
  lua_State *L = ms->L;
  switch (tr) {
    case LUA_TFUNCTION: {  /* call the function */
      int n;
      lua_pushvalue(L, 3);  /* push the function */
      n = papo_push_captures(ms, s, e);  /* all captures as arguments */
      lua_call(L, n, 1);  /* call it */
      break;
    }
    case LUA_TTABLE: {  /* index the table */
      papo_push_onecapture(ms, 0, s, e);  /* first capture is the index */
      lua_gettable(L, 3);
      break;
    }
    default: {  /* LUA_TNUMBER or LUA_TSTRING */
      papo_add_s(ms, b, s, e);  /* add value to the buffer */
      return 1;  /* something changed */
    }
  }
  if (!lua_toboolean(L, -1)) {  /* nil or false? */
    lua_pop(L, 1);  /* remove value */
    luaL_addlstring(b, s, e - s);  /* keep original text */
    return 0;  /* no changes */
  }
  else if (papo_unlikely(!lua_isstring(L, -1)))
    return luaL_error(L, "invalid replacement value (a %s)",
                         luaL_typename(L, -1));
  else {
    luaL_addvalue(b);  /* add result to accumulator */
    return 1;  /* something changed */
  }
}


/* string.gsub (s, pattern, repl [, n]) */
static inline int papo_str_gsub (lua_State *L) {
  size_t srcl, lp;
  const char *src = luaL_checklstring(L, 1, &srcl);  /* subject */
  const char *p = luaL_checklstring(L, 2, &lp);  /* pattern */
  const char *lastmatch = NULL;  /* end of last match */
  int tr = lua_type(L, 3);  /* replacement type */
  lua_Integer max_s = luaL_optinteger(L, 4, srcl + 1);  /* max replacements */
  int anchor = (*p == '^');
  lua_Integer n = 0;  /* replacement count */
  int changed = 0;  /* change flag */
  papo_MatchState ms;
  luaL_Buffer b;
  luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING ||
                   tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
                      "string/function/table");
  luaL_buffinit(L, &b);
  if (anchor) {
    p++; lp--;  /* skip anchor character */
  }
  papo_prepstate(&ms, L, src, srcl, p, lp);
  while (n < max_s) {
    const char *e;
    PAPO_STEP(&ms, 1);  /* one more start position */
    papo_reprepstate(&ms);  /* (re)prepare state for new match */
    if ((e = papo_do_match(&ms, src, p)) != NULL && e != lastmatch) {  /* match? */
      n++;
      changed = papo_add_value(&ms, &b, src, e, tr) | changed;
      src = lastmatch = e;
    }
    else if (src < ms.src_end)  /* otherwise, skip one character */
      luaL_addchar(&b, *src++);
    else break;  /* end of subject */
    if (anchor) break;
  }
  if (!changed)  /* no changes? */
    lua_pushvalue(L, 1);  /* return original string */
  else {  /* something changed */
    luaL_addlstring(&b, src, ms.src_end-src);
    luaL_pushresult(&b);  /* create and return new string */
  }
  lua_pushinteger(L, n);  /* number of substitutions */
  return 2;
}

#endif /* PAPO_PATTERNS_H */
