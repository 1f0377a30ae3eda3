// Debian's libedit-dev: the readline-compatible interface of libedit.
// The terminal client uses its callback API so incoming chat lines can be
// printed while the user is typing without garbling the edited line.
#include <stdio.h>
#include <editline/readline.h>
#include <wchar.h>

// Columns a character takes on the terminal (POSIX wcwidth, which glibc
// declares only under _XOPEN_SOURCE): the client measures the line it
// redraws with it.
extern int wcwidth(wchar_t c);
static inline int papo_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }
