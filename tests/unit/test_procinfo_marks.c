/* test_procinfo_marks.c — what procinfo adds to a process's details beyond
 * /proc: user names, executable digests (and their cache), the " (deleted)"
 * suffix, and the marks (deleted, memfd, tmp, unpackaged with merged /usr and
 * diversions, kernel-thread disguise), on the fixture tree
 * tests/fixtures/proc_marks against the fake dpkg database tests/fixtures/dpkg;
 * then on the real /proc with a deleted copy of sleep, a memfd and a disguise. */
#ifdef HAVE_OS_LINUX
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ghostwire/procinfo.h"
#include "src/os/linux/details_internal.h"

#define HELLO_SHA "b90173fb7c22eac190f13e75600e31c97b5f4c94e1db6ab0a2baaf8f3346f426"
#define OTHER_SHA "29bde3583f964d824b8e31348a5d6a8893c18b2c2065062b5bde9ff66c00b77e"

static char paths[2][1024];

static const char *fixture(int i, const char *name)
{
	const char *root = getenv("GW_SOURCE_ROOT");
	snprintf(paths[i], sizeof paths[i], "%s/tests/fixtures/%s", root ? root : "..", name);
	return paths[i];
}

static void fixture_config(struct gw_procinfo_config *c)
{
	gw_procinfo_config_init(c);
	c->proc_root = fixture(0, "proc_marks");
	c->dpkg_info_dir = fixture(1, "dpkg/info");
}

static struct gw_procinfo *open_with(const struct gw_procinfo_config *c)
{
	struct gw_procinfo *p;
	struct gw_err err = {0};
	cr_assert_eq(gw_procinfo_open(c, &p, &err), 0, "%s", err.msg);
	cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	return p;
}

static struct gw_procinfo *open_fixture(void)
{
	struct gw_procinfo_config c;
	fixture_config(&c);
	return open_with(&c);
}

static const struct gw_process *details(struct gw_procinfo *p, int32_t pid)
{
	const struct gw_process *d = gw_procinfo_process(p, pid);
	cr_assert(d, "no details for %d", pid);
	return d;
}

/* Details are cached until the fd directory changes, or for 16 refreshes. */
static void refresh_until_details_reread(struct gw_procinfo *p)
{
	struct gw_err err = {0};
	uint64_t before = gw_procinfo_stats(p)->details_read;
	for (int i = 0; i < 16; i++)
		cr_assert_eq(gw_procinfo_refresh(p, &err), 0, "%s", err.msg);
	cr_assert_eq(gw_procinfo_stats(p)->details_read, before);
}

static void expect_marks(struct gw_procinfo *p, int32_t pid, const char *want)
{
	char buf[128];
	const struct gw_process *d = details(p, pid);
	cr_expect_str_eq(gw_process_mark_names(d->marks, buf, sizeof buf), want, "pid %d", pid);
}

Test(procinfo_marks, marks_on_fixture)
{
	struct gw_procinfo *p = open_fixture();
	expect_marks(p, 10, "deleted-exe");            /* packaged, replaced on upgrade */
	expect_marks(p, 11, "deleted-exe,memfd-exe");  /* memfds are deleted files */
	expect_marks(p, 12, "tmp-exe,unpackaged-exe"); /* /tmp/.x/miner */
	expect_marks(p, 13, "kthread-disguise");       /* perl named kswapd0 */
	expect_marks(p, 14, "");                       /* a real kernel thread */
	expect_marks(p, 15, "");                       /* /usr/bin/ls; dpkg lists /bin/ls */
	expect_marks(p, 16, "");                       /* /sbin/agetty; dpkg: /usr/sbin */
	expect_marks(p, 17, "unpackaged-exe");         /* /usr/local/bin (in a conffiles) */
	expect_marks(p, 18, "");                       /* a diversion's target */
	expect_marks(p, 19, "");                       /* another root: not judged */
	expect_marks(p, 22, "kthread-disguise");       /* argv[0] "[kworker/0:2]" */
	expect_marks(p, 23, "");                       /* the watchdog daemon */
	expect_marks(p, 25, "deleted-exe,tmp-exe,unpackaged-exe");
	gw_procinfo_free(p);
}

