/*
 * map_diag.h - what a mapping did and why: notes, lossy-mapping warnings and errors.
 *
 * Every mapping function takes a struct map_diag and appends one line per decision that an
 * operator may want to see in the log (a default applied, a reason that could not be carried,
 * a value rejected).  The daemon logs them with the call and leg; gwmap prints them on stderr.
 */
#ifndef MAP_DIAG_H
#define MAP_DIAG_H

#define MAP_DIAG_MAX 32
#define MAP_DIAG_LEN 240

enum map_diag_level {
	MAP_DIAG_NOTE = 0,	/* a decision: default applied, value derived */
	MAP_DIAG_LOSSY,		/* information that the target protocol cannot carry */
	MAP_DIAG_ERROR,		/* input rejected */
};

struct map_diag {
	int count;
	int dropped;	/* lines that did not fit */
	struct {
		int level;
		char text[MAP_DIAG_LEN];
	} line[MAP_DIAG_MAX];
};

void map_diag_init(struct map_diag *d);
void map_diag_add(struct map_diag *d, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* number of lines at the given level */
int map_diag_count(const struct map_diag *d, int level);
/* the first line at the given level, or NULL */
const char *map_diag_first(const struct map_diag *d, int level);
const char *map_diag_level_name(int level);

#endif
