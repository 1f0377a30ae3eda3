// Debian's liblua5.4-dev, plus the few pieces Papo's sandbox needs in C:
// Lua's API is full of macros and variadics Swift cannot call, and anything
// that raises a Lua error (longjmp) must do so from C frames only, never
// through Swift ones.
#ifndef PAPO_CLUA_SHIM_H
#define PAPO_CLUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// Per-state limits and accounting, kept in the allocator's user data.
typedef struct papo_limits {
    size_t used;            // bytes currently allocated by this state
    size_t memory_limit;    // allocations that would pass this fail
    size_t base_limit;      // the configured cap; memory_limit returns to it
    long long instructions; // instructions left in the current call
    int stopped;            // 1 once the call ran out of budget or memory
    const char *reason;     // why it stopped
    int line;               // the script line running when the stop was first seen
    double deadline;        // CLOCK_MONOTONIC seconds the call must end by; 0: none
    // For the watchdog (see papo_watchdog_check):
    lua_State *state;       // the state these limits belong to
    pthread_t thread;       // the thread running the call in progress
    int running;            // 1 from papo_arm to papo_disarm (atomic)
    unsigned long long call;      // bumped by papo_arm (atomic)
    unsigned long long signalled; // the last call the watchdog signalled (watchdog only)
} papo_limits;

/// Monotonic seconds (a vDSO call on Linux: cheap enough for every check).
static inline double papo_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/// Marks the call stopped because its deadline passed. The caller raises.
static inline void papo_stop_for_time(papo_limits *limits) {
    limits->stopped = 1;
    limits->reason = "time limit exceeded";
}

/// True when the call in progress must stop: it was stopped already, or
/// its deadline has passed (which stops it).
static inline int papo_past_deadline(papo_limits *limits) {
    if (limits->stopped) return 1;
    if (limits->deadline > 0 && papo_now() > limits->deadline) {
        papo_stop_for_time(limits);
        return 1;
    }
    return 0;
}

/// The longest string a script may make.
#define PAPO_MAX_STRING (1024 * 1024)

/// Allocations from this size up check the deadline: a loop whose every
/// turn builds a big string (`s .. s`, string.rep) spends its time in them.
#define PAPO_BIG_ALLOCATION (64 * 1024)

static inline void papo_count_hook(lua_State *L, lua_Debug *ar);

/// An allocator that refuses to grow past `memory_limit`.
static inline void *papo_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    papo_limits *limits = (papo_limits *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        limits->used -= old;
        free(ptr);
        return NULL;
    }
    if (nsize > old && limits->used - old + nsize > limits->memory_limit) {
        limits->stopped = 1;
        limits->reason = "memory limit exceeded";
        return NULL;
    }
    // Lua tells a new object's type in osize: no string may pass 1 MiB, so
    // that no single operation on one (a comparison, a conversion, a scan)
    // takes more than milliseconds.
    if (ptr == NULL && osize == LUA_TSTRING && nsize > PAPO_MAX_STRING + 64) {
        limits->stopped = 1;
        limits->reason = "memory limit exceeded (a string over 1 MiB)";
        return NULL;
    }
    // Only while a call runs under a deadline, and never while Swift pushes
    // values under the headroom grant (memory_limit above base_limit). The
    // allocation itself goes ahead; the call stops at its next instruction,
    // through the count hook, which knows the script's line.
    if (nsize >= PAPO_BIG_ALLOCATION && nsize > old && limits->deadline > 0 && limits->state
        && limits->memory_limit == limits->base_limit && papo_past_deadline(limits))
        lua_sethook(limits->state, papo_count_hook, LUA_MASKCOUNT, 1);
    void *block = realloc(ptr, nsize);
    if (block) limits->used = limits->used - old + nsize;
    return block;
}

#define PAPO_HOOK_EVERY 1000