Test(procinfo_marks, deleted_suffix_is_stripped_once)
{
	struct gw_procinfo *p = open_fixture();
	const struct gw_process *d = details(p, 10);
	cr_expect_str_eq(d->exe, "/usr/sbin/nginx");
	cr_expect(d->exe_deleted);
	d = details(p, 11);
	cr_expect_str_eq(d->exe, "/memfd:payload");
	cr_expect(d->exe_deleted);
	d = details(p, 25); /* a deleted file really named "a (deleted)" */
	cr_expect_str_eq(d->exe, "/var/tmp/a (deleted)");
	cr_expect(d->exe_deleted);
	d = details(p, 12);
	cr_expect_str_eq(d->exe, "/tmp/.x/miner");
	cr_expect_not(d->exe_deleted);
	d = details(p, 14);
	cr_expect_str_eq(d->exe, "");
	cr_expect_not(d->exe_deleted);
	cr_expect_eq(d->exe_hash_status, GW_EXE_HASH_NONE);
	gw_procinfo_free(p);
}

Test(procinfo_marks, user_names_cached)
{
	struct gw_procinfo *p = open_fixture();
	struct passwd *pw = getpwuid(0);
	cr_assert(pw);
	cr_expect_str_eq(details(p, 10)->user, pw->pw_name);
	cr_expect_str_eq(details(p, 15)->user, pw->pw_name);
	cr_expect_str_eq(details(p, 16)->user, pw->pw_name);
	cr_expect_eq(gw_procinfo_stats(p)->user_lookups, 1, "uid 0 asked once");
	if (!getpwuid(3999999))
		cr_expect_str_eq(details(p, 17)->user, "");
	cr_expect_eq(gw_procinfo_stats(p)->user_lookups, 2);
	gw_procinfo_free(p);
}

Test(procinfo_marks, sha256_and_its_cache)
{
	struct gw_procinfo *p = open_fixture();
	const struct gw_procinfo_stats *st = gw_procinfo_stats(p);
	const struct gw_process *d = details(p, 20);
	cr_expect_eq(d->exe_hash_status, GW_EXE_HASH_OK);
	cr_expect_str_eq(d->exe_sha256, HELLO_SHA);
	cr_expect_eq(st->exe_hashed, 1);
	cr_expect_eq(st->exe_hash_bytes, 26);
	d = details(p, 21); /* the same file: from the cache */
	cr_expect_str_eq(d->exe_sha256, HELLO_SHA);
	cr_expect_eq(st->exe_hashed, 1);
	cr_expect_eq(st->exe_hash_cached, 1);
	d = details(p, 24);
	cr_expect_str_eq(d->exe_sha256, OTHER_SHA);
	cr_expect_eq(st->exe_hashed, 2);
	/* Details are read again (here after 16 refreshes); the digest is not. */
	refresh_until_details_reread(p);
	cr_expect_str_eq(details(p, 20)->exe_sha256, HELLO_SHA);
	cr_expect_eq(st->exe_hashed, 2);
	cr_expect_eq(st->exe_hash_cached, 2);
	/* A path that does not resolve in the fixture cannot be read. */
	d = details(p, 12);
	cr_expect_eq(d->exe_hash_status, GW_EXE_HASH_UNREADABLE);
	cr_expect_str_eq(d->exe_sha256, "");
	gw_procinfo_free(p);
}

Test(procinfo_marks, sha256_size_limit_and_off)
{
	struct gw_procinfo_config c;
	fixture_config(&c);
	c.hash_max_bytes = 20; /* hello.bin has 26 bytes, other.bin 13 */
	struct gw_procinfo *p = open_with(&c);
	const struct gw_process *d = details(p, 20);
	cr_expect_eq(d->exe_hash_status, GW_EXE_HASH_TOO_LARGE);
	cr_expect_str_eq(d->exe_sha256, "");
	cr_expect_eq(gw_procinfo_stats(p)->exe_too_large, 1);
	cr_expect_eq(gw_procinfo_stats(p)->exe_hash_bytes, 0, "not read at all");
	cr_expect_str_eq(details(p, 24)->exe_sha256, OTHER_SHA);
	gw_procinfo_free(p);

	c.hash_max_bytes = 0;
	p = open_with(&c);
	cr_expect_eq(details(p, 20)->exe_hash_status, GW_EXE_HASH_NONE);
	cr_expect_eq(gw_procinfo_stats(p)->exe_hashed, 0);
	gw_procinfo_free(p);
}

