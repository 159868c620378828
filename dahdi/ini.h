/*
 * ini.h - the gateway config file's syntax: sections and key = value lines.
 *
 *   ; comment            # comment
 *   [type name]          a section; name optional ("[span isup-a]", "[sip]")
 *   key = value          value runs to the end of the line; an unquoted ";" or "#" after
 *                        whitespace starts a comment; "..." quotes keep them
 *
 * Errors name file:line.  Consumers look keys up with ini_get (which marks them used) and then
 * call ini_unused to refuse keys nobody knew, naming file:line and the key.
 */
#ifndef INI_H
#define INI_H

#include <stddef.h>

struct ini_kv {
	char *key;
	char *val;
	int line;
	int used;
};

struct ini_section {
	char *type;		/* "span" */
	char *name;		/* "isup-a", or "" */
	int line;
	struct ini_kv *kv;
	size_t nkv;
};

struct ini {
	char *file;		/* the path given, for messages */
	struct ini_section *sec;
	size_t nsec;
};

/* 0, -ENOENT/-EACCES (file), -EINVAL (syntax: "file:line: why" in err), -ENOMEM */
int ini_load(const char *path, struct ini **out, char *err, size_t errlen);
/* parse text in memory; name is used in messages */
int ini_parse(const char *text, size_t len, const char *name, struct ini **out, char *err, size_t errlen);
void ini_free(struct ini *ini);

/* the last value of key in sec (a repeated key is an error reported by ini_parse), NULL if absent */
const struct ini_kv *ini_get(const struct ini_section *sec, const char *key);
/* the first key of sec that no ini_get asked for, or NULL */
const struct ini_kv *ini_unused(const struct ini_section *sec);

#endif
