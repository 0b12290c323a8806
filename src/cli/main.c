/*
 * mgmtsec: the command-line interface to mgmtsecd. A thin client: every line goes to the
 * daemon over the control socket (ctl/proto.h), which parses, executes and renders.
 *
 *   mgmtsec [-s SOCKET] [-c COMMAND]...
 * With -c: runs the commands in order and exits. Otherwise, with stdin a terminal: an
 * interactive session with line editing, history, `?` help and TAB completion; with stdin not a
 * terminal: reads command lines from stdin (a configuration script can be piped in).
 * Exit status: 0 when every command succeeded, 1 when any failed, 2 on usage or connection errors.
 */
#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/proto.h"

#define MAX_CMDS 256

static int g_fd = -1;
static char g_prompt[256] = "mgmtsec# ";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: mgmtsec [-s SOCKET] [-c COMMAND]...\n"
	        "\n"
	        "Talks to mgmtsecd over its control socket.\n"
	        "  -s, --socket PATH   control socket (default %s)\n"
	        "  -c, --command CMD   run CMD (repeatable, in order) and exit\n"
	        "  -h, --help          this text\n"
	        "With no -c: interactive when stdin is a terminal (? for help, TAB completes),\n"
	        "otherwise command lines are read from stdin.\n"
	        "Exit status: 0 all commands succeeded, 1 a command failed, 2 usage/connection "
	        "error.\n",
	        CTL_DEFAULT_SOCKET);
}

static void set_prompt(const struct ctl_response *r)
{
	if (r->prompt.len)
		snprintf(g_prompt, sizeof(g_prompt), "%s ", sb_str(&r->prompt));
}

/* Runs one request; prints its output. Returns the status (0 ok, 1 failed), or -1 on I/O loss. */
static int call(enum ctl_verb v, const char *line, bool print)
{
	struct ctl_response r;
	if (ctl_call(g_fd, v, line, &r) < 0) {
		fprintf(stderr, "%% lost connection to mgmtsecd\n");
		return -1;
	}
	if (print) {
		fputs(sb_str(&r.out), stdout);
		fflush(stdout);
		fputs(sb_str(&r.err), stderr);
	}
	set_prompt(&r);
	int st = r.status;
	ctl_response_free(&r);
	return st;
}

static bool blank(const char *s)
{
	s += strspn(s, " \t\r\n");
	return *s == '\0';
}

static int run_stream(FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int failed = 0;
	while ((n = getline(&line, &cap, in)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (blank(line))
			continue;
		int st = call(CTL_EXEC, line, true);
		if (st < 0) {
			free(line);
			return 2;
		}
		failed |= st != 0;
	}
	free(line);
	return failed;
}

static char *prompt_fn(EditLine *el)
{
	return g_prompt;
}

/* Sends the line up to the cursor for help or completion. */
static char *line_to_cursor(EditLine *el)
{
	const LineInfo *li = el_line(el);
	return strndup(li->buffer, (size_t)(li->cursor - li->buffer));
}

static unsigned char help_fn(EditLine *el, int ch)
{
	char *partial = line_to_cursor(el);
	if (!partial)
		return CC_ERROR;
	struct ctl_response r;
	putchar('\n');
	if (ctl_call(g_fd, CTL_HELP, partial, &r) == 0) {
		fputs(sb_str(&r.out), stdout);
		ctl_response_free(&r);
	}
	free(partial);
	return CC_REDISPLAY;
}

/* The daemon answers COMPLETE with the completed line on the first line and, when the word is
 * ambiguous, the candidates on the following lines. */
static unsigned char complete_fn(EditLine *el, int ch)
{
	char *partial = line_to_cursor(el);
	if (!partial)
		return CC_ERROR;
	struct ctl_response r;
	unsigned char ret = CC_REFRESH;
	if (ctl_call(g_fd, CTL_COMPLETE, partial, &r) == 0) {
		const char *out = sb_str(&r.out);
		const char *nl = strchr(out, '\n');
		size_t first = nl ? (size_t)(nl - out) : strlen(out);
		if (first > strlen(partial) && strncmp(out, partial, strlen(partial)) == 0) {
			char *add = strndup(out + strlen(partial), first - strlen(partial));
			if (add)
				el_insertstr(el, add);
			free(add);
		}
		if (nl && nl[1]) {
			printf("\n%s", nl + 1);
			ret = CC_REDISPLAY;
		}
		ctl_response_free(&r);
	}
	free(partial);
	return ret;
}

static int run_interactive(void)
{
	EditLine *el = el_init("mgmtsec", stdin, stdout, stderr);
	History *hist = history_init();
	HistEvent ev;
	if (!el || !hist)
		return 2;
	history(hist, &ev, H_SETSIZE, 500);
	el_set(el, EL_HIST, history, hist);
	el_set(el, EL_PROMPT, prompt_fn);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_ADDFN, "ms-help", "context help", help_fn);
	el_set(el, EL_ADDFN, "ms-complete", "complete a keyword", complete_fn);
	el_set(el, EL_BIND, "?", "ms-help", NULL);
	el_set(el, EL_BIND, "\t", "ms-complete", NULL);
	int failed = 0, count;
	const char *line;
	while ((line = el_gets(el, &count)) != NULL) {
		char *copy = strdup(line);
		if (!copy)
			break;
		copy[strcspn(copy, "\r\n")] = '\0';
		if (!blank(copy)) {
			history(hist, &ev, H_ENTER, copy);
			int st = call(CTL_EXEC, copy, true);
			if (st < 0) {
				free(copy);
				failed = 2;
				break;
			}
			failed |= st != 0;
			if (strcmp(copy, "exit") == 0 && strstr(g_prompt, "(config") == NULL &&
			    st == 0) {
				free(copy);
				break;
			}
		}
		free(copy);
	}
	putchar('\n');
	history_end(hist);
	el_end(el);
	return failed;
}

static void hello(bool interactive)
{
	struct passwd *pw = getpwuid(getuid());
	char payload[160];
	snprintf(payload, sizeof(payload), "interactive=%d user=%s", interactive ? 1 : 0,
	         pw ? pw->pw_name : "unknown");
	call(CTL_HELLO, payload, false);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
	                                     {"command", required_argument, NULL, 'c'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *sock = CTL_DEFAULT_SOCKET;
	const char *cmds[MAX_CMDS];
	int ncmd = 0, c;
	while ((c = getopt_long(argc, argv, "s:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			if (ncmd == MAX_CMDS) {
				fprintf(stderr, "mgmtsec: at most %d -c commands\n", MAX_CMDS);
				return 2;
			}
			cmds[ncmd++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	g_fd = ctl_connect(sock);
	if (g_fd < 0) {
		fprintf(stderr, "mgmtsec: cannot connect to %s: %s (is mgmtsecd running?)\n", sock,
		        strerror(errno));
		return 2;
	}
	bool interactive = ncmd == 0 && isatty(STDIN_FILENO);
	hello(interactive);
	int rc = 0;
	if (ncmd) {
		for (int i = 0; i < ncmd; i++) {
			int st = call(CTL_EXEC, cmds[i], true);
			if (st < 0)
				return 2;
			rc |= st != 0;
		}
	} else if (interactive) {
		rc = run_interactive();
	} else {
		rc = run_stream(stdin);
	}
	close(g_fd);
	return rc;
}
