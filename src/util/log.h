/*
 * Logging at three levels: errors, events ("IKE SA up") and packet-level debugging.
 * Never pass key material to these functions.
 */
#ifndef MGMTSEC_UTIL_LOG_H
#define MGMTSEC_UTIL_LOG_H

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_INFO = 1, LOG_LVL_DEBUG = 2 };

/* to_stderr: log to stderr (foreground); otherwise syslog(3) under ident. */
void log_open(const char *ident, int to_stderr, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_get_level() >= LOG_LVL_DEBUG)                                              \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__);                                       \
	} while (0)

#endif