Test(procinfo_marks, hash_cache_is_bounded)
{
	struct gw_procinfo_config c;
	fixture_config(&c);
	c.hash_cache_max = 1;
	struct gw_procinfo *p = open_with(&c);
	const struct gw_procinfo_stats *st = gw_procinfo_stats(p);
	cr_expect_str_eq(details(p, 20)->exe_sha256, HELLO_SHA);
	cr_expect_str_eq(details(p, 24)->exe_sha256, OTHER_SHA); /* full: starts over */
	cr_expect_eq(st->hash_cache_resets, 1);
	cr_expect_str_eq(details(p, 21)->exe_sha256, HELLO_SHA); /* hashed again */
	cr_expect_eq(st->exe_hashed, 3);
	gw_procinfo_free(p);
}

Test(procinfo_marks, no_dpkg_database_no_unpackaged_mark)
{
	struct gw_procinfo_config c;
	fixture_config(&c);
	c.dpkg_info_dir = "/nonexistent/dpkg/info";
	struct gw_procinfo *p = open_with(&c);
	expect_marks(p, 12, "tmp-exe");
	expect_marks(p, 17, "");
	cr_expect_eq(gw_procinfo_stats(p)->dpkg_builds, 0);
	gw_procinfo_free(p);

	c.dpkg_info_dir = NULL;
	p = open_with(&c);
	expect_marks(p, 17, "");
	gw_procinfo_free(p);
}

Test(procinfo_marks, dpkg_set_built_once_and_counted)
{
	struct gw_procinfo *p = open_fixture();
	for (int32_t pid = 10; pid <= 25; pid++)
		(void)gw_procinfo_process(p, pid);
	const struct gw_procinfo_stats *st = gw_procinfo_stats(p);
	cr_expect_eq(st->dpkg_builds, 1);
	/* 15 paths in the lists ("/." is none) plus one diversion target, less
	 * three that merged /usr makes duplicates: /usr twice, /usr/bin (= /bin). */
	cr_expect_eq(st->dpkg_paths, 13, "%llu", (unsigned long long)st->dpkg_paths);
	gw_procinfo_free(p);
}

Test(procinfo_marks, dpkg_ceiling_leaves_it_unknown)
{
	struct gw_procinfo_config c;
	fixture_config(&c);
	c.dpkg_max_paths = 3;
	struct gw_procinfo *p = open_with(&c);
	expect_marks(p, 17, ""); /* a partial set would call packaged files unpackaged */
	cr_expect_gt(gw_procinfo_stats(p)->dpkg_skipped, 0);
	gw_procinfo_free(p);
}

static char tmp_dpkg[64];

static void remove_tmp_dpkg(void)
{
	if (!tmp_dpkg[0])
		return;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_dpkg);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp_dpkg);
}

Test(procinfo_marks, dpkg_set_rebuilt_when_packages_change, .fini = remove_tmp_dpkg)
{
	strcpy(tmp_dpkg, "/tmp/gw-dpkg-XXXXXX");
	cr_assert(mkdtemp(tmp_dpkg));
	char cmd[4096], info[128];
	snprintf(cmd, sizeof cmd, "cp -r %s/info %s/diversions %s/", fixture(1, "dpkg"),
	         fixture(1, "dpkg"), tmp_dpkg);
	cr_assert_eq(system(cmd), 0);
	struct gw_procinfo_config c;
	fixture_config(&c);
	snprintf(info, sizeof info, "%s/info", tmp_dpkg);
	c.dpkg_info_dir = info;
	struct gw_procinfo *p = open_with(&c);
	expect_marks(p, 17, "unpackaged-exe");
	/* A package installs the tool (a new .list changes the directory). */
	usleep(10000);
	snprintf(cmd, sizeof cmd, "printf '/.\\n/usr/local/bin/tool\\n' > %s/tool.list", info);
	cr_assert_eq(system(cmd), 0);
	expect_marks(p, 17, "unpackaged-exe"); /* checked once per refresh */
	refresh_until_details_reread(p);
	expect_marks(p, 17, "");
	cr_expect_eq(gw_procinfo_stats(p)->dpkg_builds, 2);
	gw_procinfo_free(p);
}

