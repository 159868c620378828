/*
 * map_diag.c - collect the notes, lossy warnings and errors of one mapping.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "map_diag.h"

void map_diag_init(struct map_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void map_diag_add(struct map_diag *d, int level, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (!d)
		return;
	if (d->count >= MAP_DIAG_MAX) {
		d->dropped++;
		return;
	}
	d->line[d->count].level = level;
	va_start(ap, fmt);
	vsnprintf(d->line[d->count].text, MAP_DIAG_LEN, fmt, ap);
	va_end(ap);
	/* a line stays one line: input quoted in it may hold (unescaped) control characters */
	for (p = d->line[d->count].text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	d->count++;
}

int map_diag_count(const struct map_diag *d, int level)
{
	int i, n = 0;

	for (i = 0; i < d->count; i++)
		if (d->line[i].level == level)
			n++;
	return n;
}

const char *map_diag_first(const struct map_diag *d, int level)
{
	int i;

	for (i = 0; i < d->count; i++)
		if (d->line[i].level == level)
			return d->line[i].text;
	return NULL;
}

const char *map_diag_level_name(int level)
{
	static const char *const names[] = { "note", "lossy", "error" };

	if (level < 0 || level > MAP_DIAG_ERROR)
		return "?";
	return names[level];
}
