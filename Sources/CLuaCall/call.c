// The pieces of C state the Lua sandbox needs that a header cannot hold:
// the limits of the Lua call running on each thread, read by the watchdog's
// signal handler (see CLua's shim.h), and whether this thread accepts that
// signal (libdispatch's worker threads start with every signal blocked).
#include "call.h"

#include <pthread.h>
#include <signal.h>

__thread void *papo_current_call;
static __thread int papo_signal_allowed;

void papo_allow_signal(int sig) {
    if (papo_signal_allowed) return;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    papo_signal_allowed = 1;
}
