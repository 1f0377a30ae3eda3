// Debian's liblua5.4-dev, plus the few pieces Papo's sandbox needs in C:
// Lua's API is full of macros and variadics Swift cannot call, and anything
// that raises a Lua error (longjmp) must do so from C frames only, never
// through Swift ones.
#ifndef PAPO_CLUA_SHIM_H
#define PAPO_CLUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <stdlib.h>
#include <string.h>

/// Per-state limits and accounting, kept in the allocator's user data.
typedef struct papo_limits {
    size_t used;            // bytes currently allocated by this state
    size_t memory_limit;    // allocations that would pass this fail
    long long instructions; // instructions left in the current call
    int stopped;            // 1 once the call ran out of budget or memory
    const char *reason;     // why it stopped
} papo_limits;

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
    void *block = realloc(ptr, nsize);
    if (block) limits->used = limits->used - old + nsize;
    return block;
}

#define PAPO_HOOK_EVERY 1000

/// The count hook: charges the budget and, once it is spent (or memory ran
/// out), raises an error on every instruction so that no `pcall` in the
/// script can swallow the stop and carry on.
static inline void papo_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    void *ud;
    lua_getallocf(L, &ud);
    papo_limits *limits = (papo_limits *)ud;
    if (!limits->stopped) {
        limits->instructions -= PAPO_HOOK_EVERY;
        if (limits->instructions > 0) return;
        limits->stopped = 1;
        limits->reason = "instruction limit exceeded";
    }
    lua_sethook(L, papo_count_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "%s", limits->reason);
}

static inline lua_State *papo_newstate(papo_limits *limits) {
    return lua_newstate(papo_alloc, limits);
}

/// Arms the budget for one call from Swift into the script.
static inline void papo_arm(lua_State *L, papo_limits *limits, long long instructions) {
    limits->instructions = instructions;
    limits->stopped = 0;
    limits->reason = NULL;
    lua_sethook(L, papo_count_hook, LUA_MASKCOUNT, PAPO_HOOK_EVERY);
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
    if (!lua_checkstack(L, 16)) return luaL_error(L, "stack overflow");
    limits->memory_limit += PAPO_HEADROOM;
    int results = fn(L, context);
    limits->memory_limit -= PAPO_HEADROOM;
    if (results < 0) return lua_error(L);
    return results;
}

/// Pushes a closure that calls `fn` with `context`.
static inline void papo_push_function(lua_State *L, papo_swift_function fn, void *context) {
    lua_pushlightuserdata(L, (void *)fn);
    lua_pushlightuserdata(L, context);
    lua_pushcclosure(L, papo_trampoline, 2);
}

/// Closes a state so that no finalizer a script left behind can run long:
/// every instruction from here on raises.
static inline void papo_close(lua_State *L, papo_limits *limits) {
    limits->stopped = 1;
    limits->reason = "script unloaded";
    lua_sethook(L, papo_count_hook, LUA_MASKCOUNT, 1);
    lua_close(L);
}

// Macros and variadic functions, as functions Swift can call.
static inline int papo_pcall(lua_State *L, int nargs, int nresults) { return lua_pcall(L, nargs, nresults, 0); }
static inline const char *papo_tostring(lua_State *L, int index) { return lua_tolstring(L, index, NULL); }
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

/// Loads `source` as text only (never precompiled bytecode) under `name`.
static inline int papo_load_text(lua_State *L, const char *source, size_t length, const char *name) {
    return luaL_loadbufferx(L, source, length, name, "t");
}

#endif
