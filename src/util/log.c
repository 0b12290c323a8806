#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static int g_stderr = 1;
static enum log_level g_level = LOG_LVL_INFO;

void log_open(const char *ident, int to_stderr, enum log_level level)
{
	g_stderr = to_stderr;
	g_level = level;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	g_level = level;
}

enum log_level log_get_level(void)
{
	return g_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const tag[] = {"error", "info", "debug"};
	static const int prio[] = {LOG_ERR, LOG_INFO, LOG_DEBUG};
	if (lvl > g_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (g_stderr) {
		struct timespec ts;
		struct tm tm;
		char when[32];
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s: ", when, ts.tv_nsec / 1000000, tag[lvl]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(prio[lvl], fmt, ap);
	}
	va_end(ap);
}

int log_limit_ok(struct log_limit *l)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	unsigned long long now =
	    (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
	if (now - l->window_ms >= 1000) {
		if (l->suppressed)
			log_msg(LOG_LVL_ERR, "(%u similar messages suppressed)", l->suppressed);
		l->window_ms = now;
		l->n = 0;
		l->suppressed = 0;
	}
	if (l->n < LOG_LIMIT_BURST) {
		l->n++;
		return 1;
	}
	l->suppressed++;
	return 0;
}
