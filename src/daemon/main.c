/*
 * mgmtsecd: the mgmtsec daemon. Parses arguments, loads the committed configuration (refusing
 * to start half-configured), opens the control socket and runs the event loop until SIGTERM or
 * SIGINT, then deletes its SAs politely and exits.
 *
 *   mgmtsecd -f CONFIG [-s SOCKET] [-F] [-d]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/proto.h"
#include "daemon/daemon.h"
#include "ike/ike.h"
#include "util/log.h"

#define DEFAULT_CONFIG "/etc/mgmtsec/mgmtsec.conf"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: mgmtsecd [-f CONFIG] [-s SOCKET] [-F] [-d]\n"
	    "\n"
	    "IKEv2/IPsec daemon for management traffic (IOS XR style configuration).\n"
	    "  -f, --config FILE    committed configuration, loaded at start and saved on every\n"
	    "                       commit (default %s)\n"
	    "  -s, --socket PATH    control socket for mgmtsec (default %s)\n"
	    "  -F, --foreground     stay in the foreground and log to stderr\n"
	    "  -d, --debug          packet-level debug logging (never logs key material)\n"
	    "      --test-lifetime S every IKE and Child SA lifetime is S seconds (5-86400),\n"
	    "                       whatever the configuration says: tests that want rekeys\n"
	    "                       within seconds; not for production\n"
	    "      --passive        answer peers but never initiate (one-sided set-ups, tests)\n"
	    "      --ike-workers N  threads for IKE's expensive public-key operations (P-384\n"
	    "                       and P-521 ECDH of set-ups and rekeys, RSA signatures) and\n"
	    "                       ECDH key pairs made ahead; 0 runs them on the event loop,\n"
	    "                       none ahead (default: one per online CPU, at most 8)\n"
	    "      --ike-initiating N  IKE SAs we initiate that may negotiate at once; more\n"
	    "                       tunnels wait their turn (default 1024; 0: no limit)\n"
	    "  -h, --help           this text\n",
	    DEFAULT_CONFIG, CTL_DEFAULT_SOCKET);
}

/* A decimal number lo..hi for option --name; -1 (and says so) otherwise. */
static int opt_num(const char *name, const char *arg, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < lo || v > hi) {
		fprintf(stderr, "mgmtsecd: --%s takes %ld-%ld\n", name, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* Creates the socket's directory (0700) when it is the default one under /run. */
static void make_socket_dir(const char *path)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		log_err("cannot create %s: %s", dir, strerror(errno));
}

static int open_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void on_signal(int fd, uint32_t events, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP ignored: the configuration changes only by commit");
			continue;
		}
		log_info("signal %u: shutting down", si.ssi_signo);
		daemon_shutdown(d);
	}
}

int main(int argc, char **argv)
{
	enum {
		OPT_TEST_LIFETIME = 256,
		OPT_PASSIVE,
		OPT_IKE_WORKERS,
		OPT_IKE_INITIATING,
	};
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'f'},
	    {"socket", required_argument, NULL, 's'},
	    {"foreground", no_argument, NULL, 'F'},
	    {"debug", no_argument, NULL, 'd'},
	    {"test-lifetime", required_argument, NULL, OPT_TEST_LIFETIME},
	    {"passive", no_argument, NULL, OPT_PASSIVE},
	    {"ike-workers", required_argument, NULL, OPT_IKE_WORKERS},
	    {"ike-initiating", required_argument, NULL, OPT_IKE_INITIATING},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct daemon_opts o = {
	    .config = DEFAULT_CONFIG,
	    .socket = CTL_DEFAULT_SOCKET,
	    .ike_workers = -1,
	    .ike_initiating = -1,
	};
	int c;
	long v;
	while ((c = getopt_long(argc, argv, "f:s:Fdh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.config = optarg;
			break;
		case 's':
			o.socket = optarg;
			break;
		case 'F':
			o.foreground = true;
			break;
		case 'd':
			o.debug = true;
			break;
		case OPT_TEST_LIFETIME:
			if (opt_num("test-lifetime", optarg, 5, 86400, &v) < 0)
				return 2;
			o.test_lifetime = (unsigned)v;
			break;
		case OPT_PASSIVE:
			o.passive = true;
			break;
		case OPT_IKE_WORKERS:
			if (opt_num("ike-workers", optarg, 0, IKE_WORK_MAX_THREADS, &v) < 0)
				return 2;
			o.ike_workers = (int)v;
			break;
		case OPT_IKE_INITIATING:
			if (opt_num("ike-initiating", optarg, 0, 100000, &v) < 0)
				return 2;
			o.ike_initiating = (int)v;
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
	log_open("mgmtsecd", o.foreground, o.debug ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (!o.foreground && daemon(0, 0) < 0) {
		fprintf(stderr, "mgmtsecd: cannot daemonize: %s\n", strerror(errno));
		return 1;
	}
	make_socket_dir(o.socket);
	/* Block the signals before any thread exists, so that every thread inherits the mask and
	 * they arrive only through the signalfd. */
	int sfd = open_signals();
	struct daemon *d = daemon_new(&o);
	if (!d)
		return 1;
	if (sfd < 0 || loop_add_fd(daemon_loop(d), sfd, EPOLLIN, on_signal, d) < 0) {
		log_err("signalfd: %s", strerror(errno));
		daemon_free(d);
		return 1;
	}
	log_info("mgmtsecd started (config %s, socket %s)", o.config, o.socket);
	int rc = daemon_run(d);
	loop_del_fd(daemon_loop(d), sfd);
	close(sfd);
	daemon_free(d);
	log_info("mgmtsecd stopped");
	return rc;
}
