/* test_procinfo.c — process attribution on the fixture tree tests/fixtures/proc
 * (owners, holders, statuses, details, container hints, namespaces), on a copy
 * changed between refreshes (new fd, exited and reused pids, no permission), and
 * on the real /proc: the incremental cache must never hide a new socket. */
#ifdef HAVE_OS_LINUX
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ghostwire/procinfo.h"
#include "src/os/linux/procfs_internal.h"

#define HOST_NS   4026531840ull
#define DOCKER_NS 4026532600ull
#define LXC_NS    4026532700ull
#define DOCKER_ID "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"
#define KUBE_ID   "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define BTIME_US  1700000000000000ll

static char fixture[1024];

static const char *fixture_root(void)
{
	const char *root = getenv("GW_SOURCE_ROOT");
	snprintf(fixture, sizeof fixture, "%s/tests/fixtures/proc", root ? root : "..");
	return fixture;
}

static struct gw_procinfo *open_refreshed(const char *root)
{
	struct gw_procinfo *p;
	struct gw_err err = {0};
	cr_assert_eq(gw_procinfo_new(root, &p, &err), 0, "%s", err.msg);
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	return p;
}

static struct gw_socket owner_of(const struct gw_procinfo *p, uint64_t inode)
{
	struct gw_socket s = {.inode = inode};
	gw_procinfo_attribute(p, &s);
	return s;
}

static void expect_owner(const struct gw_procinfo *p, uint64_t inode, int32_t pid, uint32_t n)
{
	struct gw_socket s = owner_of(p, inode);
	cr_expect_eq(s.owner_status, GW_OWNER_KNOWN, "inode %llu: status %s",
	             (unsigned long long)inode, gw_owner_status_name(s.owner_status));
	cr_expect_eq(s.pid, pid, "inode %llu: pid %d, expected %d", (unsigned long long)inode,
	             s.pid, pid);
	cr_expect_eq(s.n_holders, n, "inode %llu: %u holders", (unsigned long long)inode,
	             s.n_holders);
}

static void expect_status(const struct gw_procinfo *p, uint64_t inode, enum gw_owner_status st)
{
	struct gw_socket s = owner_of(p, inode);
	cr_expect_eq(s.owner_status, st, "inode %llu: %s, expected %s", (unsigned long long)inode,
	             gw_owner_status_name(s.owner_status), gw_owner_status_name(st));
	cr_expect_eq(s.pid, 0);
}

/* No owner: NOT_FOUND if every fd directory was readable, else NO_PERMISSION
 * (live hosts may hold unreadable processes: pid 1 in some sandboxes). */
static void expect_unowned(const struct gw_procinfo *p, uint64_t inode)
{
	expect_status(p, inode,
	              gw_procinfo_stats(p)->no_permission ? GW_OWNER_NO_PERMISSION
	                                                  : GW_OWNER_NOT_FOUND);
}

/* A private copy of the fixture tree, readable by everyone. */
static char tmp_root[256];

static const char *copy_fixture(void)
{
	char cmd[2048];
	snprintf(tmp_root, sizeof tmp_root, "/tmp/gw_procinfo_XXXXXX");
	cr_assert(mkdtemp(tmp_root));
	snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/' && chmod -R a+rX '%s'", fixture_root(),
	         tmp_root, tmp_root);
	cr_assert_eq(system(cmd), 0);
	return tmp_root;
}

static void remove_copy(void)
{
	char cmd[1024];
	if (getuid() == 0 && geteuid() != 0)
		cr_assert_eq(seteuid(0), 0);
	if (tmp_root[0]) {
		snprintf(cmd, sizeof cmd, "chmod -R u+rwX '%s'; rm -rf '%s'", tmp_root, tmp_root);
		(void)!system(cmd);
	}
}

