/*
 * gw_main.h - building and tearing down the daemon's context (struct gw): the config file (or the
 * embedded default, conf/loopback.conf), the mapping tables, the TDM side, the SIP side and the
 * control socket, all on one event loop.
 */
#ifndef GW_MAIN_H
#define GW_MAIN_H

#include <stddef.h>

#include "gw.h"

/* conf/loopback.conf, compiled in (gw_default_conf.c, generated) */
extern const char gw_default_conf[];

struct gw_start_opts {
	const char *conf_file;		/* NULL: the embedded default */
	const char *control;		/* overrides [gw] control when not NULL */
	int check_only;			/* read and check everything, start nothing */
};

/* 0, or a negative errno with "file:line: key: why" (or what failed) in err; on error nothing is left
 * running and gw_stop need not be called */
int gw_start(struct gw *gw, struct ev_loop *loop, const struct gw_start_opts *o, char *err, size_t errlen);
/* free everything gw_start built (calls dropped without signalling: drain first) */
void gw_stop(struct gw *gw);

#endif
