/*
 * gw_cmd.c - gwctl's commands: status of spans, links, circuits and calls, the statistics, circuit
 * maintenance (block, unblock, reset), reloading the mapping tables.
 *
 * Tables are printed as aligned columns under a header line; numbers on the command line are parsed
 * strictly (digits only), and TDM errors are told in words ("no circuit 40 on isup-a", "link down").
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "sip_ua.h"
#include "gw_ctl.h"

#define GW_CMD_COLS_MAX 16
#define GW_CMD_NUM_MAX 65535	/* CICs (12 bits) and channels fit */
#define GW_CMD_SPANS_MAX 256	/* spans shown */
#define GW_CMD_CALLS_MAX 4096	/* calls shown */

/* ---- a grid: rows of cells (separated by tabs) printed in aligned columns ---- */

struct gw_cmd_grid {
	int ncols;
	unsigned int right;		/* bit i: column i is right-aligned (numbers) */
	size_t width[GW_CMD_COLS_MAX];
	char *text;			/* rows, each ending with '\n' */
	size_t len, cap;
	int full;
};

static void gw_cmd_grid_width(struct gw_cmd_grid *g, const char *row)
{
	for (int i = 0; i < g->ncols && *row; i++) {
		size_t w = strcspn(row, "\t\n");

		if (w > g->width[i])
			g->width[i] = w;
		row += w;
		if (*row == '\t')
			row++;
	}
}

/* one row: cells separated by '\t' in fmt */
static void gw_cmd_grid_row(struct gw_cmd_grid *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void gw_cmd_grid_row(struct gw_cmd_grid *g, const char *fmt, ...)
{
	char row[1024];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(row, sizeof(row) - 1, fmt, ap);
	va_end(ap);
	for (char *p = row; *p; p++)	/* a cell stays on its line */
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			*p = '?';
	n = strlen(row);
	if (g->full || g->len + n + 2 > GW_CTL_OUT_MAX) {
		g->full = 1;
		return;
	}
	if (g->len + n + 2 > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4096;
		char *t;

		while (cap < g->len + n + 2)
			cap *= 2;
		t = realloc(g->text, cap);
		if (!t) {
			g->full = 1;
			return;
		}
		g->text = t;
		g->cap = cap;
	}
	memcpy(g->text + g->len, row, n);
	g->len += n;
	g->text[g->len++] = '\n';
	g->text[g->len] = '\0';
	gw_cmd_grid_width(g, row);
}

static void gw_cmd_grid_print_row(const struct gw_cmd_grid *g, const char *row, size_t rowlen,
				  struct gw_ctl_out *out)
{
	const char *end = row + rowlen;

	for (int i = 0; i < g->ncols && row < end; i++) {
		int w = (int)strcspn(row, "\t\n");
		int pad = (int)g->width[i] - w;
		int last = i == g->ncols - 1 || row[w] != '\t';

		if (g->right & (1u << i))
			gw_ctl_printf(out, "%*s%.*s", pad, "", w, row);
		else if (last)
			gw_ctl_printf(out, "%.*s", w, row);
		else
			gw_ctl_printf(out, "%.*s%*s", w, row, pad, "");
		row += w;
		if (*row == '\t') {
			gw_ctl_printf(out, "  ");
			row++;
		}
	}
	gw_ctl_printf(out, "\n");
}

/* print and free the grid */
static void gw_cmd_grid_flush(struct gw_cmd_grid *g, struct gw_ctl_out *out)
{
	const char *row = g->text;

	while (row && *row) {
		size_t n = strcspn(row, "\n");

		gw_cmd_grid_print_row(g, row, n, out);
		row += n + (row[n] == '\n');
	}
	if (g->full)
		gw_ctl_printf(out, "... (more rows not shown)\n");
	free(g->text);
	memset(g, 0, sizeof(*g));
}

/* ---- arguments and errors ---- */

/* a decimal number 0..GW_CMD_NUM_MAX, digits only */
static int gw_cmd_num(const char *s, int *v)
{
	long n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		n = n * 10 + (*s - '0');
		if (n > GW_CMD_NUM_MAX)
			return -ERANGE;
	}
	*v = (int)n;
	return 0;
}

