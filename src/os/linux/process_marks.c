/* os/linux/process_marks.c — the rules that mark a process by behaviour: which
 * executable paths are deleted, memfd or temporary, which may be looked up in
 * the package database, and which names only a kernel thread should bear.
 * Pure functions of what procinfo_details.c read. */
#include <string.h>

#include "details_internal.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

static bool starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

static bool is_memfd(const char *exe, size_t n)
{
	return starts_with(exe, n, "/memfd:");
}

uint32_t gw__exe_path_marks(const char *exe, size_t n, bool deleted)
{
	static const char *const tmp_dirs[] = {"/tmp/", "/var/tmp/", "/dev/shm/"};
	uint32_t marks = deleted ? GW_MARK_DELETED_EXE : 0;
	if (is_memfd(exe, n))
		marks |= GW_MARK_MEMFD_EXE;
	for (size_t i = 0; i < COUNT(tmp_dirs); i++)
		if (starts_with(exe, n, tmp_dirs[i]))
			marks |= GW_MARK_TMP_EXE;
	return marks;
}

bool gw__exe_path_packageable(const char *exe, size_t n)
{
	return n > 1 && exe[0] == '/' && !is_memfd(exe, n);
}

/* Kernel threads' names (Linux 6.x): a prefix followed by anything, so that
 * "kworker/0:1-events", "kswapd0" and the miners' "kworkerds", "kthreaddk",
 * "kdevtmpfsi" all match. A name a user-space program legitimately bears is
 * not listed bare: the watchdog daemon is "watchdog", the kernel's "watchdog/N". */
static const char *const kthread_prefixes[] = {
        "kworker",        "ksoftirqd", "kthreadd",    "migration/",       "cpuhp/",
        "idle_inject/",   "irq/",      "watchdog/",   "watchdogd",        "rcu_",
        "rcuog/",         "rcuop/",    "rcuos/",      "kswapd",           "kcompactd",
        "khugepaged",     "ksmd",      "khungtaskd",  "kdevtmpfs",        "kauditd",
        "oom_reaper",     "kblockd",   "kintegrityd", "kthrotld",         "jbd2/",
        "xfsaild/",       "scsi_eh_",  "scsi_tmf_",   "kdamond",          "mm_percpu_wq",
        "pool_workqueue", "writeback", "kstrp",       "ecryptfs-kthread",
};

bool gw__kthread_like_name(const char *name, size_t n)
{
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\0'))
		n--;
	if (n >= 2 && name[0] == '[' && name[n - 1] == ']')
		return true;
	for (size_t i = 0; i < COUNT(kthread_prefixes); i++)
		if (starts_with(name, n, kthread_prefixes[i]))
			return true;
	return false;
}
