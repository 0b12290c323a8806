/*
 * Logging at three levels: errors, events ("IKE SA up") and packet-level debugging.
 * Never pass key material to these functions.
 */
#ifndef MGMTSEC_UTIL_LOG_H
#define MGMTSEC_UTIL_LOG_H

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_INFO = 1,
	LOG_LVL_DEBUG = 2
};

/* to_stderr: log to stderr (foreground); otherwise syslog(3) under ident. */
void log_open(const char *ident, int to_stderr, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rate limiting for lines an unauthenticated peer can trigger at will: at most
 * LOG_LIMIT_BURST lines per second per limiter (a static struct at the call site); the count of
 * suppressed lines is reported with the next line let through. */
#define LOG_LIMIT_BURST 5
struct log_limit {
	unsigned long long window_ms;
	unsigned n, suppressed;
};
int log_limit_ok(struct log_limit *l);
#define log_err_limited(lim, ...)                                                                  \
	do {                                                                                       \
		if (log_limit_ok(lim))                                                             \
			log_msg(LOG_LVL_ERR, __VA_ARGS__);                                         \
	} while (0)

#define log_err(...)  log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_get_level() >= LOG_LVL_DEBUG)                                              \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__);                                       \
	} while (0)

#endif
