/*
 * gw_ctl.h - the operator control socket (a Unix stream socket) that gwctl talks to.
 *
 * Protocol, one command per connection: the client sends one line of words ("show circuits isup-a"),
 * the server answers with lines of text and a last line "OK" or "ERR <why>", then closes.  A command
 * line over GW_CTL_LINE_MAX or with no matching command gets "ERR".  Commands are a table given by
 * the owner; the longest command name that the words start with is run with the remaining words.
 */
#ifndef GW_CTL_H
#define GW_CTL_H

#include <stddef.h>

#include "ev.h"

#define GW_CTL_LINE_MAX 512
#define GW_CTL_ARGS_MAX 16
#define GW_CTL_OUT_MAX (256 * 1024)	/* bytes a reply may hold */

struct gw_ctl;
struct gw_ctl_out;

/* append text to the reply (truncated at GW_CTL_OUT_MAX with a note) */
void gw_ctl_printf(struct gw_ctl_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* set the reason of an ERR reply; the command then returns a negative errno */
void gw_ctl_error(struct gw_ctl_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* a command: argv holds the words after the command's name; 0 -> "OK", negative -> "ERR ..." */
typedef int (*gw_ctl_fn)(void *arg, int argc, char **argv, struct gw_ctl_out *out);

struct gw_ctl_cmd {
	const char *name;	/* "show circuits" */
	const char *args;	/* "[SPAN]", for help */
	const char *help;	/* one line */
	int min_args, max_args;
	gw_ctl_fn fn;
};

/* listen on path (an existing socket file is replaced; mode 0660); -errno with err */
int gw_ctl_new(struct ev_loop *loop, const char *path, const struct gw_ctl_cmd *cmds, size_t ncmds, void *arg,
	       struct gw_ctl **out, char *err, size_t errlen);
/* close and unlink the socket */
void gw_ctl_free(struct gw_ctl *ctl);
/* run one command line as if it came from the socket (tests); the reply, ending "OK" or "ERR why",
 * into buf.  0, or the command's negative errno */
int gw_ctl_run(struct gw_ctl *ctl, const char *line, char *buf, size_t len);

#endif
