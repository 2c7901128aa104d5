/*
 * sockfarm — holds N loopback TCP connections open, spread over P processes,
 * for bench/sockets.sh.
 *
 *   sockfarm -n CONNS -p PROCS [-L PER_LISTENER] [-S]
 *
 * N counts connections: each is two ESTABLISHED sockets (the connect()ed end
 * and the accept()ed end), so the host's TCP table grows by 2N sockets plus
 * the listeners. Holder k (of P) creates its share of the connections itself
 * (connect, then accept on the same listener) and keeps both ends, so every
 * socket of the farm is held by exactly one holder (the listeners by the
 * master alone): P processes hold the 2N sockets, about 2N/P each.
 *
 * One destination (address, port) takes at most about 28 k connections from
 * one source address (the ephemeral range, net.ipv4.ip_local_port_range), so
 * there is one listener per PER_LISTENER connections (default 10 000), each on
 * its own loopback address: 127.0.0.1, 127.0.0.2, ... (port chosen by the
 * kernel; listener K is on 127.0.0.K+1, port PK of the ready line); connection j
 * goes to listener j mod L.
 *
 * Both ends get SO_LINGER {on, 0}: at exit every socket is reset and freed at
 * once, leaving no TIME_WAIT or FIN_WAIT sockets behind to swell the next
 * run's table.
 *
 * The master raises RLIMIT_NOFILE for the holders (a holder of 50 k
 * connections needs 100 k descriptors), prints one line on standard output
 * when every holder is ready
 *
 *   ready conns=N procs=P sockets=2N listeners=L pids=FIRST-LAST seconds=S ports=P1,P2,...
 *
 * and then waits for end of file on standard input (or, with -S, ignores it)
 * or for SIGINT, SIGTERM or SIGHUP. Then it kills the holders (SIGKILL), reaps
 * them and exits 0. Holders also die with the master (PR_SET_PDEATHSIG) and
 * leave when the master's end of their pipe closes. Exit 1 on any failure,
 * after killing whatever was started.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* ppoll */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 250 /* 127.0.0.1 .. 127.0.0.250 */

static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t got_child;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_child = 1;
	else
		got_signal = sig;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: sockfarm -n CONNS -p PROCS [-L PER_LISTENER] [-S]\n"
	                "  N loopback TCP connections (2N sockets), held by P processes;\n"
	                "  prints 'ready ...' and holds them until stdin closes (or, -S,\n"
	                "  until SIGINT/SIGTERM/SIGHUP).\n");
}

static long parse_count(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno)
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1e6, end++;
	if (*end || v < 0 || v > 1e8)
		return -1;
	return (long)(v + 0.5);
}

static void set_linger0(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

/* Holder k: connections [lo, hi). Never returns. */
static void holder(long lo, long hi, const int *lfd, const struct sockaddr_in *laddr, int nl,
                   int ready_w, int quit_r)
{
	for (long j = lo; j < hi; j++) {
		int k = (int)(j % nl);
		int c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0) {
			fprintf(stderr, "sockfarm[%d]: socket: %s (connection %ld)\n",
			        (int)getpid(), strerror(errno), j);
			goto fail;
		}
		set_linger0(c);
		int r;
		do
			r = connect(c, (const struct sockaddr *)&laddr[k], sizeof laddr[k]);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			fprintf(stderr,
			        "sockfarm[%d]: connect to 127.0.0.%d:%d: %s (connection %ld)\n",
			        (int)getpid(), k + 1, ntohs(laddr[k].sin_port), strerror(errno), j);
			goto fail;
		}
		int a;
		do
			a = accept(lfd[k], NULL, NULL);
		while (a < 0 && errno == EINTR);
		if (a < 0) {
			fprintf(stderr, "sockfarm[%d]: accept: %s (connection %ld)\n",
			        (int)getpid(), strerror(errno), j);
			goto fail;
		}
		set_linger0(a);
	}
	for (int k = 0; k < nl; k++)
		close(lfd[k]); /* the listeners stay with the master alone */
	if (write(ready_w, "R", 1) != 1)
		_exit(1);
	close(ready_w);
	for (;;) { /* until the master closes its end (or dies) */
		char b;
		ssize_t r = read(quit_r, &b, 1);
		if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	_exit(0);
fail:
	(void)!write(ready_w, "E", 1);
	_exit(1);
}

