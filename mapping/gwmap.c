/*
 * gwmap.c - the offline mapping translator: try the mapping tables without a gateway.
 *
 *   gwmap sip2tdm --proto isup|q931|qsig|etsi [options] [FILE]
 *   gwmap tdm2sip --proto isup|q931|qsig|etsi [--um URI] [options] [FILE]
 *   gwmap check-tables DIR
 *   gwmap cause q850 N | sip STATUS [REASON]
 * Exit status: 0 mapped, 2 bad input or usage (one line on stderr naming what and where).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "map_isup.h"
#include "map_kv.h"
#include "map_q850.h"
#include "map_q931.h"
#include "map_sip.h"
#include "map_table.h"

#define INPUT_MAX (64 * 1024)
#define EXIT_BAD 2

struct gwmap_opts {
	const char *cmd;
	int proto;		/* -1 = isup, else enum map_q931_proto */
	const char *tables;
	const char *trunk;
	const char *switchtype;
	const char *um;
	const char *file;
	int trusted;
	int untrusted_peer;
	int lenient;
	int verbose;
	char **args;		/* cause: its arguments */
	int nargs;
};

static const char usage[] =
	"usage: gwmap sip2tdm --proto isup|q931|qsig|etsi [options] [FILE]\n"
	"       gwmap tdm2sip --proto isup|q931|qsig|etsi [--um URI] [options] [FILE]\n"
	"       gwmap check-tables DIR\n"
	"       gwmap cause q850 N | sip STATUS [REASON]   [--tables DIR]\n"
	"\n"
	"sip2tdm reads one SIP request (FILE or standard input) and prints the TDM side as key=value lines.\n"
	"tdm2sip reads key=value lines and prints the Request-URI and headers of the INVITE toward the UM.\n"
	"check-tables validates a directory of mapping tables (exit 0, or 2 with file:line: problem).\n"
	"cause maps a Q.850 cause to a SIP status, or a SIP status (and Reason header) to a Q.850 cause.\n"
	"\n"
	"options:\n"
	"  -p, --proto P        TDM protocol: isup (ITU ISUP, Q.763), q931 (Redirecting number IE),\n"
	"                       qsig (ECMA-174 DivertingLegInformation2), etsi (EN 300 207-1)\n"
	"  -t, --tables DIR     mapping tables (default: the built-in copy of conf/tables)\n"
	"  -T, --trunk NAME     numbering plan row of numbering.tbl (default: default)\n"
	"  -s, --switch TYPE    Q.931 switch type: uses q931-reasons-TYPE.tbl when the tables have it\n"
	"  -u, --um URI         tdm2sip: the UM server, sip:host[:port] (default: sip:localhost)\n"
	"      --trusted        sip2tdm: the SIP peer is trusted (TLS, configured): P-Asserted-Identity and\n"
	"                       skip-pin are honoured; tdm2sip: the trunk is trusted: a skip-pin in\n"
	"                       user-to-user data is honoured when the calling number is network screened\n"
	"      --untrusted-peer tdm2sip: the UM is not trusted: privacy removes target and cause\n"
	"      --lenient        sip2tdm: an unknown Ms-Sensitivity value is noted, not an error\n"
	"  -v, --verbose        print every mapping decision on standard error\n"
	"  -h, --help           this text\n"
	"      --version        print the version\n"
	"See gwmap(1) for every key and its codepoints.\n";

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gwmap: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_BAD;
}

static int parse_proto(const char *s)
{
	if (!strcmp(s, "isup"))
		return -1;
	if (!strcmp(s, "q931"))
		return MAP_PROTO_Q931;
	if (!strcmp(s, "qsig"))
		return MAP_PROTO_QSIG;
	if (!strcmp(s, "etsi"))
		return MAP_PROTO_ETSI;
	return -2;
}

