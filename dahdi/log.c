/*
 * log.c - levels, categories, stderr or syslog.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int log_lvl = LOG_LVL_NOTICE;
static int log_syslog;
static int log_ts;
static void (*log_hook)(void *arg, int level, const char *line);
static void *log_hook_arg;

static const char *const log_names[] = { "error", "warn", "notice", "info", "debug" };
static const int log_prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

void log_init(int level, int use_syslog, int timestamps)
{
	log_lvl = level;
	log_syslog = use_syslog;
	log_ts = timestamps;
	if (use_syslog)
		openlog("gwd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level)
{
	log_lvl = level;
}

int log_level(void)
{
	return log_lvl;
}

int log_level_parse(const char *name)
{
	for (int i = 0; i < (int)(sizeof(log_names) / sizeof(log_names[0])); i++)
		if (!strcmp(name, log_names[i]))
			return i;
	return -1;
}

void log_set_hook(void (*hook)(void *arg, int level, const char *line), void *arg)
{
	log_hook = hook;
	log_hook_arg = arg;
}

void log_write(int level, const char *cat, const char *fmt, ...)
{
	char msg[512], line[600];
	va_list ap;

	if (level > log_lvl && !log_hook)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (level < 0)
		level = 0;
	if (level > LOG_LVL_DEBUG)
		level = LOG_LVL_DEBUG;
	snprintf(line, sizeof(line), "%s %s: %s", log_names[level], cat, msg);
	if (log_hook)
		log_hook(log_hook_arg, level, line);
	if (level > log_lvl)
		return;
	if (log_syslog) {
		syslog(log_prio[level], "%s", line);
		return;
	}
	if (log_ts) {
		struct timespec ts;
		struct tm tm;
		char tbuf[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s\n", tbuf, ts.tv_nsec / 1000000, line);
	} else {
		fprintf(stderr, "%s\n", line);
	}
}
