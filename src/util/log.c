#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

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

/* One write per line: cheaper than stdio's three, and lines from several threads never mix. */
static void write_line(enum log_level lvl, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static void write_line(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const tag[] = {"error", "info", "debug"};
	struct timespec ts;
	struct tm tm;
	char when[32], buf[1024], *line = buf;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	/* Microseconds: an IKE exchange between two local hosts takes well under a millisecond. */
	int h = snprintf(buf, sizeof(buf), "%s.%06ld %s: ", when, ts.tv_nsec / 1000, tag[lvl]);
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(buf + h, sizeof(buf) - (size_t)h, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	size_t len = (size_t)h + (size_t)n;
	if (len + 1 >= sizeof(buf)) { /* a long line: format it again into its own buffer */
		line = malloc(len + 2);
		if (!line) {
			line = buf;
			len = sizeof(buf) - 2;
		} else {
			memcpy(line, buf, (size_t)h);
			vsnprintf(line + h, (size_t)n + 1, fmt, ap);
		}
	}
	line[len++] = '\n';
	for (size_t off = 0; off < len;) {
		ssize_t w = write(STDERR_FILENO, line + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (line != buf)
		free(line);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const int prio[] = {LOG_ERR, LOG_INFO, LOG_DEBUG};
	if (lvl > g_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (g_stderr)
		write_line(lvl, fmt, ap);
	else
		vsyslog(prio[lvl], fmt, ap);
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
