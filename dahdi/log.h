/*
 * log.h - the gateway's log: levels and categories, to stderr or syslog.
 *
 * A line reads "LEVEL category: message"; the message names the call, the leg, the span and
 * channel or CIC and the state ("isup-a cic 3 [outgoing]: ...").  No pointers; timestamps only when
 * asked for (log_init), so tests can read the lines.  Control characters in messages are replaced.
 */
#ifndef LOG_H
#define LOG_H

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_NOTICE,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* where lines go; the default is stderr at NOTICE without timestamps */
void log_init(int level, int use_syslog, int timestamps);
void log_set_level(int level);
int log_level(void);
/* parse "error|warn|notice|info|debug"; -1 if unknown */
int log_level_parse(const char *name);
/* a hook that also receives every line written (tests collect lines; NULL removes it) */
void log_set_hook(void (*hook)(void *arg, int level, const char *line), void *arg);

void log_write(int level, const char *cat, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define LOGE(cat, ...) log_write(LOG_LVL_ERROR, cat, __VA_ARGS__)
#define LOGW(cat, ...) log_write(LOG_LVL_WARN, cat, __VA_ARGS__)
#define LOGN(cat, ...) log_write(LOG_LVL_NOTICE, cat, __VA_ARGS__)
#define LOGI(cat, ...) log_write(LOG_LVL_INFO, cat, __VA_ARGS__)
#define LOGD(cat, ...) log_write(LOG_LVL_DEBUG, cat, __VA_ARGS__)

#endif
