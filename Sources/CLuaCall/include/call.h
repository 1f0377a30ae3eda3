#ifndef PAPO_CLUA_CALL_H
#define PAPO_CLUA_CALL_H

/// The limits (papo_limits *) of the Lua call running on this thread, or NULL.
extern __thread void *papo_current_call;

/// Unblocks `sig` on the calling thread, once per thread.
void papo_allow_signal(int sig);

#endif
