// Debian's libedit-dev: the readline-compatible interface of libedit.
// The terminal client uses its callback API so incoming chat lines can be
// printed while the user is typing without garbling the edited line.
#include <stdio.h>
#include <editline/readline.h>