static pid_t *pids;
static long n_pids;

static void kill_all(void)
{
	for (long i = 0; i < n_pids; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (long i = 0; i < n_pids; i++)
		if (pids[i] > 0)
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
				;
	n_pids = 0;
}

/* A holder that exited on its own (before being told to): its pid, else 0. */
static pid_t early_exit(void)
{
	int st;
	pid_t p = waitpid(-1, &st, WNOHANG);
	if (p <= 0)
		return 0;
	for (long i = 0; i < n_pids; i++)
		if (pids[i] == p)
			pids[i] = 0;
	return p;
}

int main(int argc, char **argv)
{
	long n = -1, procs = -1, per = 10000;
	int signal_only = 0, opt;
	while ((opt = getopt(argc, argv, "n:p:L:Sh")) != -1) {
		switch (opt) {
		case 'n':
			n = parse_count(optarg);
			break;
		case 'p':
			procs = parse_count(optarg);
			break;
		case 'L':
			per = parse_count(optarg);
			break;
		case 'S':
			signal_only = 1;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (n < 1 || procs < 1 || per < 1 || optind != argc) {
		usage();
		return 2;
	}
	if (procs > n) {
		fprintf(stderr, "sockfarm: more processes (%ld) than connections (%ld)\n", procs,
		        n);
		return 2;
	}
	int nl = (int)((n + per - 1) / per);
	if (nl > MAX_LISTENERS) {
		fprintf(stderr, "sockfarm: %d listeners needed, at most %d (raise -L)\n", nl,
		        MAX_LISTENERS);
		return 2;
	}
	double t0 = now_s();

	/* Descriptors: a holder keeps 2 * its share, plus the listeners until done. */
	long share = (n + procs - 1) / procs;
	rlim_t need = (rlim_t)(2 * share + nl + 64);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need) {
		struct rlimit want = {need, rl.rlim_max > need ? rl.rlim_max : need};
		if (setrlimit(RLIMIT_NOFILE, &want) < 0) {
			fprintf(stderr,
			        "sockfarm: a holder of %ld connections needs %llu descriptors; "
			        "cannot "
			        "raise RLIMIT_NOFILE (now %llu, hard %llu): %s (raising the hard "
			        "limit needs CAP_SYS_RESOURCE, and at most fs.nr_open); use more "
			        "processes\n",
			        share, (unsigned long long)need, (unsigned long long)rl.rlim_cur,
			        (unsigned long long)rl.rlim_max, strerror(errno));
			return 1;
		}
	}

	/* Signals: blocked except inside ppoll, so none is missed between checks. */
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int lfd[MAX_LISTENERS];
	struct sockaddr_in laddr[MAX_LISTENERS];
	for (int k = 0; k < nl; k++) {
		lfd[k] = socket(AF_INET, SOCK_STREAM, 0);
		if (lfd[k] < 0) {
			perror("sockfarm: socket");
			return 1;
		}
		memset(&laddr[k], 0, sizeof laddr[k]);
		laddr[k].sin_family = AF_INET;
		laddr[k].sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)k);
		socklen_t len = sizeof laddr[k];
		if (bind(lfd[k], (struct sockaddr *)&laddr[k], sizeof laddr[k]) < 0 ||
		    listen(lfd[k], 4096) < 0 ||
		    getsockname(lfd[k], (struct sockaddr *)&laddr[k], &len) < 0) {
			fprintf(stderr, "sockfarm: listener on 127.0.0.%d: %s\n", k + 1,
			        strerror(errno));
			return 1;
		}
	}

	int ready[2], quit[2];
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(quit, O_CLOEXEC) < 0) {
		perror("sockfarm: pipe");
		return 1;
	}
	pids = calloc((size_t)procs, sizeof *pids);
	if (!pids) {
		perror("sockfarm");
		return 1;
	}
	pid_t master = getpid();
	fflush(NULL);
	for (long i = 0; i < procs; i++) {
		pid_t p = fork();
		if (p < 0) {
			fprintf(stderr, "sockfarm: fork (holder %ld of %ld): %s\n", i + 1, procs,
			        strerror(errno));
			kill_all();
			return 1;
		}
		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != master)
				_exit(1);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			signal(SIGCHLD, SIG_DFL);
			sigprocmask(SIG_SETMASK, &orig, NULL);
			close(ready[0]);
			close(quit[1]);
			holder(n * i / procs, n * (i + 1) / procs, lfd, laddr, nl, ready[1],
			       quit[0]);
		}
		pids[n_pids++] = p;
	}
	close(ready[1]);
	close(quit[0]);

	/* Every holder says R (ready) or E (failed). */
	long n_ready = 0;
	int failed = 0;
	while (n_ready < procs && !failed) {
		struct pollfd pf = {.fd = ready[0], .events = POLLIN};
		int r = ppoll(&pf, 1, NULL, &orig);
		if (got_signal) {
			fprintf(stderr, "sockfarm: signal %d while creating; stopping\n",
			        (int)got_signal);
			kill_all();
			return 1;
		}
		if (r < 0 && errno != EINTR) {
			perror("sockfarm: ppoll");
			failed = 1;
			break;
		}
		if (r > 0) {
			char buf[256];
			ssize_t m = read(ready[0], buf, sizeof buf);
			if (m == 0) {
				failed = 1;
				break;
			}
			for (ssize_t i = 0; i < m; i++) {
				if (buf[i] == 'R')
					n_ready++;
				else
					failed = 1;
			}
		}
		if (got_child) {
			got_child = 0;
			pid_t p;
			while ((p = early_exit()) > 0) {
				fprintf(stderr, "sockfarm: holder %d exited early\n", (int)p);
				failed = 1;
			}
		}
	}
	if (failed) {
		fprintf(stderr, "sockfarm: %ld of %ld holders ready; giving up\n", n_ready, procs);
		kill_all();
		return 1;
	}
	close(ready[0]);
	printf("ready conns=%ld procs=%ld sockets=%ld listeners=%d pids=%d-%d seconds=%.2f ports=",
	       n, procs, 2 * n, nl, (int)pids[0], (int)pids[procs - 1], now_s() - t0);
	for (int k = 0; k < nl; k++)
		printf("%s%d", k ? "," : "", ntohs(laddr[k].sin_port));
	printf("\n");
	fflush(stdout);

	/* Hold until stdin closes or a signal comes. */
	int rc = 0;
	for (;;) {
		struct pollfd pf = {.fd = signal_only ? -1 : 0, .events = POLLIN};
		int r = ppoll(&pf, 1, NULL, &orig);
		if (got_signal)
			break;
		if (got_child) {
			got_child = 0;
			pid_t p = early_exit();
			if (p > 0) {
				fprintf(stderr, "sockfarm: holder %d exited early\n", (int)p);
				rc = 1;
				break;
			}
		}
		if (r < 0 && errno != EINTR) {
			perror("sockfarm: ppoll");
			rc = 1;
			break;
		}
		if (r > 0) {
			char buf[256];
			ssize_t m = read(0, buf, sizeof buf);
			if (m <= 0)
				break; /* end of file (or an error): done */
		}
	}
	double t1 = now_s();
	close(quit[1]);
	kill_all();
	for (int k = 0; k < nl; k++)
		close(lfd[k]);
	fprintf(stderr, "sockfarm: %ld holders stopped in %.2f s\n", procs, now_s() - t1);
	return rc;
}
