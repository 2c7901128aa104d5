/* test_capture.c — the capture reader on files: pcap and pcapng, link types
 * mapped, filters, and the errors users meet (missing file, directory, not a
 * capture, truncated mid-record, bad filter), each naming the file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ghostwire/capture.h"
#include "ghostwire/decode.h"

static char path_buf[1024];

static const char *pcap_path(const char *name)
{
	const char *root = getenv("GW_SOURCE_ROOT");
	snprintf(path_buf, sizeof path_buf, "%s/pcaps/wire/%s", root ? root : "..", name);
	return path_buf;
}

static struct gw_options opt;

static void setup(void)
{
	gw_options_init(&opt);
}

TestSuite(capture, .init = setup);

/* Reads a whole file; returns frames read and the final result. */
static uint64_t read_all(struct gw_capture *c, int *last, struct gw_err *err)
{
	uint64_t n = 0;
	struct gw_frame f;
	int r;
	while ((r = gw_capture_next(c, &f, err)) == GW_CAPTURE_FRAME) {
		cr_assert_leq(f.caplen, f.wirelen);
		n++;
	}
	*last = r;
	return n;
}

Test(capture, reads_pcap)
{
	struct gw_capture *c;
	struct gw_err err = {0};
	cr_assert_eq(gw_capture_open_file(pcap_path("en10mb_tcp.pcap"), &opt, &c, &err), 0, "%s",
	             err.msg);
	int last;
	cr_expect_eq(read_all(c, &last, &err), 20);
	cr_expect_eq(last, GW_CAPTURE_EOF);
	cr_expect_not(gw_capture_is_live(c));
	cr_expect_float_eq(gw_capture_progress(c), 1.0, 1e-9);
	gw_capture_free(c);
}

Test(capture, reads_pcapng)
{
	struct gw_capture *c;
	struct gw_err err = {0};
	cr_assert_eq(gw_capture_open_file(pcap_path("pcapng_en10mb.pcapng"), &opt, &c, &err), 0,
	             "%s", err.msg);
	int last;
	cr_expect_gt(read_all(c, &last, &err), 0);
	cr_expect_eq(last, GW_CAPTURE_EOF);
	gw_capture_free(c);
}

Test(capture, raw_linktype_is_mapped)
{
	struct gw_capture *c;
	struct gw_err err = {0};
	cr_assert_eq(gw_capture_open_file(pcap_path("raw.pcap"), &opt, &c, &err), 0, "%s", err.msg);
	struct gw_frame f;
	cr_assert_eq(gw_capture_next(c, &f, &err), GW_CAPTURE_FRAME);
	cr_expect_eq(f.linktype, GW_LINKTYPE_RAW);
	gw_capture_free(c);
}

Test(capture, filter_applies)
{
	struct gw_capture *c;
	struct gw_err err = {0};
	opt.bpf_filter = "ip6";
	cr_assert_eq(gw_capture_open_file(pcap_path("en10mb_tcp.pcap"), &opt, &c, &err), 0, "%s",
	             err.msg);
	int last;
	cr_expect_eq(read_all(c, &last, &err), 10);
	gw_capture_free(c);
}

Test(capture, bad_filter_is_an_error)
{
	struct gw_capture *c;
	struct gw_err err = {0};
	opt.bpf_filter = "tcp port banana";
	cr_expect_eq(gw_capture_open_file(pcap_path("en10mb_tcp.pcap"), &opt, &c, &err), GW_EINVAL);
	cr_expect_null(c);
	cr_expect(strstr(err.msg, "banana") != NULL, "%s", err.msg);
}

Test(capture, missing_file)
{
	struct gw_capture *c;
	struct gw_err err = {0};
	cr_expect_eq(gw_capture_open_file("/nonexistent/x.pcap", &opt, &c, &err), GW_ENOENT);
	cr_expect(strstr(err.msg, "/nonexistent/x.pcap") != NULL, "%s", err.msg);
}

Test(capture, directory)
{
	struct gw_capture *c;
	struct gw_err err = {0};
	cr_expect_eq(gw_capture_open_file("/", &opt, &c, &err), GW_EINVAL);
	cr_expect(strstr(err.msg, "directory") != NULL, "%s", err.msg);
}

static const char *write_temp(const void *data, size_t len)
{
	static char name[] = "/tmp/gw-test-XXXXXX";
	strcpy(name, "/tmp/gw-test-XXXXXX");
	int fd = mkstemp(name);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "wb");
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return name;
}

Test(capture, not_a_capture)
{
	const char *name = write_temp("this is a text file, not a capture\n", 35);
	struct gw_capture *c;
	struct gw_err err = {0};
	cr_expect_eq(gw_capture_open_file(name, &opt, &c, &err), GW_EFORMAT);
	cr_expect(strstr(err.msg, name) != NULL, "%s", err.msg);
	unlink(name);
}

Test(capture, empty_file)
{
	const char *name = write_temp("", 0);
	struct gw_capture *c;
	struct gw_err err = {0};
	cr_expect_eq(gw_capture_open_file(name, &opt, &c, &err), GW_EFORMAT);
	cr_expect(strstr(err.msg, name) != NULL, "%s", err.msg);
	unlink(name);
}

Test(capture, truncated_mid_record)
{
	struct gw_capture *c;
	struct gw_err err = {0};
	cr_assert_eq(gw_capture_open_file(pcap_path("truncated.pcap"), &opt, &c, &err), 0, "%s",
	             err.msg);
	int last;
	uint64_t n = read_all(c, &last, &err);
	cr_expect_gt(n, 0);
	cr_expect_eq(last, GW_ETRUNC);
	cr_expect(strstr(err.msg, "truncated.pcap") != NULL, "%s", err.msg);
	gw_capture_free(c);
}
