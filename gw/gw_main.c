/*
 * gw_main.c - the daemon's context: configuration, tables, TDM side, SIP side, control socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_call.h"
#include "gw_ctl.h"
#include "gw_main.h"
#include "log.h"
#include "sip_ua.h"

#define GW_DEFAULT_NAME "(embedded conf/loopback.conf)"
#define GW_DEFAULT_CONTROL "/run/gwd.ctl"

static int main_load_tables(const struct gw *gw, struct map_tables **out, char *err, size_t errlen)
{
	struct map_tables *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	if (gw->conf.gw.tables[0])
		ret = map_tables_load_dir(t, gw->conf.gw.tables, err, errlen);
	else
		ret = map_tables_load_builtin(t, err, errlen);
	if (ret < 0) {
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

int gw_reload_tables(struct gw *gw, char *err, size_t errlen)
{
	struct map_tables *t, *old = gw->tables;
	int ret;

	ret = main_load_tables(gw, &t, err, errlen);
	if (ret < 0) {
		gw->stats.reload_failures++;
		LOGE("gw", "reload: tables refused, the old ones stay in use: %s", err);
		return ret;
	}
	if (gw->tdm)
		tdm_set_tables(gw->tdm, t);
	gw->tables = t;
	free(old);
	gw->stats.reloads++;
	LOGN("gw", "reload: mapping tables from %s in use (%zu calls kept)",
	     gw->conf.gw.tables[0] ? gw->conf.gw.tables : "the built-in set", gw->ncalls);
	return 0;
}

static int main_read_conf(struct gw *gw, const struct gw_start_opts *o, char *err, size_t errlen)
{
	const char *groups[256];
	size_t i, n = 0;
	int ret;

	if (o->conf_file)
		ret = ini_load(o->conf_file, &gw->ini, err, errlen);
	else
		ret = ini_parse(gw_default_conf, strlen(gw_default_conf), GW_DEFAULT_NAME, &gw->ini, err, errlen);
	if (ret < 0) {
		if (ret == -ENOENT || ret == -EACCES)
			snprintf(err, errlen, "%s: %s", o->conf_file, strerror(-ret));
		return ret;
	}
	snprintf(gw->conf_file, sizeof(gw->conf_file), "%s", o->conf_file ? o->conf_file : GW_DEFAULT_NAME);
	ret = gw_conf_from_ini(gw->ini, &gw->conf, err, errlen);
	if (!ret)
		ret = tdm_conf_from_ini(gw->ini, 0, &gw->tconf, err, errlen);
	if (ret < 0)
		return ret;
	for (i = 0; i < gw->tconf.nspan && n < sizeof(groups) / sizeof(groups[0]); i++)
		groups[n++] = gw->tconf.span[i].group;
	return gw_conf_check(&gw->conf, groups, n, err, errlen);
}

int gw_start(struct gw *gw, struct ev_loop *loop, const struct gw_start_opts *o, char *err, size_t errlen)
{
	const char *control;
	int ret;

	memset(gw, 0, sizeof(*gw));
	gw->loop = loop;
	ret = main_read_conf(gw, o, err, errlen);
	if (!ret)
		ret = main_load_tables(gw, &gw->tables, err, errlen);
	if (ret < 0 || o->check_only)
		goto out;
	ret = tdm_new(loop, &gw->tconf, gw->tables, gw_call_tdm_event, gw, &gw->tdm, err, errlen);
	if (ret < 0)
		goto out;
	ret = sip_ua_new(loop, &gw->conf, &gw->stats, gw_call_sip_event, gw, &gw->ua, err, errlen);
	if (ret < 0)
		goto out;
	control = o->control ? o->control : gw->conf.gw.control[0] ? gw->conf.gw.control : GW_DEFAULT_CONTROL;
	if (*control) {
		ret = gw_ctl_new(loop, control, gw_cmd_table, gw_cmd_count, gw, &gw->ctl, err, errlen);
		if (ret < 0)
			goto out;
	}
	LOGN("gw", "started from %s: %zu spans, %zu peers, %zu routes, control %s", gw->conf_file, gw->tconf.nspan,
	     gw->conf.npeer, gw->conf.nroute, *control ? control : "off");
	return 0;
out:
	if (ret < 0 || o->check_only)
		gw_stop(gw);
	return ret;
}

void gw_stop(struct gw *gw)
{
	gw_call_free_all(gw);
	if (gw->ctl)
		gw_ctl_free(gw->ctl);
	if (gw->ua)
		sip_ua_free(gw->ua);
	if (gw->tdm)
		tdm_free(gw->tdm);
	free(gw->tables);
	tdm_conf_free(&gw->tconf);
	gw_conf_free(&gw->conf);
	if (gw->ini)
		ini_free(gw->ini);
	gw->ctl = NULL;
	gw->ua = NULL;
	gw->tdm = NULL;
	gw->tables = NULL;
	gw->ini = NULL;
}