/* "N" or "N-M" */
static int gw_cmd_range(const char *s, int *first, int *last, struct gw_ctl_out *out)
{
	char buf[32];
	char *dash;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (gw_cmd_num(buf, first) < 0 || (dash && gw_cmd_num(dash, last) < 0))
		goto bad;
	if (!dash)
		*last = *first;
	if (*last < *first) {
		gw_ctl_error(out, "range '%s': the first circuit must not be above the last", s);
		return -EINVAL;
	}
	return 0;
bad:
	gw_ctl_error(out, "'%s': a circuit number (0-%d) or a range N-M expected", s, GW_CMD_NUM_MAX);
	return -EINVAL;
}

static int gw_cmd_has_span(const struct gw *gw, const char *span)
{
	size_t total = 0;

	return tdm_circuits(gw->tdm, span, NULL, 0, &total) != -ENOENT;
}

/* a TDM maintenance error in words: what was asked (e.g. "block"), on span, circuits first-last */
static int gw_cmd_tdm_err(const struct gw *gw, int rc, const char *what, const char *span, int first, int last,
			  struct gw_ctl_out *out)
{
	char circ[40] = "";

	if (first >= 0)
		snprintf(circ, sizeof(circ), first == last ? " %d" : "s %d-%d", first, last);
	switch (rc) {
	case -ENOENT:
		if (!gw_cmd_has_span(gw, span))
			gw_ctl_error(out, "no span %s", span);
		else
			gw_ctl_error(out, "no circuit%s on %s", circ, span);
		break;
	case -ENETDOWN:
		gw_ctl_error(out, "%s %s: signalling link down", what, span);
		break;
	case -ENOTSUP:
		gw_ctl_error(out, "%s %s: not supported by this span's signalling", what, span);
		break;
	case -EBUSY:
		gw_ctl_error(out, "%s %s: busy (circuit in use or maintenance under way), try again", what, span);
		break;
	case -EINVAL:
		gw_ctl_error(out, "%s %s: circuit%s refused (a group must start on an existing circuit and span "
			     "at most 32)", what, span, circ);
		break;
	default:
		gw_ctl_error(out, "%s %s%s: %s", what, span, circ, strerror(-rc));
		break;
	}
	return rc;
}

static int gw_cmd_no_tdm(const struct gw *gw, struct gw_ctl_out *out)
{
	if (gw->tdm)
		return 0;
	gw_ctl_error(out, "no TDM spans running");
	return -ENODEV;
}

/* ---- show spans, show links ---- */

/* the spans, allocated (free it); n of them */
static int gw_cmd_spans(const struct gw *gw, struct tdm_span_info **si, int *n, struct gw_ctl_out *out)
{
	int r = gw_cmd_no_tdm(gw, out);

	if (r < 0)
		return r;
	*si = calloc(GW_CMD_SPANS_MAX, sizeof(**si));
	if (!*si)
		return -ENOMEM;
	*n = tdm_spans(gw->tdm, *si, GW_CMD_SPANS_MAX, NULL);
	return *n < 0 ? *n : 0;
}

static const char *gw_cmd_updown(int up)
{
	return up ? "up" : "down";
}