/// The count hook: charges the budget, checks the call's deadline and,
/// once either is spent (or memory ran out), raises an error on every
/// instruction so that no `pcall` in the script can swallow the stop and
/// carry on.
static inline void papo_count_hook(lua_State *L, lua_Debug *ar) {
    void *ud;
    lua_getallocf(L, &ud);
    papo_limits *limits = (papo_limits *)ud;
    if (!limits->stopped) {
        limits->instructions -= PAPO_HOOK_EVERY;
        if (limits->instructions <= 0) {
            limits->stopped = 1;
            limits->reason = "instruction limit exceeded";
        } else if (!papo_past_deadline(limits)) {
            return;
        }
    }
    if (limits->line == 0 && lua_getinfo(L, "l", ar)) limits->line = ar->currentline;
    lua_sethook(L, papo_count_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "%s", limits->reason);
}

/// Records, once per call, the script line that called the C function now
/// stopping (stack level 1), for the detail an admin sees.
static inline void papo_note_line(lua_State *L, papo_limits *limits) {
    lua_Debug ar;
    if (limits->line == 0 && lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar) && ar.currentline > 0)
        limits->line = ar.currentline;
}

/// Raises the stop recorded in `limits`, and keeps raising it on every
/// instruction, as the count hook does once a budget is spent.
static inline int papo_raise_stop(lua_State *L, papo_limits *limits) {
    papo_note_line(L, limits);
    lua_sethook(L, papo_count_hook, LUA_MASKCOUNT, 1);
    return luaL_error(L, "%s", limits->reason ? limits->reason : "stopped");
}

/// The signal the watchdog sends (ignored by default, used by nothing else
/// in a Swift process).
#define PAPO_WATCHDOG_SIGNAL SIGURG

/// The limits of the call running on this thread, for the watchdog's
/// signal handler. Defined in the CLuaCall target (a C file: Swift cannot
/// define thread-local storage, nor import a header's static variable).
extern __thread void *papo_current_call;
void papo_allow_signal(int sig);

static inline lua_State *papo_newstate(papo_limits *limits) {
    return lua_newstate(papo_alloc, limits);
}

/// Arms the budget for one call from Swift into the script, to end within
/// `seconds` (0: no deadline). Also puts the memory cap back to its base,
/// whatever an interrupted grant left behind.
static inline void papo_arm(lua_State *L, papo_limits *limits, long long instructions, double seconds) {
    limits->memory_limit = limits->base_limit;
    limits->instructions = instructions;
    limits->deadline = seconds > 0 ? papo_now() + seconds : 0;
    limits->stopped = 0;
    limits->reason = NULL;
    limits->line = 0;
    lua_sethook(L, papo_count_hook, LUA_MASKCOUNT, PAPO_HOOK_EVERY);
    limits->state = L;
    limits->thread = pthread_self();
    papo_allow_signal(PAPO_WATCHDOG_SIGNAL);
    papo_current_call = limits;
    __atomic_add_fetch(&limits->call, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&limits->running, 1, __ATOMIC_RELEASE);
}

/// Ends a call's budget: no hook, no deadline. The watchdog is told first,
/// so that no late signal sets the hook again afterwards.
static inline void papo_disarm(lua_State *L, papo_limits *limits) {
    __atomic_store_n(&limits->running, 0, __ATOMIC_RELEASE);
    papo_current_call = NULL;
    lua_sethook(L, NULL, 0, 0);
    limits->deadline = 0;
}

// The watchdog. The count hook checks the deadline every 1000 instructions,
// and one instruction may be a C call of milliseconds (a comparison of two
// long strings, a conversion): 1000 of them would run far past it. So a
// watchdog thread (LuaWatchdog.swift) looks at every running call every few
// milliseconds and, once one is past its deadline, signals that call's
// thread; the handler sets a count hook of 1 (lua_sethook is async-signal-
// safe by design: Lua's own interpreter does this on Ctrl-C), so the call
// stops at its next instruction.

static void papo_watchdog_handler(int sig, siginfo_t *info, void *context) {
    (void)sig; (void)info; (void)context;
    papo_limits *limits = (papo_limits *)papo_current_call;
    if (limits && __atomic_load_n(&limits->running, __ATOMIC_ACQUIRE) && limits->deadline > 0
        && papo_now() > limits->deadline)
        lua_sethook(limits->state, papo_count_hook, LUA_MASKCOUNT, 1);
}

