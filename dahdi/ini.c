/*
 * ini.c - the gateway config file's syntax: "[type name]" sections and "key = value" lines.
 *
 * One line at a time: a line is checked whole (length, control bytes) before it is split, so
 * garbage is refused with file:line rather than truncated.  A key outside any section, a key
 * repeated in a section and a section declared twice are errors.  Values are kept as text; the
 * consumers (tdm_conf.c, the daemon) give them a meaning and refuse keys they did not ask for.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini.h"

struct ini_parser {
	struct ini *ini;
	struct ini_section *cur;	/* the section keys go to, NULL before the first */
	int line;
	char *err;
	size_t errlen;
};

static int ini_err(struct ini_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int ini_err(struct ini_parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "%s:%d: ", p->ini->file, p->line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int ini_is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* a key or section type: ASCII letters, digits, - _ . */
static int ini_is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.';
}

/* a section name is wider: any visible character but [ ] ; # " (the consumer narrows it) */
static int ini_is_name(char c)
{
	unsigned char u = (unsigned char)c;

	return (u > ' ' && u != 0x7f && !strchr("[];#\"", c)) || u >= 0x80;
}

static char *ini_skip_space(char *s)
{
	while (ini_is_space(*s))
		s++;
	return s;
}

/* the rest of a line after a value or a header: blank or a comment */
static int ini_is_end(const char *s)
{
	while (ini_is_space(*s))
		s++;
	return !*s || *s == ';' || *s == '#';
}

const char *ini_section_label(const struct ini_section *sec, char *buf, size_t len)
{
	snprintf(buf, len, "[%s%s%s]", sec->type, sec->name[0] ? " " : "", sec->name);
	return buf;
}

const struct ini_section *ini_section(const struct ini *ini, const char *type, const char *name)
{
	size_t i;

	for (i = 0; i < ini->nsec; i++)
		if (!strcmp(ini->sec[i].type, type) && !strcmp(ini->sec[i].name, name))
			return &ini->sec[i];
	return NULL;
}

/* make room for element n of an array of n: the room doubles when n reaches a power of two */
static int ini_grow(void **arr, size_t n, size_t sz)
{
	void *a;

	if (n && (n < 4 || (n & (n - 1))))
		return 0;
	a = realloc(*arr, (n ? n * 2 : 4) * sz);
	if (!a)
		return -ENOMEM;
	*arr = a;
	return 0;
}

static int ini_add_section(struct ini_parser *p, const char *type, const char *name)
{
	struct ini *ini = p->ini;
	struct ini_section *sec;
	const struct ini_section *dup = ini_section(ini, type, name);
	char label[INI_LINE_MAX + 8];

	if (dup)
		return ini_err(p, "duplicate section %s (first at line %d)", ini_section_label(dup, label,
			       sizeof(label)), dup->line);
	if (ini->nsec >= INI_SECTIONS_MAX)
		return ini_err(p, "more than %d sections", INI_SECTIONS_MAX);
	if (ini_grow((void **)&ini->sec, ini->nsec, sizeof(*ini->sec)) < 0)
		return -ENOMEM;
	sec = &ini->sec[ini->nsec];
	memset(sec, 0, sizeof(*sec));
	sec->line = p->line;
	sec->type = strdup(type);
	sec->name = strdup(name);
	ini->nsec++;
	if (!sec->type || !sec->name)
		return -ENOMEM;
	p->cur = sec;
	return 0;
}

/* s points after '[': "type]" or "type name]", blanks allowed around the words */
static int ini_section_line(struct ini_parser *p, char *s)
{
	char *type, *name, *end = strchr(s, ']');

	if (!end)
		return ini_err(p, "section header without ']'");
	if (!ini_is_end(end + 1))
		return ini_err(p, "text after section header: '%s'", end + 1);
	*end = '\0';
	type = ini_skip_space(s);
	for (s = type; ini_is_word(*s); s++)
		;
	if (s == type)
		return ini_err(p, "section header without a type (like [span NAME])");
	name = ini_skip_space(s);
	if (*name && name == s)
		return ini_err(p, "invalid character '%c' in section type", *s);
	*s = '\0';
	for (s = name; ini_is_name(*s); s++)
		;
	if (*ini_skip_space(s))
		return ini_err(p, "section [%s ...]: one name expected, found '%s'", type, name);
	*s = '\0';
	return ini_add_section(p, type, name);
}

static int ini_add_kv(struct ini_parser *p, const char *key, const char *val)
{
	struct ini_section *sec = p->cur;
	struct ini_kv *kv;
	char label[INI_LINE_MAX + 8];
	size_t i;

	for (i = 0; i < sec->nkv; i++)
		if (!strcmp(sec->kv[i].key, key))
			return ini_err(p, "%s: duplicate key in %s (first at line %d)", key,
				       ini_section_label(sec, label, sizeof(label)), sec->kv[i].line);
	if (sec->nkv >= INI_KEYS_MAX)
		return ini_err(p, "%s: more than %d keys in %s", key, INI_KEYS_MAX,
			       ini_section_label(sec, label, sizeof(label)));
	if (ini_grow((void **)&sec->kv, sec->nkv, sizeof(*sec->kv)) < 0)
		return -ENOMEM;
	kv = &sec->kv[sec->nkv];
	memset(kv, 0, sizeof(*kv));
	kv->line = p->line;
	kv->key = strdup(key);
	kv->val = strdup(val);
	sec->nkv++;
	if (!kv->key || !kv->val)
		return -ENOMEM;
	return 0;
}

/* the value after '=' (blanks skipped): quoted, or up to a comment after a blank; cut in place */
static int ini_value(struct ini_parser *p, const char *key, char *s, char **val)
{
	char *end;

	if (*s == '"') {
		end = strchr(s + 1, '"');
		if (!end)
			return ini_err(p, "%s: unterminated quote", key);
		if (!ini_is_end(end + 1))
			return ini_err(p, "%s: text after the closing quote", key);
		*end = '\0';
		*val = s + 1;
		return 0;
	}
	*val = s;
	/* s[-1] is the '=' (cut) or a blank */
	for (end = s; *end; end++)
		if ((*end == ';' || *end == '#') && (ini_is_space(end[-1]) || end == s))
			break;
	while (end > s && ini_is_space(end[-1]))
		end--;
	*end = '\0';
	return 0;
}

static int ini_kv_line(struct ini_parser *p, char *s)
{
	char *key = s, *val = NULL;
	char c;
	int rc;

	while (ini_is_word(*s))
		s++;
	if (s == key)
		return ini_err(p, "expected 'key = value' or '[type name]', found '%s'", key);
	c = *s;
	*s = '\0';
	if (c && c != '=' && !ini_is_space(c))
		return ini_err(p, "%s: invalid character '%c' in a key", key, c);
	if (ini_is_space(c))
		s = ini_skip_space(s + 1);
	if (c != '=' && *s != '=')
		return ini_err(p, "%s: expected '=' after the key", key);
	if (!p->cur)
		return ini_err(p, "%s: key outside any section", key);
	rc = ini_value(p, key, ini_skip_space(s + 1), &val);
	if (rc < 0)
		return rc;
	return ini_add_kv(p, key, val);
}

/* copy a line of n bytes into buf (INI_LINE_MAX + 1) checking every byte */
static int ini_copy_line(struct ini_parser *p, const char *s, size_t n, char *buf)
{
	size_t i;
	unsigned char c;

	if (n && s[n - 1] == '\r')
		n--;
	if (n > INI_LINE_MAX)
		return ini_err(p, "line longer than %d characters", INI_LINE_MAX);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!c)
			return ini_err(p, "NUL byte at column %zu", i + 1);
		if ((c < ' ' && c != '\t') || c == 0x7f)
			return ini_err(p, "control character 0x%02x at column %zu", c, i + 1);
		buf[i] = (char)c;
	}
	buf[n] = '\0';
	return 0;
}