static int gw_cmd_show_spans(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	struct gw_cmd_grid g = { .ncols = 13, .right = 0x1fc0 };
	struct tdm_span_info *si = NULL;
	int n, r = gw_cmd_spans(arg, &si, &n, out);

	if (r < 0)
		goto out;
	gw_cmd_grid_row(&g, "SPAN\tGROUP\tSIG\tBACKEND\tLINK\tALARM\tCIRCUITS\tIDLE\tBUSY\tBLOCKED\tIN\tOUT\tFAILED");
	for (int i = 0; i < n; i++)
		gw_cmd_grid_row(&g, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%lu\t%lu\t%lu", si[i].name, si[i].group,
				tdm_conf_sig_name(si[i].sig), tdm_conf_backend_name(si[i].backend),
				gw_cmd_updown(si[i].link_up), si[i].alarmed ? "alarm" : "-", si[i].ncircuits,
				si[i].idle, si[i].busy, si[i].blocked, si[i].calls_in, si[i].calls_out,
				si[i].calls_failed);
	gw_cmd_grid_flush(&g, out);
out:
	free(si);
	return r;
}

static int gw_cmd_show_links(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	struct gw_cmd_grid g = { .ncols = 4 };
	struct tdm_span_info *si = NULL;
	int n, r = gw_cmd_spans(arg, &si, &n, out);

	if (r < 0)
		goto out;
	gw_cmd_grid_row(&g, "SPAN\tSIG\tLINK\tALARM");
	for (int i = 0; i < n; i++)
		gw_cmd_grid_row(&g, "%s\t%s\t%s\t%s", si[i].name, tdm_conf_sig_name(si[i].sig),
				gw_cmd_updown(si[i].link_up), si[i].alarmed ? "alarm" : "-");
	gw_cmd_grid_flush(&g, out);
out:
	free(si);
	return r;
}

/* ---- show circuits ---- */

static const char *gw_cmd_blocked(int b)
{
	static const char *const names[] = { "-", "local", "remote", "local+remote" };

	return names[b & (TDM_BLOCK_LOCAL | TDM_BLOCK_REMOTE)];
}

static void gw_cmd_circuit_row(struct gw_cmd_grid *g, const struct tdm_circuit_info *c)
{
	char cic[16] = "-";

	if (c->cic)
		snprintf(cic, sizeof(cic), "%d", c->cic);
	gw_cmd_grid_row(g, "%s\t%d\t%s\t%s\t%s\t%s", c->span, c->chan, cic, tdm_cstate_name(c->state),
			gw_cmd_blocked(c->blocked), c->call[0] ? c->call : "-");
}

static int gw_cmd_show_circuits(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	const struct gw *gw = arg;
	struct gw_cmd_grid g = { .ncols = 6, .right = 0x6 };
	struct tdm_circuit_info *ci = NULL;
	const char *span = argc ? argv[0] : NULL;
	size_t total = 0;
	int n, r = gw_cmd_no_tdm(gw, out);

	if (r < 0)
		return r;
	n = tdm_circuits(gw->tdm, span, NULL, 0, &total);
	if (n < 0)
		return gw_cmd_tdm_err(gw, n, "show circuits", span, -1, -1, out);
	ci = calloc(total ? total : 1, sizeof(*ci));
	if (!ci)
		return -ENOMEM;
	n = tdm_circuits(gw->tdm, span, ci, total, &total);
	if (n < 0) {
		r = gw_cmd_tdm_err(gw, n, "show circuits", span, -1, -1, out);
		goto out;
	}
	gw_cmd_grid_row(&g, "SPAN\tCHAN\tCIC\tSTATE\tBLOCKED\tCALL");
	for (int i = 0; i < n; i++)
		gw_cmd_circuit_row(&g, &ci[i]);
	gw_cmd_grid_flush(&g, out);
out:
	free(ci);
	return r;
}

/* ---- show calls ---- */

static void gw_cmd_call_row(struct gw_cmd_grid *g, const struct gw_call_info *c)
{
	gw_cmd_grid_row(g, "%lu\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d\t%lu.%lu",
			c->id, c->dir, c->state, c->sip[0] ? c->sip : "-", c->call_id[0] ? c->call_id : "-",
			c->tdm[0] ? c->tdm : "-", c->called[0] ? c->called : "-", c->calling[0] ? c->calling : "-",
			c->target[0] ? c->target : "-", c->reason[0] ? c->reason : "-", c->cause,
			c->sens[0] ? c->sens : "-", c->skip_pin ? "yes" : "no", c->attempt, c->age_ms / 1000,
			c->age_ms % 1000 / 100);
}

