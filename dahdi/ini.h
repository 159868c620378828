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

/* bounds: a longer line, a larger file, more sections or keys are errors, never truncated */
#define INI_LINE_MAX 1024		/* characters in a line, without its newline */
#define INI_FILE_MAX (1024 * 1024)	/* bytes in a file */
#define INI_SECTIONS_MAX 1024
#define INI_KEYS_MAX 256		/* keys in one section */

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

/* 0, -ENOENT/-EACCES (file), -EINVAL (syntax: "file:line: why" in err), -EFBIG, -ENOMEM */
int ini_load(const char *path, struct ini **out, char *err, size_t errlen);
/* parse text in memory; name is used in messages */
int ini_parse(const char *text, size_t len, const char *name, struct ini **out, char *err, size_t errlen);
void ini_free(struct ini *ini);

/* the last value of key in sec (a repeated key is an error reported by ini_parse), NULL if absent */
const struct ini_kv *ini_get(const struct ini_section *sec, const char *key);
/* the first key of sec that no ini_get asked for, or NULL */
const struct ini_kv *ini_unused(const struct ini_section *sec);
/* the section [type name] (name "" for [type]), or NULL */
const struct ini_section *ini_section(const struct ini *ini, const char *type, const char *name);
/* "[type name]" or "[type]" into buf, for messages; returns buf */
const char *ini_section_label(const struct ini_section *sec, char *buf, size_t len);

/* values, shared by the readers of the sections (tdm_conf, gw_conf) */
/* a decimal integer, optionally negative, nothing after it: 0, -EINVAL, -ERANGE */
int ini_value_long(const char *s, long *out);
/* a name of letters, digits, '-', '_', '.' shorter than max characters: 1 or 0 */
int ini_value_name(const char *s, size_t max);
/* the index of s (case-insensitive) in the NULL-terminated names, -1 if absent */
int ini_value_enum(const char *s, const char *const *names);
/* the names as "a, b, c" into buf (for messages); returns buf */
const char *ini_value_enum_list(const char *const *names, char *buf, size_t len);
/* yes/true/on/1 -> 1, no/false/off/0 -> 0, else -1 */
int ini_value_bool(const char *s);
/* s after blanks and tabs */
const char *ini_skip_blank(const char *s);

#endif