static int ini_line(struct ini_parser *p, const char *text, size_t n)
{
	char buf[INI_LINE_MAX + 1];
	char *s;
	int rc;

	rc = ini_copy_line(p, text, n, buf);
	if (rc < 0)
		return rc;
	s = ini_skip_space(buf);
	if (p->line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
		s += 3;	/* UTF-8 byte order mark */
	if (!*s || *s == ';' || *s == '#')
		return 0;
	if (*s == '[')
		return ini_section_line(p, s + 1);
	return ini_kv_line(p, s);
}

int ini_parse(const char *text, size_t len, const char *name, struct ini **out, char *err, size_t errlen)
{
	struct ini_parser p = { .err = err, .errlen = errlen };
	const char *nl;
	size_t pos = 0, n;
	int rc = -ENOMEM;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	p.ini = calloc(1, sizeof(*p.ini));
	if (!p.ini)
		return -ENOMEM;
	p.ini->file = strdup(name ? name : "(config)");
	if (!p.ini->file)
		goto fail;
	rc = 0;
	if (len > INI_FILE_MAX) {
		snprintf(err, err ? errlen : 0, "%s: larger than %d bytes", p.ini->file, INI_FILE_MAX);
		rc = -EFBIG;
	}
	while (!rc && pos < len) {
		p.line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		rc = ini_line(&p, text + pos, n);
		pos += n + 1;
	}
	if (rc < 0)
		goto fail;
	*out = p.ini;
	return 0;
fail:
	if (rc == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s: out of memory", name ? name : "(config)");
	ini_free(p.ini);
	return rc;
}

/* read a whole file of at most INI_FILE_MAX bytes into *buf */
static int ini_read(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int rc = 0;

	*buf = NULL;
	if (!f) {
		rc = -errno;
		goto out;
	}
	*buf = malloc(INI_FILE_MAX + 1);
	if (!*buf) {
		rc = -ENOMEM;
		goto out;
	}
	*len = fread(*buf, 1, INI_FILE_MAX + 1, f);
	if (ferror(f))
		rc = errno ? -errno : -EIO;
	else if (*len > INI_FILE_MAX)
		rc = -EFBIG;
out:
	if (f)
		fclose(f);
	if (rc == -EFBIG)
		snprintf(err, err ? errlen : 0, "%s: larger than %d bytes", path, INI_FILE_MAX);
	else if (rc < 0)
		snprintf(err, err ? errlen : 0, "%s: %s", path, strerror(-rc));
	if (rc < 0) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

int ini_load(const char *path, struct ini **out, char *err, size_t errlen)
{
	char *buf;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = ini_read(path, &buf, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = ini_parse(buf, len, path, out, err, errlen);
	free(buf);
	return rc;
}

void ini_free(struct ini *ini)
{
	size_t i, j;

	if (!ini)
		return;
	for (i = 0; i < ini->nsec; i++) {
		for (j = 0; j < ini->sec[i].nkv; j++) {
			free(ini->sec[i].kv[j].key);
			free(ini->sec[i].kv[j].val);
		}
		free(ini->sec[i].kv);
		free(ini->sec[i].type);
		free(ini->sec[i].name);
	}
	free(ini->sec);
	free(ini->file);
	free(ini);
}

const struct ini_kv *ini_get(const struct ini_section *sec, const char *key)
{
	size_t i;

	for (i = sec->nkv; i-- > 0;)
		if (!strcmp(sec->kv[i].key, key)) {
			sec->kv[i].used = 1;
			return &sec->kv[i];
		}
	return NULL;
}

const struct ini_kv *ini_unused(const struct ini_section *sec)
{
	size_t i;

	for (i = 0; i < sec->nkv; i++)
		if (!sec->kv[i].used)
			return &sec->kv[i];
	return NULL;
}

/* ---- values ---- */

int ini_value_long(const char *s, long *out)
{
	char *end;

	if (!(*s >= '0' && *s <= '9') && !(*s == '-' && s[1] >= '0' && s[1] <= '9'))
		return -EINVAL;
	errno = 0;
	*out = strtol(s, &end, 10);
	if (*end)
		return -EINVAL;
	return errno ? -ERANGE : 0;
}

int ini_value_name(const char *s, size_t max)
{
	size_t n;

	for (n = 0; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
		      strchr("-_.", s[n])))
			return 0;
	return n > 0 && n < max;
}

int ini_value_enum(const char *s, const char *const *names)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcasecmp(s, names[i]))
			return i;
	return -1;
}

const char *ini_value_enum_list(const char *const *names, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; names[i] && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", names[i]);
	return buf;
}

int ini_value_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };

	if (ini_value_enum(s, yes) >= 0)
		return 1;
	return ini_value_enum(s, no) >= 0 ? 0 : -1;
}

const char *ini_skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}