Test(procinfo_marks, mark_names)
{
	char buf[128];
	cr_expect_str_eq(
	        gw_process_mark_names(GW_MARK_ALL, buf, sizeof buf),
	        "deleted-exe,memfd-exe,tmp-exe,unpackaged-exe,kthread-disguise,tun-device");
	cr_expect_str_eq(gw_process_mark_names(0, buf, sizeof buf), "");
	cr_expect_str_eq(gw_process_mark_names(GW_MARK_TMP_EXE | GW_MARK_UNPACKAGED_EXE, buf, 20),
	                 "tmp-exe"); /* never half a name */
	cr_expect_str_eq(
	        gw_process_mark_names(GW_MARK_ALL | (1u << 20), buf, sizeof buf),
	        "deleted-exe,memfd-exe,tmp-exe,unpackaged-exe,kthread-disguise,tun-device");
	cr_expect_str_eq(gw_process_mark_name(GW_MARK_KTHREAD_DISGUISE), "kthread-disguise");
	cr_expect_str_eq(gw_process_mark_name(GW_MARK_TMP_EXE | GW_MARK_MEMFD_EXE), "?");
	cr_expect_eq(gw_process_mark_parse("memfd-exe"), GW_MARK_MEMFD_EXE);
	cr_expect_eq(gw_process_mark_parse("bogus"), 0);
	cr_expect_str_eq(gw_exe_hash_status_name(GW_EXE_HASH_TOO_LARGE), "too-large");
	cr_expect_eq(gw_exe_hash_status_parse("unreadable"), GW_EXE_HASH_UNREADABLE);
	cr_expect_eq(gw_exe_hash_status_parse("bogus"), -1);
}

Test(procinfo_marks, kernel_thread_names)
{
	static const char *const like[] = {
	        "kworker/0:1",   "kworker/u8:2-events_unbound",
	        "[kworker/0:1]", "[anything]",
	        "ksoftirqd/0",   "kthreadd",
	        "kthreaddk",     "migration/1",
	        "rcu_preempt",   "kswapd0",
	        "kdevtmpfsi",    "watchdog/0",
	        "irq/9-acpi",    "cpuhp/0",
	        "[sh] ",
	};
	static const char *const unlike[] = {
	        "sshd", "watchdog", "bash", "[", "[sh", "sh]", "python3", "worker", "k", "",
	};
	for (size_t i = 0; i < sizeof like / sizeof *like; i++)
		cr_expect(gw__kthread_like_name(like[i], strlen(like[i])), "%s", like[i]);
	for (size_t i = 0; i < sizeof unlike / sizeof *unlike; i++)
		cr_expect_not(gw__kthread_like_name(unlike[i], strlen(unlike[i])), "%s", unlike[i]);
}

Test(procinfo_marks, exe_path_marks)
{
	cr_expect_eq(gw__exe_path_marks("/dev/shm/x", 10, false), GW_MARK_TMP_EXE);
	cr_expect_eq(gw__exe_path_marks("/var/tmp/x", 10, false), GW_MARK_TMP_EXE);
	cr_expect_eq(gw__exe_path_marks("/tmpfoo/x", 9, false), 0);
	cr_expect_eq(gw__exe_path_marks("/tmp", 4, false), 0);
	cr_expect_eq(gw__exe_path_marks("/memfd:", 7, true),
	             GW_MARK_MEMFD_EXE | GW_MARK_DELETED_EXE);
	cr_expect(gw__exe_path_packageable("/usr/bin/x", 10));
	cr_expect_not(gw__exe_path_packageable("/memfd:x", 8));
	cr_expect_not(gw__exe_path_packageable("x", 1));
}

/* ---- the real /proc ---- */

/* sha256sum's answer for path, into out[65]. */
static bool sha256sum(const char *path, char *out)
{
	char cmd[1100];
	snprintf(cmd, sizeof cmd, "sha256sum '%s' 2>/dev/null", path);
	FILE *f = popen(cmd, "r");
	if (!f)
		return false;
	bool ok = fscanf(f, "%64s", out) == 1;
	return pclose(f) == 0 && ok && strlen(out) == 64;
}