/// Installs the watchdog's signal handler (once per process).
static inline void papo_install_watchdog(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = papo_watchdog_handler;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(PAPO_WATCHDOG_SIGNAL, &action, NULL);
}

/// Signals the thread of `limits`' call if it is past its deadline (once
/// per call). Called by the watchdog thread only.
static inline void papo_watchdog_check(papo_limits *limits, double now) {
    if (!__atomic_load_n(&limits->running, __ATOMIC_ACQUIRE)) return;
    unsigned long long call = __atomic_load_n(&limits->call, __ATOMIC_ACQUIRE);
    double deadline = limits->deadline;
    if (deadline > 0 && now > deadline && limits->signalled != call) {
        limits->signalled = call;
        pthread_kill(limits->thread, PAPO_WATCHDOG_SIGNAL);
    }
}

/// A Swift function exposed to Lua. It returns the number of results it
/// pushed, or -1 after pushing an error message, which the trampoline raises
/// from C.
typedef int (*papo_swift_function)(lua_State *L, void *context);

/// Extra memory granted while Swift code pushes values, so that an
/// allocation failure (a Lua error, a longjmp) never happens in a Swift frame.
#define PAPO_HEADROOM (1024 * 1024)

static inline papo_limits *papo_limits_of(lua_State *L) {
    void *ud;
    lua_getallocf(L, &ud);
    return (papo_limits *)ud;
}

static inline int papo_trampoline(lua_State *L) {
    papo_swift_function fn = (papo_swift_function)lua_touserdata(L, lua_upvalueindex(1));
    void *context = lua_touserdata(L, lua_upvalueindex(2));
    papo_limits *limits = papo_limits_of(L);
    if (papo_past_deadline(limits)) return papo_raise_stop(L, limits);
    if (!lua_checkstack(L, 16)) return luaL_error(L, "stack overflow");
    if (limits->used > limits->base_limit) return luaL_error(L, "memory limit exceeded");
    limits->memory_limit = limits->base_limit + PAPO_HEADROOM;
    int results = fn(L, context);
    limits->memory_limit = limits->base_limit;
    if (results < 0) return lua_error(L);
    return results;
}

/// Pushes a closure that calls `fn` with `context`.
static inline void papo_push_function(lua_State *L, papo_swift_function fn, void *context) {
    lua_pushlightuserdata(L, (void *)fn);
    lua_pushlightuserdata(L, context);
    lua_pushcclosure(L, papo_trampoline, 2);
}

/// How many bytes from the start of `s` JSON copies as they are (LuaJSON's
/// encoder): up to the first quote, backslash, control byte, DEL, or 0xE2
/// (the lead byte of U+2028 and U+2029). In C so that a 60 KB text is
/// scanned in microseconds even in a debug build.
static inline size_t papo_json_plain_run(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F || c == 0xE2) return i;
    }
    return n;
}

/// How many bytes from the start of `s` are inside a JSON string with no
/// escape (LuaJSON's decoder): up to the first quote, backslash or control byte.
static inline size_t papo_json_string_run(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x20 || c == '"' || c == '\\') return i;
    }
    return n;
}

/// Like papo_push_function, with the value on top of the stack (popped)
/// kept as a third upvalue the function reads at papo_upvalueindex(3): a
/// function bound to a piece of data, such as a store namespace.
static inline void papo_push_bound_function(lua_State *L, papo_swift_function fn, void *context) {
    lua_pushlightuserdata(L, (void *)fn);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, context);
    lua_insert(L, -2);
    lua_pushcclosure(L, papo_trampoline, 3);
}

/// Closes a state so that no finalizer a script left behind can run long:
/// every instruction from here on raises.
static inline void papo_close(lua_State *L, papo_limits *limits) {
    limits->deadline = 0;
    limits->stopped = 1;
    limits->reason = "script unloaded";
    lua_sethook(L, papo_count_hook, LUA_MASKCOUNT, 1);
    lua_close(L);
}

// Replacements for library functions a script could otherwise use to run
// long inside C, where the count hook cannot reach, or to run Lua code with
// hooks off. Each raises its error from C.