static int gw_cmd_show_calls(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	const struct gw *gw = arg;
	struct gw_cmd_grid g = { .ncols = 15, .right = 0x6401 };
	size_t max = gw->ncalls + 16, total;
	struct gw_call_info *ci;

	if (max > GW_CMD_CALLS_MAX)
		max = GW_CMD_CALLS_MAX;
	ci = calloc(max, sizeof(*ci));
	if (!ci)
		return -ENOMEM;
	total = gw_call_list(gw, ci, max);
	if (!total) {
		gw_ctl_printf(out, "no calls\n");
		free(ci);
		return 0;
	}
	gw_cmd_grid_row(&g, "ID\tDIR\tSTATE\tSIP\tCALL-ID\tTDM\tCALLED\tCALLING\tTARGET\tREASON\tCAUSE\tSENS\t"
			"SKIP-PIN\tATTEMPT\tAGE");
	for (size_t i = 0; i < total && i < max; i++)
		gw_cmd_call_row(&g, &ci[i]);
	gw_cmd_grid_flush(&g, out);
	if (total > max)
		gw_ctl_printf(out, "... %zu more calls not shown\n", total - max);
	gw_ctl_printf(out, "%zu call%s\n", total, total == 1 ? "" : "s");
	free(ci);
	return 0;
}

/* ---- show stats ---- */

struct gw_cmd_stat {
	const char *name;
	size_t off;
};

#define GW_CMD_STAT(name, field) { name, offsetof(struct gw_stats, field) }

static const struct gw_cmd_stat gw_cmd_stats[] = {
	GW_CMD_STAT("sip-calls-in", sip_calls_in),
	GW_CMD_STAT("tdm-calls-in", tdm_calls_in),
	GW_CMD_STAT("answered", answered),
	GW_CMD_STAT("failed", failed),
	GW_CMD_STAT("rejected", rejected),
	GW_CMD_STAT("route-advances", route_advances),
	GW_CMD_STAT("advances-suppressed", advances_suppressed),
	GW_CMD_STAT("redirects-followed", redirects_followed),
	GW_CMD_STAT("um-dropped", um_dropped),
	GW_CMD_STAT("sip-rx", sip_rx),
	GW_CMD_STAT("sip-tx", sip_tx),
	GW_CMD_STAT("sip-bad", sip_bad),
	GW_CMD_STAT("reloads", reloads),
	GW_CMD_STAT("reload-failures", reload_failures),
};

_Static_assert(sizeof(gw_cmd_stats) / sizeof(gw_cmd_stats[0]) * sizeof(unsigned long) == sizeof(struct gw_stats),
	       "gw_cmd_stats[] must list every field of struct gw_stats");

static int gw_cmd_show_stats(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	const struct gw *gw = arg;
	struct gw_cmd_grid g = { .ncols = 2, .right = 0x2 };

	for (size_t i = 0; i < sizeof(gw_cmd_stats) / sizeof(gw_cmd_stats[0]); i++) {
		const unsigned long *v = (const void *)((const char *)&gw->stats + gw_cmd_stats[i].off);

		gw_cmd_grid_row(&g, "%s\t%lu", gw_cmd_stats[i].name, *v);
	}
	gw_cmd_grid_row(&g, "calls-now\t%zu", gw->ncalls);
	gw_cmd_grid_row(&g, "tdm-calls\t%zu", gw->tdm ? tdm_call_count(gw->tdm) : 0);
	gw_cmd_grid_row(&g, "sip-legs\t%zu", gw->ua ? sip_ua_leg_count(gw->ua) : 0);
	gw_cmd_grid_row(&g, "draining\t%s", gw->draining ? "yes" : "no");
	gw_cmd_grid_flush(&g, out);
	return 0;
}

/* ---- maintenance ---- */

