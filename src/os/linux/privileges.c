/* os/linux/privileges.c — dropping root after the privileged handles are open,
 * in a fixed and fully checked order: supplementary groups, gid, keep-caps,
 * uid, then the capability sets trimmed to what is kept; regaining root must
 * then fail. Capabilities are set with the raw capset(2) interface. */
#define _GNU_SOURCE /* setresuid, setresgid */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ghostwire/privileges.h"

static int set_caps(unsigned keep)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof data);
	unsigned caps[8], n = 0;
	if (keep & GW_KEEP_READ_PROCESSES) {
		caps[n++] = CAP_SYS_PTRACE;
		caps[n++] = CAP_DAC_READ_SEARCH;
	}
	if (keep & GW_KEEP_ENTER_NETNS)
		caps[n++] = CAP_SYS_ADMIN;
	if (keep & GW_KEEP_NET_ADMIN)
		caps[n++] = CAP_NET_ADMIN;
	if (keep & GW_KEEP_CAPTURE)
		caps[n++] = CAP_NET_RAW;
	for (unsigned i = 0; i < n; i++) {
		data[caps[i] / 32].effective |= 1u << (caps[i] % 32);
		data[caps[i] / 32].permitted |= 1u << (caps[i] % 32);
	}
	return (int)syscall(SYS_capset, &hdr, data);
}

int gw_privileges_drop(const char *user, unsigned keep, char *report, size_t report_size,
                       struct gw_err *err)
{
	if (geteuid() != 0) {
		snprintf(report, report_size, "not root: no privileges to drop");
		return 0;
	}
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return gw_err_set(err, GW_EINVAL, "user '%s' does not exist", user);
	if (pw->pw_uid == 0)
		return gw_err_set(err, GW_EINVAL, "user '%s' is root: nothing would be dropped",
		                  user);
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0)
		return gw_err_set(err, GW_EPERM, "dropping groups to %u: %s", gid, strerror(errno));
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresuid(uid, uid, uid) < 0)
		return gw_err_set(err, GW_EPERM, "becoming %s (%u): %s", user, uid,
		                  strerror(errno));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 || set_caps(keep) < 0)
		return gw_err_set(err, GW_EPERM, "trimming capabilities: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return gw_err_set(err, GW_EPERM, "no_new_privs: %s", strerror(errno));
	if (setuid(0) == 0 || seteuid(0) == 0)
		return gw_err_set(err, GW_EPERM, "root could be regained after dropping it");
	snprintf(report, report_size, "running as %s (uid %u, gid %u), keeping%s%s%s%s%s", user,
	         uid, gid,
	         keep & GW_KEEP_READ_PROCESSES ? " CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" : "",
	         keep & GW_KEEP_ENTER_NETNS ? " CAP_SYS_ADMIN" : "",
	         keep & GW_KEEP_NET_ADMIN ? " CAP_NET_ADMIN" : "",
	         keep & GW_KEEP_CAPTURE ? " CAP_NET_RAW" : "", keep ? "" : " nothing");
	return 0;
}