/// Calls the original function (upvalue 1) with every argument, leaving
/// all of its results.
static inline int papo_call_original(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/// A library function whose one call may take milliseconds (it is linear in
/// a string or a table of up to the memory cap): checks the deadline before
/// each call, so a loop of such calls ends at most one call past it, however
/// few instructions the loop itself runs.
static inline int papo_timed(lua_State *L) {
    papo_limits *limits = papo_limits_of(L);
    if (papo_past_deadline(limits)) return papo_raise_stop(L, limits);
    return papo_call_original(L);
}

/// `setmetatable` without `__gc`: Lua runs finalizers with hooks off (so
/// with no budget), including at lua_close. Lua only registers an object for
/// finalization in setmetatable, so refusing it here is enough.
static inline int papo_setmetatable(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    int t = lua_type(L, 2);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "__gc metamethods are not allowed");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/// `string.rep` that refuses results past the memory cap before looping
/// (an empty string repeated 1e10 times allocates nothing but loops in C).
static inline int papo_str_rep(lua_State *L) {
    papo_limits *limits = papo_limits_of(L);
    if (papo_past_deadline(limits)) return papo_raise_stop(L, limits);
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || l + lsep == 0) { lua_pushliteral(L, ""); return 1; }
    if ((size_t)n > PAPO_MAX_STRING / (l + lsep) + 1) return luaL_error(L, "resulting string too large");
    return papo_call_original(L);
}

/// `table.move` of at most a million elements (moving nils costs no memory).
static inline int papo_table_move(lua_State *L) {
    papo_limits *limits = papo_limits_of(L);
    if (papo_past_deadline(limits)) return papo_raise_stop(L, limits);
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    if (e >= f && (e - f) > 1000000) return luaL_error(L, "too many elements to move");
    return papo_call_original(L);
}

/// Pattern matching backtracks in C, where the hook cannot stop it: Papo's
/// own copy of Lua's matcher (papo_patterns.h) counts its steps and asks
/// here every 4096 of them whether to go on. It stops at the call's
/// deadline, and past PAPO_PATTERN_MAX_STEPS whatever the deadline.
static int papo_pattern_interrupt(lua_State *L) {
    papo_limits *limits = papo_limits_of(L);
    if (!papo_past_deadline(limits)) return 0;
    papo_note_line(L, limits);
    return 1;
}

#include "papo_patterns.h"

// table.insert, remove, concat, unpack and sort loop in C (through
// metamethods such as a __len that lies): Papo's copy of Lua's table
// library (papo_tablib.h) counts their steps and asks the same question.
#include "papo_tablib.h"

/// Replaces `table[name]` (on top of the stack) with `guard`, which gets the
/// original as its upvalue.
static inline void papo_wrap_field(lua_State *L, const char *name, lua_CFunction guard) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, guard, 1);
    lua_setfield(L, -2, name);
}

// Macros and variadic functions, as functions Swift can call.
static inline int papo_pcall(lua_State *L, int nargs, int nresults) { return lua_pcall(L, nargs, nresults, 0); }
static inline const char *papo_tostring(lua_State *L, int index) { return lua_tolstring(L, index, NULL); }
static inline const char *papo_tolstring(lua_State *L, int index, size_t *len) { return lua_tolstring(L, index, len); }
static inline void papo_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void papo_newtable(lua_State *L) { lua_newtable(L); }
static inline int papo_isfunction(lua_State *L, int index) { return lua_isfunction(L, index); }
static inline int papo_istable(lua_State *L, int index) { return lua_istable(L, index); }
static inline int papo_isnil(lua_State *L, int index) { return lua_isnil(L, index); }
static inline int papo_isstring(lua_State *L, int index) { return lua_type(L, index) == LUA_TSTRING; }
static inline void papo_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline int papo_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int papo_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline void papo_remove(lua_State *L, int index) { lua_remove(L, index); }
static inline void papo_full_gc(lua_State *L) { lua_gc(L, LUA_GCCOLLECT, 0); }

/// Loads `source` as text only (never precompiled bytecode) under `name`.
static inline int papo_load_text(lua_State *L, const char *source, size_t length, const char *name) {
    return luaL_loadbufferx(L, source, length, name, "t");
}

#endif
