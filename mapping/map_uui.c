/*
 * map_uui.c - encode and decode the gateway's user-to-user payload.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "map_redir.h"
#include "map_uui.h"

#define UUI_MAGIC "UM/1"

/* an RFC 3261 token: what an unknown Ms-Sensitivity value may be to travel in the payload */
static int uui_token(const char *s)
{
	const char *p;

	if (!*s)
		return 0;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-.!%*_+`'~", *p))
			return 0;
	return 1;
}

/* the sensitivity to carry: a known value, or an unknown one passed on unchanged ([MS-OCEXUM]) */
static const char *uui_sens(const struct map_call *call)
{
	if (call->um.sens == MAP_SENS_UNKNOWN)
		return uui_token(call->um.sens_raw) ? call->um.sens_raw : NULL;
	return call->um.sens == MAP_SENS_NONE ? NULL : map_sens_name(call->um.sens);
}

int map_uui_encode(const struct map_call *call, unsigned char *buf, size_t len)
{
	const char *sens = uui_sens(call);
	char text[MAP_UUI_MAX + MAP_SENS_RAW_MAX + 40];
	size_t n;

	if (!call->redir.cause && !call->redir.no_cause && !call->um.skip_pin && !sens)
		return 0;
	n = (size_t)snprintf(text, sizeof(text), UUI_MAGIC);
	if (call->redir.cause)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ";cause=%03d", call->redir.cause);
	else if (call->redir.no_cause)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ";no-cause");
	if (call->um.skip_pin)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ";skip-pin");
	if (sens)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ";sens=%s", sens);
	if (n + 1 > MAP_UUI_MAX || n + 1 > len)
		return -ENOSPC;
	buf[0] = MAP_UUI_PD;
	memcpy(buf + 1, text, n);
	return (int)n + 1;
}

static void uui_item(struct map_call *call, const char *item, size_t len, struct map_diag *d)
{
	char val[MAP_SENS_RAW_MAX];
	int cause, sens;

	if (len == 8 && !strncmp(item, "skip-pin", 8)) {
		call->um.skip_pin = 1;
	} else if (len == 8 && !strncmp(item, "no-cause", 8)) {
		call->redir.no_cause = 1;
	} else if (len > 6 && !strncmp(item, "cause=", 6) && !map_redir_parse_cause_n(item + 6, len - 6, &cause)) {
		call->redir.cause = cause;
	} else if (len > 5 && len - 5 < sizeof(val) && !strncmp(item, "sens=", 5)) {
		memcpy(val, item + 5, len - 5);
		val[len - 5] = '\0';
		sens = map_sens_from_name(val);
		if (sens == MAP_SENS_UNKNOWN && !uui_token(val)) {
			map_diag_add(d, MAP_DIAG_NOTE, "user-to-user: sensitivity '%s' is not a token, ignored", val);
			return;
		}
		if (sens == MAP_SENS_UNKNOWN) {
			snprintf(call->um.sens_raw, sizeof(call->um.sens_raw), "%s", val);
			map_diag_add(d, MAP_DIAG_NOTE, "user-to-user: unknown sensitivity '%s' passed on", val);
		}
		call->um.sens = sens;
	} else {
		map_diag_add(d, MAP_DIAG_NOTE, "user-to-user: item '%.*s' not understood, ignored", (int)len, item);
	}
}

int map_uui_decode(struct map_call *call, const unsigned char *buf, size_t len, struct map_diag *d)
{
	char text[MAP_UUI_MAX + 1];
	const char *p, *end;
	size_t i;

	if (len < 1 + strlen(UUI_MAGIC) || len > MAP_UUI_MAX + 1 || buf[0] != MAP_UUI_PD ||
	    memcmp(buf + 1, UUI_MAGIC, strlen(UUI_MAGIC)) || (len > 5 && buf[5] != ';')) {
		map_diag_add(d, MAP_DIAG_NOTE, "user-to-user: %zu octets not of the UM/1 convention, ignored", len);
		return 0;
	}
	for (i = 1; i < len; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e) {
			map_diag_add(d, MAP_DIAG_NOTE, "user-to-user: non-IA5 octet 0x%02x at %zu, ignored", buf[i], i);
			return 0;
		}
	memcpy(text, buf + 1, len - 1);
	text[len - 1] = '\0';
	p = text + strlen(UUI_MAGIC);
	while (*p == ';') {
		p++;
		end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		if (end > p)
			uui_item(call, p, (size_t)(end - p), d);
		p = end;
	}
	return 1;
}

int map_uui_put(const struct map_call *call, int enabled, unsigned char *buf, size_t size, size_t *len,
		struct map_diag *d)
{
	int ret;

	*len = 0;
	if (!enabled)
		return 0;
	ret = map_uui_encode(call, buf, size);
	if (ret < 0) {
		map_diag_add(d, MAP_DIAG_ERROR, "user-to-user payload longer than %d octets", MAP_UUI_MAX);
		return ret;
	}
	*len = (size_t)ret;
	return 0;
}

void map_uui_take(struct map_call *call, const unsigned char *buf, size_t len, int trusted, int screened,
		  struct map_diag *d)
{
	if (!len || !map_uui_decode(call, buf, len, d) || !call->um.skip_pin || (trusted && screened))
		return;
	call->um.skip_pin = 0;
	map_diag_add(d, MAP_DIAG_NOTE, "skip-pin dropped: %s", !trusted ? "the trunk is not trusted"
		     : "the calling number is not network screened");
}
