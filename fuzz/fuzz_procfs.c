/* fuzz/fuzz_procfs.c — libFuzzer target over every /proc text parser: the
 * /proc/net tables (through the real line reader, from a memfd), /proc/PID/stat,
 * status, cgroup (container hints), "type:[N]" links and report escaping. The
 * first byte picks the parser; the rest is the file. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef HAVE_OS_LINUX
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>

#include "src/os/linux/procfs_internal.h"

static int count(void *ctx, const struct gw_socket *s)
{
	(void)s;
	(*(size_t *)ctx)++;
	return 0;
}

static void table(enum gw__net_table t, const uint8_t *data, size_t size)
{
	int fd = memfd_create("procfs", MFD_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size) {
		char path[32];
		struct gw__net_counts counts = {0};
		size_t n = 0;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		(void)gw__net_read_table(AT_FDCWD, path, t, 1, count, &n, &counts);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t pick = data[0];
	data++, size--;
	struct gw__proc_stat st;
	char out[80];
	uint32_t uid;
	uint64_t id;
	switch (pick % 12) {
	case 7:
		(void)gw__proc_stat_parse(data, size, &st);
		break;
	case 8:
		(void)gw__status_uid(data, size, &uid);
		break;
	case 9:
		gw__container_hint(data, size, out, sizeof out);
		break;
	case 10:
		(void)gw__proc_link_id(data, size, "socket:", &id);
		gw__text_escape(data, size, out, 1 + pick % sizeof out, pick & 1);
		break;
	case 11: {
		struct gw_socket s;
		(void)gw__net_parse_line((enum gw__net_table)(pick / 12 % GW__NET_TABLES),
		                         gw_cursor_make(data, size), &s);
		break;
	}
	default:
		table((enum gw__net_table)(pick % 12), data, size);
	}
	return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
#endif