static pid_t spawn(const char *path, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Waits until pid runs path (its exec done). */
static bool exec_done(pid_t pid, const char *path)
{
	char link[64], buf[1024];
	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	for (int i = 0; i < 200; i++) {
		ssize_t n = readlink(link, buf, sizeof buf - 1);
		if (n > 0) {
			buf[n] = '\0';
			if (strncmp(buf, path, strlen(path)) == 0)
				return true;
		}
		usleep(10000);
	}
	return false;
}

static struct gw_procinfo *open_live(void)
{
	struct gw_procinfo_config c;
	gw_procinfo_config_init(&c);
	return open_with(&c);
}

static char copy[64];

static void remove_copy(void)
{
	if (copy[0])
		unlink(copy);
}

Test(procinfo_marks, live_deleted_tmp_executable, .fini = remove_copy)
{
	char want[65];
	if (!sha256sum("/bin/sleep", want))
		cr_skip_test("sha256sum is not available");
	strcpy(copy, "/tmp/gw-sleep-XXXXXX");
	int fd = mkstemp(copy);
	cr_assert_geq(fd, 0);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "cp /bin/sleep %s && chmod 755 %s", copy, copy);
	close(fd);
	cr_assert_eq(system(cmd), 0);
	pid_t pid = spawn(copy, (char *[]){"sleep", "30", NULL});
	cr_assert_gt(pid, 0);
	if (!exec_done(pid, copy)) {
		reap(pid);
		cr_skip_test("cannot run a program from /tmp (noexec?)");
	}
	unlink(copy);
	struct gw_procinfo *p = open_live();
	const struct gw_process *d = details(p, pid);
	cr_expect_str_eq(d->exe, copy);
	cr_expect(d->exe_deleted);
	cr_expect(d->marks & GW_MARK_DELETED_EXE);
	cr_expect(d->marks & GW_MARK_TMP_EXE);
	if (access("/var/lib/dpkg/info", F_OK) == 0)
		cr_expect(d->marks & GW_MARK_UNPACKAGED_EXE);
	cr_expect_not(d->marks & GW_MARK_KTHREAD_DISGUISE);
	/* Deleted, yet hashed through /proc/PID/exe: the same bytes as sleep. */
	cr_expect_eq(d->exe_hash_status, GW_EXE_HASH_OK);
	cr_expect_str_eq(d->exe_sha256, want);
	struct passwd *pw = getpwuid(getuid());
	if (pw && strlen(pw->pw_name) < sizeof d->user)
		cr_expect_str_eq(d->user, pw->pw_name);
	reap(pid);
	gw_procinfo_free(p);
}

Test(procinfo_marks, live_memfd_disguised_as_kworker)
{
	int src = open("/bin/sleep", O_RDONLY | O_CLOEXEC);
	int mfd = memfd_create("payload", 0);
	cr_assert_geq(src, 0);
	if (mfd < 0)
		cr_skip_test("memfd_create: %s", strerror(errno));
	char buf[65536];
	ssize_t n;
	while ((n = read(src, buf, sizeof buf)) > 0)
		cr_assert_eq(write(mfd, buf, (size_t)n), n);
	close(src);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {"[kworker/0:1]", "30", NULL};
		char *envp[] = {NULL};
		fexecve(mfd, argv, envp);
		_exit(127);
	}
	close(mfd);
	cr_assert_gt(pid, 0);
	if (!exec_done(pid, "/memfd:payload")) {
		reap(pid);
		cr_skip_test("cannot execute a memfd here");
	}
	struct gw_procinfo *p = open_live();
	const struct gw_process *d = details(p, pid);
	cr_expect_str_eq(d->exe, "/memfd:payload");
	cr_expect(d->exe_deleted);
	cr_expect_eq(d->marks & ~GW_MARK_UNPACKAGED_EXE,
	             GW_MARK_DELETED_EXE | GW_MARK_MEMFD_EXE | GW_MARK_KTHREAD_DISGUISE, "0x%x",
	             d->marks);
	cr_expect_not(d->marks & GW_MARK_UNPACKAGED_EXE, "a memfd is not a path");
	cr_expect_eq(d->exe_hash_status, GW_EXE_HASH_OK);
	reap(pid);
	gw_procinfo_free(p);
}

Test(procinfo_marks, live_self_and_kernel_threads)
{
	struct gw_procinfo *p = open_live();
	char self[1024], want[65];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	cr_assert_gt(n, 0);
	self[n] = '\0';
	const struct gw_process *d = details(p, getpid());
	if (sha256sum(self, want))
		cr_expect_str_eq(d->exe_sha256, want);
	cr_expect_not(d->marks & GW_MARK_KTHREAD_DISGUISE);
	/* kthreadd (pid 2 in the initial pid namespace) bears no mark. */
	FILE *f = fopen("/proc/2/comm", "r");
	char comm[32] = "";
	if (f) {
		if (!fgets(comm, sizeof comm, f))
			comm[0] = '\0';
		fclose(f);
	}
	if (strncmp(comm, "kthreadd", 8) == 0) {
		d = details(p, 2);
		cr_expect_eq(d->marks, 0);
		cr_expect_str_eq(d->exe, "");
	}
	gw_procinfo_free(p);
}

#else
#include <criterion/criterion.h>
Test(procinfo_marks, not_linux)
{
	cr_skip_test("process details are read on Linux only");
}
#endif