static void in_copy(const char *fmt, const char *arg)
{
	char cmd[4096], sub[1024];
	snprintf(sub, sizeof sub, fmt, arg);
	snprintf(cmd, sizeof cmd, "cd '%s' && %s", tmp_root, sub);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

TestSuite(procinfo, .fini = remove_copy);

Test(procinfo, owners_on_fixture)
{
	struct gw_procinfo *p = open_refreshed(fixture_root());
	const struct gw_procinfo_stats *st = gw_procinfo_stats(p);
	/* 1 2 100 101 200 300 400 600 700; 500 has no stat or fd: gone mid-scan. */
	cr_expect_eq(st->processes, 9);
	cr_expect_eq(st->vanished, 1);
	cr_expect_eq(st->no_permission, 0);
	cr_expect_eq(st->scans, 1);
	cr_expect_eq(st->fd_dirs_read, 9);
	cr_expect_eq(st->fd_dirs_cached, 0, "outside procfs nothing may be cached");
	expect_owner(p, 20001, 100, 1);
	expect_owner(p, 20002, 100, 1);
	expect_owner(p, 20003, 100, 2); /* held by 100 twice (dup) and by its child 101 */
	expect_owner(p, 1001, 1, 1);
	expect_owner(p, 1004, 1, 1);
	expect_owner(p, 30001, 200, 1);
	expect_owner(p, 50001, 300, 1);
	expect_owner(p, 60001, 400, 1);
	expect_status(p, 77777, GW_OWNER_NOT_FOUND);
	expect_status(p, 0, GW_OWNER_NO_INODE);
	/* Links that only look like sockets: "socket:[]", "[12x]", overflow, "[0]". */
	expect_status(p, 12, GW_OWNER_NOT_FOUND);
	expect_status(p, 9999, GW_OWNER_NOT_FOUND); /* a pipe with that number */
	gw_procinfo_free(p);
}

Test(procinfo, attribute_before_refresh_is_unresolved)
{
	struct gw_procinfo *p;
	struct gw_err err = {0};
	cr_assert_eq(gw_procinfo_new(fixture_root(), &p, &err), 0, "%s", err.msg);
	struct gw_socket s = owner_of(p, 20001);
	cr_expect_eq(s.owner_status, GW_OWNER_UNRESOLVED);
	gw_procinfo_free(p);
	gw_procinfo_free(NULL);
}

Test(procinfo, missing_root_names_it)
{
	struct gw_procinfo *p;
	struct gw_err err = {0};
	cr_expect_eq(gw_procinfo_new("/nonexistent/proc", &p, &err), GW_ENOENT);
	cr_expect_null(p);
	cr_expect(strstr(err.msg, "/nonexistent/proc"), "%s", err.msg);
}

Test(procinfo, details_on_fixture)
{
	struct gw_procinfo *p = open_refreshed(fixture_root());
	const struct gw_process *d = gw_procinfo_process(p, 300);
	cr_assert(d);
	cr_expect_eq(d->pid, 300);
	cr_expect_eq(d->ppid, 1);
	cr_expect_str_eq(d->comm, "evil) 1 2 (x"); /* comm with ") " parsed from the last ')' */
	cr_expect_eq(d->uid, 1000);
	cr_expect_eq(d->start_us, BTIME_US + 150 * 1000000ll); /* 15000 ticks at 100 Hz */
	cr_expect_str_eq(d->cmdline, "python3 -c \\x1b[31mred\\\\\\xff");
	cr_expect_str_eq(d->exe, "/usr/bin/python3.11");
	cr_expect_str_eq(d->container, KUBE_ID);
	cr_expect_eq(d->netns, HOST_NS);

	d = gw_procinfo_process(p, 200);
	cr_assert(d);
	cr_expect_str_eq(d->exe, "/usr/sbin/nginx"); /* the kernel's " (deleted)" is a flag */
	cr_expect(d->exe_deleted);
	cr_expect(d->marks & GW_MARK_DELETED_EXE);
	cr_expect_str_eq(d->container, DOCKER_ID);
	cr_expect_str_eq(d->cmdline, "nginx: master process nginx -g daemon off;");
	cr_expect_eq(d->uid, 101);
	cr_expect_eq(d->netns, DOCKER_NS);

	d = gw_procinfo_process(p, 101);
	cr_assert(d);
	cr_expect_str_eq(d->cmdline, "sshd: alice [priv]"); /* trailing NULs dropped */
	cr_expect(d->marks & GW_MARK_TUN_DEVICE, "fd 7 is /dev/net/tun (ssh -w)");
	cr_expect_eq(d->ppid, 100);
	cr_expect_str_eq(d->container, "");

	d = gw_procinfo_process(p, 2);
	cr_assert(d);
	cr_expect_str_eq(d->comm, "kthreadd");
	cr_expect_str_eq(d->cmdline, "");
	cr_expect_str_eq(d->exe, "");
	cr_expect_eq(d->marks, 0, "a kernel thread (PF_KTHREAD) disguises nothing");

	d = gw_procinfo_process(p, 600);
	cr_assert(d);
	cr_expect_str_eq(d->container, "lxc/web01");
	cr_expect_eq(d->uid, UINT32_MAX, "no Uid: line: unknown");

	d = gw_procinfo_process(p, 700);
	cr_assert(d);
	cr_expect_str_eq(d->container,
	                 "deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef");

	cr_expect_null(gw_procinfo_process(p, 500));
	cr_expect_null(gw_procinfo_process(p, 4242));
	gw_procinfo_free(p);
}

Test(procinfo, namespaces_on_fixture)
{
	struct gw_procinfo *p = open_refreshed(fixture_root());
	size_t n;
	const struct gw_netns_ref *ns = gw_procinfo_namespaces(p, &n);
	cr_assert_eq(n, 3);
	cr_expect_eq(ns[0].netns, HOST_NS);
	cr_expect_eq(ns[0].pid, 1);
	cr_expect_eq(ns[1].netns, DOCKER_NS);
	cr_expect_eq(ns[1].pid, 200);
	cr_expect_eq(ns[2].netns, LXC_NS);
	cr_expect_eq(ns[2].pid, 600);
	cr_expect_eq(gw__procinfo_netns_pid(p, HOST_NS, 1), 2);
	cr_expect_eq(gw__procinfo_netns_pid(p, HOST_NS, 700), 1);
	cr_expect_eq(gw__procinfo_netns_pid(p, DOCKER_NS, 200), 0);
	gw_procinfo_free(p);
}

Test(procinfo, container_hints)
{
	static const struct {
		const char *cgroup, *hint;
	} cases[] = {
	        {"0::/system.slice/docker-" DOCKER_ID ".scope\n", DOCKER_ID},
	        {"12:cpu:/docker/" DOCKER_ID "\n", DOCKER_ID},
	        {"0::/system.slice/containerd.service/cri-containerd-" KUBE_ID ".scope", KUBE_ID},
	        {"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1_2.slice/"
	         "crio-" KUBE_ID ".scope\n",
	         KUBE_ID},
	        {"0::/machine.slice/libpod-" KUBE_ID ".scope/container\n", KUBE_ID},
	        {"0::/k8s.io/" KUBE_ID "\n", KUBE_ID},
	        {"0::/lxc/web01\n", "lxc/web01"},
	        {"0::/lxc.payload/db\n", "lxc/db"},
	        {"0::/machine.slice/machine-fedora.scope/payload\n", "machine/fedora"},
	        {"0::/init.scope\n", ""},
	        {"0::/user.slice/user-1000.slice/session-2.scope\n", ""},
	        {"0::/\n", ""},
	        {"", ""},
	        {"garbage without colons", ""},
	        /* 63 and 65 hex digits, upper case: not ids */
	        {"0::/docker/3f4e5d6c7b8a99887766554433221100ffeeddccbbaa0011223344556677889\n",
	         ""},
	        {"0::/docker/" DOCKER_ID "0\n", ""},
	        {"0::/docker/3F4E5D6C7B8A99887766554433221100FFEEDDCCBBAA00112233445566778899\n",
	         ""},
	        {"0::/lxc/evil\x1b[2Jname\n", "lxc/evil\\x1b[2Jname"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char out[80];
		gw__container_hint((const uint8_t *)cases[i].cgroup, strlen(cases[i].cgroup), out,
		                   sizeof out);
		cr_expect_str_eq(out, cases[i].hint, "case %zu: %s", i, cases[i].cgroup);
	}
	/* A long name is cut to fit, NUL-terminated. */
	char big[4096] = "0::/lxc/", out[80];
	memset(big + 8, 'n', 3000);
	gw__container_hint((const uint8_t *)big, strlen(big), out, sizeof out);
	cr_expect_eq(strlen(out), 79);
}

Test(procinfo, hostile_stat_lines)
{
	struct gw__proc_stat st;
	const char *ok = "42 (a) (b)) R 7 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 987654 0 0";
	cr_assert(gw__proc_stat_parse((const uint8_t *)ok, strlen(ok), &st));
	cr_expect_str_eq(st.comm, "a) (b)");
	cr_expect_eq(st.ppid, 7);
	cr_expect_eq(st.start_ticks, 987654);
	cr_expect_eq(st.flags, 0);
	const char *kt = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1";
	cr_assert(gw__proc_stat_parse((const uint8_t *)kt, strlen(kt), &st));
	cr_expect_eq(st.flags & GW__PF_KTHREAD, GW__PF_KTHREAD);
	const char *nl = "42 (new\nline) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5\n";
	cr_assert(gw__proc_stat_parse((const uint8_t *)nl, strlen(nl), &st));
	cr_expect_str_eq(st.comm, "new\\x0aline");
	cr_expect_eq(st.start_ticks, 5);
	const char *bad[] = {
	        "",
	        "42",
	        "42 (comm",
	        "42 comm) S",
	        ") (",
	        "42 (x) S 1 2 3",                                    /* cut before field 22 */
	        "42 (x) S -1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", /* negative ppid */
	        "42 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5x", /* garbage start */
	        "42 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999999",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_not(gw__proc_stat_parse((const uint8_t *)bad[i], strlen(bad[i]), &st),
		              "accepted: %s", bad[i]);
	/* Every prefix of a good line: parsed or refused, never read past its end. */
	for (size_t n = 0; n <= strlen(ok); n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, ok, n);
		(void)gw__proc_stat_parse((const uint8_t *)copy, n, &st);
		free(copy);
	}
	uint32_t uid = 7;
	const char *status = "Name:\tx\nUid:\t1000\t0\t0\t0\n";
	cr_expect(gw__status_uid((const uint8_t *)status, strlen(status), &uid));
	cr_expect_eq(uid, 1000);
	cr_expect_not(gw__status_uid((const uint8_t *)"Uid:\n", 5, &uid));
	cr_expect_not(gw__status_uid((const uint8_t *)"Uid:\t-1\n", 8, &uid));
	cr_expect_not(gw__status_uid((const uint8_t *)"Uid:\t4294967296\n", 16, &uid));
}

Test(procinfo, text_escaping)
{
	char out[16];
	gw__text_escape((const uint8_t *)"a\0b", 3, out, sizeof out, true);
	cr_expect_str_eq(out, "a b");
	gw__text_escape((const uint8_t *)"a\0b", 3, out, sizeof out, false);
	cr_expect_str_eq(out, "a");
	gw__text_escape((const uint8_t *)"\xc3\xa9t\xc3", 4, out, sizeof out, false);
	cr_expect_str_eq(out, "\xc3\xa9t\\xc3"); /* é kept, a cut sequence escaped */
	gw__text_escape((const uint8_t *)"\xed\xa0\x80", 3, out, sizeof out, false);
	cr_expect_str_eq(out, "\\xed\\xa0\\x80"); /* a surrogate is not UTF-8 */
	gw__text_escape((const uint8_t *)"0123456789abc\x01", 14, out, sizeof out, false);
	cr_expect_str_eq(out, "0123456789abc", "an escape that does not fit is left out whole");
}

Test(procinfo, changes_between_refreshes)
{
	const char *root = copy_fixture();
	struct gw_procinfo *p = open_refreshed(root);
	struct gw_err err = {0};
	const struct gw_process *d = gw_procinfo_process(p, 400);
	cr_assert(d);
	cr_expect_eq(d->start_us, BTIME_US + 160 * 1000000ll);

	/* A new socket in an existing process. */
	in_copy("ln -s 'socket:[88888]' 100/fd/9%s", "");
	/* A process exits: its child's socket has one holder left. */
	in_copy("rm -rf 101%s", "");
	/* pid 400 reused: new start time, same fd number, another socket. */
	in_copy("sed -i 's/ 16000 / 17000 /' 400/stat && rm 400/fd/7 && ln -s "
	        "'socket:[60002]' 400/fd/7%s",
	        "");
	/* A new process. */
	in_copy("cp -a 700 800 && sed -i 's/^700 /800 /' 800/stat && rm 800/fd/.keep && "
	        "ln -s 'socket:[80001]' 800/fd/3%s",
	        "");
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	expect_owner(p, 88888, 100, 1);
	expect_owner(p, 20003, 100, 1);
	expect_status(p, 60001, GW_OWNER_NOT_FOUND);
	expect_owner(p, 60002, 400, 1);
	expect_owner(p, 80001, 800, 1);
	d = gw_procinfo_process(p, 400);
	cr_assert(d);
	cr_expect_eq(d->start_us, BTIME_US + 170 * 1000000ll, "details of the reused pid are new");
	cr_expect_null(gw_procinfo_process(p, 101));
	cr_expect_eq(gw_procinfo_stats(p)->processes, 9);
	cr_expect_eq(gw_procinfo_stats(p)->scans, 2);

	/* The namespace's only process leaves: the namespace goes with it. */
	in_copy("rm -rf 200%s", "");
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	size_t n;
	const struct gw_netns_ref *ns = gw_procinfo_namespaces(p, &n);
	cr_expect_eq(n, 2);
	for (size_t i = 0; i < n; i++)
		cr_expect_neq(ns[i].netns, DOCKER_NS);
	expect_status(p, 30001, GW_OWNER_NOT_FOUND);
	gw_procinfo_free(p);
}

Test(procinfo, no_permission)
{
	const char *root = copy_fixture();
	/* 400: the fd directory cannot be opened. 200: it can be listed, but its
	 * links not read (no search permission; on a live host: root without
	 * ptrace rights over pid 1, as in some sandboxes). */
	in_copy("chmod 000 400/fd && chmod 444 200/fd%s", "");
	/* As root, act as nobody (root reads any fd directory); fini takes root back. */
	if (geteuid() == 0)
		cr_assert_eq(seteuid(65534), 0, "acting as nobody: %s", strerror(errno));
	struct gw_procinfo *p = open_refreshed(root);
	cr_expect_eq(gw_procinfo_stats(p)->no_permission, 2);
	expect_owner(p, 20001, 100, 1);
	expect_status(p, 60001, GW_OWNER_NO_PERMISSION);
	expect_status(p, 30001, GW_OWNER_NO_PERMISSION);
	expect_status(p, 77777, GW_OWNER_NO_PERMISSION);
	expect_status(p, 0, GW_OWNER_NO_INODE);
	gw_procinfo_free(p);
}

/* ---- the real /proc ---- */

/* Our comm as the kernel has it (Criterion's workers rename themselves). */
static const char *own_comm(void)
{
	static char comm[32];
	FILE *f = fopen("/proc/self/comm", "r");
	cr_assert(f);
	cr_assert(fgets(comm, sizeof comm, f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return comm;
}

static uint64_t inode_of(int fd)
{
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	return (uint64_t)st.st_ino;
}

Test(procinfo, live_self)
{
	struct gw_procinfo *p = open_refreshed("/proc");
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	struct gw_err err = {0};
	/* A new socket changes our fd count: found without any help. */
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	expect_owner(p, inode_of(fd), getpid(), 1);
	const struct gw_procinfo_stats *st = gw_procinfo_stats(p);
	cr_expect_gt(st->fd_dirs_cached, 0, "warm refresh reread every fd directory");
	cr_expect_gt(st->processes, 1);
	const struct gw_process *d = gw_procinfo_process(p, getpid());
	cr_assert(d);
	cr_expect_str_eq(d->comm, own_comm());
	cr_expect(strstr(d->exe, "test_procinfo"), "%s", d->exe);
	cr_expect_eq(d->uid, getuid());
	cr_expect_eq(d->ppid, getppid());
	cr_expect_gt(d->start_us, 0);
	close(fd);
	gw_procinfo_free(p);
}

/* Close a socket and open another in the same fd slot between two refreshes:
 * the fd count and directory are unchanged, yet the new socket must be found. */
Test(procinfo, live_same_slot_replacement)
{
	struct gw_procinfo *p = open_refreshed("/proc");
	struct gw_err err = {0};
	int a = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	expect_owner(p, inode_of(a), getpid(), 1);
	int hidden = 0;
	for (int round = 0; round < 20; round++) {
		int b = socket(AF_INET, SOCK_STREAM, 0);
		cr_assert_eq(dup2(b, a), a);
		close(b);
		/* The public protocol: refresh, attribute; a miss makes the next refresh full. */
		cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
		struct gw_socket s = owner_of(p, inode_of(a));
		if (s.owner_status != GW_OWNER_KNOWN) {
			hidden++;
			cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
			cr_expect_eq(gw_procinfo_stats(p)->fd_dirs_cached, 0);
		}
		expect_owner(p, inode_of(a), getpid(), 1);
	}
	/* Proof that the test meets the case: the cache alone hid the new socket
	 * (in all rounds but those that revalidate our directory anyway). */
	cr_expect_gt(hidden, 10, "the cache hid the replaced socket in %d of 20 rounds", hidden);
	/* The same through attribute_set: one call, found. */
	for (int round = 0; round < 20; round++) {
		int b = socket(AF_INET, SOCK_STREAM, 0);
		cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
		cr_assert_eq(dup2(b, a), a);
		close(b);
		cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
		struct gw_sockset set;
		gw_sockset_init(&set, 4, 4);
		struct gw_socket s = {.proto = GW_SOCK_TCP, .inode = inode_of(a)};
		cr_assert_eq(gw_sockset_add(&set, &s), 0);
		cr_assert_eq(gw__procinfo_attribute_set(p, &set, 0, &err), 0, "%s", err.msg);
		cr_expect_eq(set.socks[0].owner_status, GW_OWNER_KNOWN);
		cr_expect_eq(set.socks[0].pid, getpid());
		cr_expect_eq(set.n_procs, 1);
		gw_sockset_fini(&set);
	}
	close(a);
	gw_procinfo_free(p);
}

/* An inode no process holds (a kernel socket, or gone) must not defeat the
 * cache: after one full reread it is settled. */
Test(procinfo, live_ownerless_inode_settles)
{
	struct gw_procinfo *p = open_refreshed("/proc");
	struct gw_err err = {0};
	const struct gw_procinfo_stats *st = gw_procinfo_stats(p);
	uint64_t nobody = 0xfffffffffull;
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	cr_assert_gt(st->fd_dirs_cached, 0);
	owner_of(p, nobody); /* a miss while directories were skipped: suspect */
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	cr_expect_eq(st->fd_dirs_cached, 0, "a miss makes the next refresh full");
	owner_of(p, nobody); /* a miss after a full reread: settled */
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
		cr_expect_gt(st->fd_dirs_cached, 0, "a settled inode forced a full reread");
		owner_of(p, nobody);
	}
	gw_procinfo_free(p);
}

static pid_t spawn_with_socket(int *pipe_rd, bool new_netns)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
		close(fds[0]);
		if (new_netns && unshare(CLONE_NEWNET) < 0)
			_exit(2);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct stat st;
		fstat(s, &st);
		uint64_t ino = (uint64_t)st.st_ino;
		if (write(fds[1], &ino, sizeof ino) != sizeof ino)
			_exit(3);
		pause();
		_exit(0);
	}
	close(fds[1]);
	*pipe_rd = fds[0];
	return pid;
}

static uint64_t read_inode(int fd)
{
	uint64_t ino = 0;
	cr_assert_eq(read(fd, &ino, sizeof ino), (ssize_t)sizeof ino);
	close(fd);
	return ino;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* As root, ns_last_pid makes the kernel hand out an exited child's pid again:
 * the new process must not inherit the old one's cached sockets. */
Test(procinfo, live_pid_reuse)
{
	if (geteuid() != 0)
		cr_skip_test("pid reuse needs root (writes /proc/sys/kernel/ns_last_pid)");
	struct gw_procinfo *p = open_refreshed("/proc");
	struct gw_err err = {0};
	int rd;
	pid_t a = spawn_with_socket(&rd, false);
	uint64_t ino_a = read_inode(rd);
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	expect_owner(p, ino_a, a, 1);
	reap(a);
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	if (!f)
		cr_skip_test("cannot write ns_last_pid: %s", strerror(errno));
	fprintf(f, "%d", (int)a - 1);
	fclose(f);
	pid_t b = spawn_with_socket(&rd, false);
	uint64_t ino_b = read_inode(rd);
	if (b != a) {
		reap(b);
		cr_skip_test("another process took pid %d first", (int)a);
	}
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	expect_owner(p, ino_b, b, 1);
	expect_unowned(p, ino_a);
	reap(b);
	gw_procinfo_free(p);
}

Test(procinfo, live_other_namespace)
{
	if (geteuid() != 0)
		cr_skip_test("creating a network namespace needs root");
	struct gw_procinfo *p;
	struct gw_err err = {0};
	int rd;
	pid_t child = spawn_with_socket(&rd, true);
	uint64_t ino = read_inode(rd);
	p = open_refreshed("/proc");
	expect_owner(p, ino, child, 1);
	uint64_t ours = 0, theirs = 0;
	char path[64];
	snprintf(path, sizeof path, "%d/ns/net", (int)child);
	cr_assert_eq(gw__proc_ns_id(AT_FDCWD, "/proc/self/ns/net", "net", &ours), 0);
	int proc = open("/proc", O_RDONLY | O_DIRECTORY);
	cr_assert_eq(gw__proc_ns_id(proc, path, "net", &theirs), 0);
	close(proc);
	cr_assert_neq(ours, theirs);
	size_t n;
	const struct gw_netns_ref *ns = gw_procinfo_namespaces(p, &n);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found |= ns[i].netns == theirs && ns[i].pid == child;
	cr_expect(found, "the child's namespace %llu is listed", (unsigned long long)theirs);
	reap(child);
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	expect_unowned(p, ino);
	gw_procinfo_free(p);
}

#endif