static int gw_cmd_block_any(struct gw *gw, char **argv, int block, struct gw_ctl_out *out)
{
	const char *what = block ? "block" : "unblock";
	int first, last, r = gw_cmd_no_tdm(gw, out);

	if (r < 0 || (r = gw_cmd_range(argv[1], &first, &last, out)) < 0)
		return r;
	if (first == last)
		r = tdm_circuit_block(gw->tdm, argv[0], first, block);
	else
		r = tdm_group_block(gw->tdm, argv[0], first, last, block);
	if (r < 0)
		return gw_cmd_tdm_err(gw, r, what, argv[0], first, last, out);
	gw_ctl_printf(out, "%s %s: %s sent\n", argv[0], argv[1], block ? "blocking" : "unblocking");
	return 0;
}

static int gw_cmd_block(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	return gw_cmd_block_any(arg, argv, 1, out);
}

static int gw_cmd_unblock(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	return gw_cmd_block_any(arg, argv, 0, out);
}

static int gw_cmd_reset(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	struct gw *gw = arg;
	int cic = -1, r = gw_cmd_no_tdm(gw, out);

	if (r < 0)
		return r;
	if (argc > 1 && gw_cmd_num(argv[1], &cic) < 0) {
		gw_ctl_error(out, "'%s': a circuit number (0-%d) expected", argv[1], GW_CMD_NUM_MAX);
		return -EINVAL;
	}
	r = cic >= 0 ? tdm_circuit_reset(gw->tdm, argv[0], cic) : tdm_span_reset(gw->tdm, argv[0]);
	if (r < 0)
		return gw_cmd_tdm_err(gw, r, "reset", argv[0], cic, cic, out);
	if (cic >= 0)
		gw_ctl_printf(out, "%s %d: reset sent\n", argv[0], cic);
	else
		gw_ctl_printf(out, "%s: reset of every circuit sent\n", argv[0]);
	return 0;
}

/* ---- reload ---- */

static int gw_cmd_reload(void *arg, int argc, char **argv, struct gw_ctl_out *out)
{
	struct gw *gw = arg;
	char err[512] = "";
	int r = gw_reload_tables(gw, err, sizeof(err));

	if (r < 0) {
		gw_ctl_error(out, "reload: %s (the tables in use are kept)", err[0] ? err : strerror(-r));
		return r;
	}
	gw_ctl_printf(out, "mapping tables reloaded from %s\n",
		      gw->conf.gw.tables[0] ? gw->conf.gw.tables : "the built-in set");
	return 0;
}

const struct gw_ctl_cmd gw_cmd_table[] = {
	{ "show spans", "", "spans: group, signalling, link, alarm, circuits, calls", 0, 0, gw_cmd_show_spans },
	{ "show links", "", "signalling links: up or down, alarm", 0, 0, gw_cmd_show_links },
	{ "show circuits", "[SPAN]", "circuits: state, blocking, call", 0, 1, gw_cmd_show_circuits },
	{ "show calls", "", "live calls and their legs", 0, 0, gw_cmd_show_calls },
	{ "show stats", "", "call and message counters", 0, 0, gw_cmd_show_stats },
	{ "block", "SPAN CIC[-CIC]", "block circuits for maintenance (ISUP BLO/CGB, Q.931 SERVICE)", 2, 2,
	  gw_cmd_block },
	{ "unblock", "SPAN CIC[-CIC]", "unblock circuits (ISUP UBL/CGU, Q.931 SERVICE)", 2, 2, gw_cmd_unblock },
	{ "reset", "SPAN [CIC]", "reset a circuit, or every circuit of the span (ISUP RSC/GRS, Q.931 RESTART)",
	  1, 2, gw_cmd_reset },
	{ "reload", "", "reload the mapping tables (the old ones stay on error)", 0, 0, gw_cmd_reload },
};

const size_t gw_cmd_count = sizeof(gw_cmd_table) / sizeof(gw_cmd_table[0]);