static int parse_args(int argc, char **argv, struct gwmap_opts *o)
{
	static const struct option longopts[] = {
		{ "proto", required_argument, NULL, 'p' },  { "tables", required_argument, NULL, 't' },
		{ "trunk", required_argument, NULL, 'T' },  { "switch", required_argument, NULL, 's' },
		{ "um", required_argument, NULL, 'u' },	    { "trusted", no_argument, NULL, 1 },
		{ "untrusted-peer", no_argument, NULL, 2 }, { "lenient", no_argument, NULL, 3 },
		{ "verbose", no_argument, NULL, 'v' },	    { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 4 },	    { NULL, 0, NULL, 0 },
	};
	int c, have_proto = 0;

	memset(o, 0, sizeof(*o));
	o->proto = -1;
	o->trunk = "default";
	o->um = "sip:localhost";
	opterr = 0;	/* one line on stderr, ours */
	while ((c = getopt_long(argc, argv, "p:t:T:s:u:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->proto = parse_proto(optarg);
			if (o->proto == -2)
				return bad("unknown protocol '%s' (isup, q931, qsig, etsi)", optarg);
			have_proto = 1;
			break;
		case 't': o->tables = optarg; break;
		case 'T': o->trunk = optarg; break;
		case 's': o->switchtype = optarg; break;
		case 'u': o->um = optarg; break;
		case 1: o->trusted = 1; break;
		case 2: o->untrusted_peer = 1; break;
		case 3: o->lenient = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': fputs(usage, stdout); exit(0);
		case 4: printf("gwmap %s\n", PACKAGE_VERSION); exit(0);
		default: return bad("bad option or missing argument '%s' (see gwmap --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bad("no command (sip2tdm, tdm2sip, check-tables); see gwmap --help");
	o->cmd = argv[optind++];
	if (!strcmp(o->cmd, "cause")) {
		o->args = argv + optind;
		o->nargs = argc - optind;
		return 0;
	}
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	if (strcmp(o->cmd, "check-tables") && !have_proto)
		return bad("%s: --proto is required", o->cmd);
	return 0;
}

static char *read_input(const char *file)
{
	FILE *fp = file && strcmp(file, "-") ? fopen(file, "rb") : stdin;
	char *buf;
	size_t n;

	if (!fp) {
		bad("%s: %s", file, strerror(errno));
		return NULL;
	}
	buf = malloc(INPUT_MAX + 2);
	if (!buf)
		return NULL;
	n = fread(buf, 1, INPUT_MAX + 1, fp);
	if (fp != stdin)
		fclose(fp);
	if (n > INPUT_MAX) {
		bad("%s: input larger than 64 KiB", file ? file : "stdin");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (strlen(buf) != n) {
		bad("%s: input contains a NUL byte", file ? file : "stdin");
		free(buf);
		return NULL;
	}
	return buf;
}

/* print notes (-v) and lossy lines; returns the exit status for the first error, if any */
static int report(const struct gwmap_opts *o, const struct map_diag *d)
{
	const char *name = o->file ? o->file : "stdin";
	const char *err = map_diag_first(d, MAP_DIAG_ERROR);
	int i;

	if (err && !strncmp(err, name, strlen(name)) && err[strlen(name)] == ':')
		return bad("%s", err);
	if (err)
		return bad("%s: %s", name, err);
	for (i = 0; i < d->count; i++)
		if (o->verbose || d->line[i].level == MAP_DIAG_LOSSY)
			fprintf(stderr, "gwmap: %s: %s\n", map_diag_level_name(d->line[i].level), d->line[i].text);
	return 0;
}

static int sip2tdm(const struct gwmap_opts *o, const struct map_tables *t, const struct map_trunk *tr,
		   const char *text)
{
	struct osip_message *msg = NULL;
	struct map_call call;
	struct map_isup isup;
	struct map_q931 q;
	struct map_diag d;
	int ret;

	map_diag_init(&d);
	ret = map_sip_parse(text, strlen(text), &msg, &d);
	if (!ret)
		ret = map_sip_to_call(msg, t, tr,
				      (o->lenient ? MAP_SIP_IN_LENIENT_SENS : 0) | (o->trusted ? MAP_SIP_IN_TRUSTED : 0),
				      &call, &d);
	if (!ret && !call.called.present) {
		map_diag_add(&d, MAP_DIAG_ERROR, "no called number");
		ret = -EINVAL;
	}
	if (!ret)
		ret = map_isup_from_call(&call, t, &isup, o->proto < 0 ? &d : NULL);
	if (!ret && o->proto >= 0)
		ret = map_q931_from_call(&call, t, o->proto, o->switchtype, &q, &d);
	osip_message_free(msg);
	if (ret < 0 && !map_diag_first(&d, MAP_DIAG_ERROR))
		map_diag_add(&d, MAP_DIAG_ERROR, "mapping failed (%s)", strerror(-ret));
	ret = report(o, &d);
	if (ret)
		return ret;
	if (o->proto < 0)
		map_kv_print_isup(stdout, &call, &isup);
	else
		map_kv_print_q931(stdout, &call, &q, &isup);
	return 0;
}

/* "sip:host:port;params" -> "host:port" */
/* "sip:host[:port]" (a user part and ;parameters allowed) -> "host[:port]"; anything else -EINVAL */
static int um_host(const char *uri, char *out, size_t len)
{
	const char *p = uri, *at, *colon;
	size_t n, h;
	long port;
	char *end;

	if (strncasecmp(p, "sip:", 4))
		return -EINVAL;	/* sips: is the daemon's choice of transport, not gwmap's */
	p += 4;
	at = strchr(p, '@');
	if (at)
		p = at + 1;
	n = strcspn(p, ";");
	if (p[n] && p[n] != ';')
		return -EINVAL;
	colon = p[0] == '[' ? strstr(p, "]:") : strchr(p, ':');
	h = colon && colon < p + n ? (size_t)(colon - p) + (p[0] == '[') : n;
	if (h == 0 || n >= len || strspn(p, p[0] == '[' ? "[]:0123456789abcdefABCDEF." :
				"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") < h)
		return -EINVAL;
	if (h < n) {
		port = strtol(p + h + 1, &end, 10);
		if (end != p + n || port < 1 || port > 65535)
			return -EINVAL;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static void print_sip(const struct map_sip_out *s)
{
	printf("INVITE %s SIP/2.0\n", s->request_uri);
	printf("From: %s\nTo: %s\n", s->from, s->to);
	if (s->p_asserted_identity[0])
		printf("P-Asserted-Identity: %s\n", s->p_asserted_identity);
	if (s->diversion[0])
		printf("Diversion: %s\n", s->diversion);
	if (s->history_info[0])
		printf("History-Info: %s\n", s->history_info);
	if (s->privacy[0])
		printf("Privacy: %s\n", s->privacy);
	if (s->ms_exchange_command[0])
		printf("Ms-Exchange-Command: %s\n", s->ms_exchange_command);
	if (s->ms_sensitivity[0])
		printf("Ms-Sensitivity: %s\n", s->ms_sensitivity);
}

static int tdm2sip(const struct gwmap_opts *o, const struct map_tables *t, const struct map_trunk *tr,
		   const char *text)
{
	const char *name = o->file ? o->file : "stdin";
	struct map_sip_out_opts so = { 0 };
	struct map_sip_out out;
	struct map_call call;
	struct map_isup isup;
	struct map_q931 q;
	struct map_diag d;
	struct map_kv *kv;
	char host[256];
	int ret;

	if (um_host(o->um, host, sizeof(host)) < 0)
		return bad("--um '%s': expected sip:host[:port] (host name or address; sips: is not for gwmap)", o->um);
	kv = calloc(1, sizeof(*kv));
	if (!kv)
		return EXIT_BAD;
	map_diag_init(&d);
	ret = map_kv_parse(kv, text, name, &d);
	if (!ret && o->proto < 0) {
		ret = map_kv_to_isup(kv, name, &isup, &d);
		if (!ret)
			ret = map_isup_to_call(&isup, t, o->trusted, &call, &d);
	} else if (!ret) {
		ret = map_kv_to_q931(kv, name, o->proto, &q, &d);
		if (!ret)
			ret = map_q931_to_call(&q, t, o->switchtype, o->trusted, &call, &d);
	}
	free(kv);
	so.um_host = host;
	so.untrusted = o->untrusted_peer;
	if (!ret)
		ret = map_call_to_sip(&call, t, tr, &so, &out, &d);
	ret = report(o, &d);
	if (ret)
		return ret;
	print_sip(&out);
	return 0;
}

static int load_tables(const struct gwmap_opts *o, struct map_tables *t)
{
	char err[MAP_TBL_ERR_LEN];
	int ret;

	ret = o->tables ? map_tables_load_dir(t, o->tables, err, sizeof(err))
			: map_tables_load_builtin(t, err, sizeof(err));
	if (ret < 0)
		return bad("%s", err);
	return 0;
}

/* gwmap cause q850 N | sip STATUS [REASON] */
static int cause(const struct gwmap_opts *o, const struct map_tables *t)
{
	char *end;
	long v;

	if (o->nargs < 2 || o->nargs > 3 || (strcmp(o->args[0], "q850") && strcmp(o->args[0], "sip")) ||
	    (!strcmp(o->args[0], "q850") && o->nargs != 2))
		return bad("cause: expected 'q850 N' or 'sip STATUS [REASON]'");
	v = strtol(o->args[1], &end, 10);
	if (!strcmp(o->args[0], "q850")) {
		if (*end || v < 1 || v > 127)
			return bad("cause: Q.850 cause '%s' out of range 1-127", o->args[1]);
		printf("sip=%d\n", map_q850_to_sip(t, (int)v));
		return 0;
	}
	if (*end || v < 400 || v > 699)
		return bad("cause: SIP status '%s' is not a failure response 400-699", o->args[1]);
	if (o->nargs == 3 && map_q850_parse_reason(o->args[2]) < 0)
		return bad("cause: Reason '%s' is not 'Q.850;cause=N' (RFC 3326)", o->args[2]);
	printf("q850=%d\n", map_q850_from_sip(t, (int)v, o->nargs == 3 ? o->args[2] : NULL));
	return 0;
}

int main(int argc, char **argv)
{
	struct gwmap_opts o;
	struct map_tables *t;
	const struct map_trunk *tr;
	char *text;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return EXIT_BAD;
	if (!strcmp(o.cmd, "check-tables")) {
		if (!o.file) {
			free(t);
			return bad("check-tables: which directory?");
		}
		o.tables = o.file;
		ret = load_tables(&o, t);
		if (!ret)
			printf("%s: tables valid\n", o.file);
		free(t);
		return ret;
	}
	if (strcmp(o.cmd, "sip2tdm") && strcmp(o.cmd, "tdm2sip") && strcmp(o.cmd, "cause")) {
		free(t);
		return bad("unknown command '%s' (sip2tdm, tdm2sip, check-tables, cause)", o.cmd);
	}
	ret = load_tables(&o, t);
	if (!ret && !strcmp(o.cmd, "cause")) {
		ret = cause(&o, t);
		free(t);
		return ret;
	}
	if (!ret && o.verbose && o.switchtype && map_tables_q931(t, o.switchtype) == &t->q931[0])
		fprintf(stderr, "gwmap: note: no q931-reasons-%s.tbl: q931-reasons.tbl used\n", o.switchtype);
	tr = ret ? NULL : map_tables_trunk(t, o.trunk);
	if (!ret && !tr)
		ret = bad("--trunk '%s': no such trunk in numbering.tbl", o.trunk);
	text = ret ? NULL : read_input(o.file);
	if (!ret && !text)
		ret = EXIT_BAD;
	if (!ret)
		ret = !strcmp(o.cmd, "sip2tdm") ? sip2tdm(&o, t, tr, text) : tdm2sip(&o, t, tr, text);
	free(text);
	free(t);
	return ret;
}
