/* test_capture_loss.c — capture records: written to and read from the socket
 * timeline, refused when malformed, and turned by the correlator into the
 * capture-loss hint on findings whose window meets a lossy interval. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ghostwire/correlate.h"
#include "ghostwire/timeline.h"

#define T0 1714564800000000LL
#define S  1000000LL

static char tmp_path[64];

static void make_tmp(void)
{
	strcpy(tmp_path, "/tmp/gw-loss-XXXXXX");
	int fd = mkstemp(tmp_path);
	cr_assert_geq(fd, 0);
	close(fd);
}

static void remove_tmp(void)
{
	unlink(tmp_path);
}

TestSuite(capture_loss, .init = make_tmp, .fini = remove_tmp);

static struct gw_tl_record capture(int64_t since, int64_t ts, uint64_t drops)
{
	struct gw_tl_record r;
	gw_tl_record_init(&r, 4, 4);
	r.type = GW_TL_CAPTURE;
	r.ts_us = ts;
	r.since_us = since;
	r.drops = drops;
	return r;
}

Test(capture_loss, round_trip)
{
	struct gw_tl_header h = {.version = GW_TIMELINE_VERSION, .started_us = T0};
	strcpy(h.source, "netlink");
	struct gw_timeline_writer *w;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_writer_open(tmp_path, &h, &w, &err), 0, "%s", err.msg);
	struct gw_tl_record rec = capture(T0 + 100000, T0 + 200000, 12345678901ULL);
	cr_assert_eq(gw_timeline_write(w, &rec, &err), 0, "%s", err.msg);
	gw_tl_record_fini(&rec);
	cr_assert_eq(gw_timeline_writer_close(w, &err), 0);

	struct gw_timeline_reader *r;
	struct gw_tl_header got;
	cr_assert_eq(gw_timeline_reader_open(tmp_path, 0, &got, &r, &err), 0, "%s", err.msg);
	struct gw_tl_record back;
	gw_tl_record_init(&back, 4, 4);
	cr_assert_eq(gw_timeline_read(r, &back, &err), 1, "%s", err.msg);
	cr_expect_eq(back.type, GW_TL_CAPTURE);
	cr_expect_eq(back.ts_us, T0 + 200000);
	cr_expect_eq(back.since_us, T0 + 100000);
	cr_expect_eq(back.drops, 12345678901ULL);
	gw_tl_record_fini(&back);
	gw_timeline_reader_close(r);
}

Test(capture_loss, writer_refuses_since_after_ts)
{
	struct gw_tl_header h = {.version = GW_TIMELINE_VERSION, .started_us = T0};
	struct gw_timeline_writer *w;
	struct gw_err err = {0};
	cr_assert_eq(gw_timeline_writer_open(tmp_path, &h, &w, &err), 0, "%s", err.msg);
	struct gw_tl_record rec = capture(T0 + 2, T0 + 1, 1);
	cr_expect_lt(gw_timeline_write(w, &rec, &err), 0);
	gw_tl_record_fini(&rec);
	gw_timeline_writer_close(w, &err);
}

static void write_text(const char *text)
{
	FILE *f = fopen(tmp_path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(capture_loss, reader_refuses_bad_records)
{
	static const char *const bad[] = {
	        "{\"type\":\"capture\",\"ts\":\"2024-05-01T12:00:01.000000Z\","
	        "\"since\":\"2024-05-01T12:00:02.000000Z\",\"drops\":3}\n",
	        "{\"type\":\"capture\",\"ts\":\"2024-05-01T12:00:01.000000Z\",\"drops\":3}\n",
	        "{\"type\":\"capture\",\"ts\":\"2024-05-01T12:00:01.000000Z\","
	        "\"since\":\"2024-05-01T12:00:00.000000Z\",\"drops\":-1}\n",
	};
	const char *header = "{\"format\":\"ghostwire-timeline\",\"version\":1,\"host\":"
	                     "\"h\",\"source\":\"netlink\",\"started\":"
	                     "\"2024-05-01T12:00:00.000000Z\",\"local_addrs\":[]}\n";
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[1024];
		snprintf(text, sizeof text, "%s%s", header, bad[i]);
		write_text(text);
		struct gw_timeline_reader *r;
		struct gw_tl_header h;
		struct gw_err err = {0};
		cr_assert_eq(gw_timeline_reader_open(tmp_path, 0, &h, &r, &err), 0, "%s", err.msg);
		struct gw_tl_record rec;
		gw_tl_record_init(&rec, 4, 4);
		cr_expect_lt(gw_timeline_read(r, &rec, &err), 0, "bad record %zu accepted", i);
		cr_expect(strstr(err.msg, ":2") != NULL, "names the line: %s", err.msg);
		gw_tl_record_fini(&rec);
		gw_timeline_reader_close(r);
	}
}

static struct gw_flow outbound(int64_t first, int64_t last)
{
	struct gw_flow f;
	memset(&f, 0, sizeof f);
	f.key.proto = 6;
	f.key.family = GW_AF_INET;
	f.key.local_port = 40000;
	f.key.remote_port = 443;
	memcpy(f.key.local, (uint8_t[]){10, 0, 0, 5}, 4);
	memcpy(f.key.remote, (uint8_t[]){192, 0, 2, 1}, 4);
	f.first_us = first;
	f.last_us = last;
	f.opener = GW_DIR_OUT;
	f.tcp_flags[GW_DIR_OUT] = GW_SEEN_SYN;
	f.packets[GW_DIR_OUT] = 2;
	f.bytes[GW_DIR_OUT] = 120;
	f.seq = 1;
	f.tcp_state = GW_TCP_SYN_SENT;
	return f;
}

Test(capture_loss, hint_when_a_lossy_interval_meets_the_window)
{
	struct gw_correlator_config cfg;
	gw_correlator_config_init(&cfg);
	struct gw_correlator *c;
	struct gw_err err = {0};
	cr_assert_eq(gw_correlator_new(&cfg, &c, &err), 0);
	struct gw_tl_record snap;
	gw_tl_record_init(&snap, 4, 4);
	snap.type = GW_TL_SNAPSHOT;
	snap.ts_us = T0;
	cr_assert_eq(gw_correlator_apply(c, &snap, &err), 0, "%s", err.msg);
	struct gw_tl_record none = capture(T0, T0 + S / 10, 0);
	cr_assert_eq(gw_correlator_apply(c, &none, &err), 0, "%s", err.msg);
	struct gw_tl_record loss = capture(T0 + 10 * S, T0 + 10 * S + S / 10, 42);
	cr_assert_eq(gw_correlator_apply(c, &loss, &err), 0, "%s", err.msg);

	struct gw_verdict v;
	struct gw_flow before = outbound(T0 + S, T0 + S); /* window ends at 3 s */
	gw_correlator_judge(c, &before, &v);
	cr_expect_eq(v.kind, GW_VERDICT_UNEXPLAINED);
	cr_expect_eq(v.hints & GW_HINT_CAPTURE_LOSS, 0);
	struct gw_flow near = outbound(T0 + 12 * S, T0 + 12 * S); /* window from 10 s */
	gw_correlator_judge(c, &near, &v);
	cr_expect(v.hints & GW_HINT_CAPTURE_LOSS);
	cr_expect_eq(gw_correlator_stats(c)->capture_drops, 42);
	gw_tl_record_fini(&snap);
	gw_tl_record_fini(&none);
	gw_tl_record_fini(&loss);
	gw_correlator_free(c);
}

Test(capture_loss, only_the_last_intervals_are_kept)
{
	struct gw_correlator_config cfg;
	gw_correlator_config_init(&cfg);
	struct gw_correlator *c;
	struct gw_err err = {0};
	cr_assert_eq(gw_correlator_new(&cfg, &c, &err), 0);
	for (int i = 0; i < 5000; i++) {
		struct gw_tl_record r = capture(T0 + i * S, T0 + i * S + 1, 1);
		cr_assert_eq(gw_correlator_apply(c, &r, &err), 0, "%s", err.msg);
		gw_tl_record_fini(&r);
	}
	cr_expect_eq(gw_correlator_stats(c)->loss_intervals_forgotten, 5000 - 4096);
	struct gw_verdict v;
	struct gw_flow early = outbound(T0 + 10 * S, T0 + 10 * S);
	gw_correlator_judge(c, &early, &v);
	cr_expect_eq(v.hints & GW_HINT_CAPTURE_LOSS, 0, "forgotten");
	struct gw_flow late = outbound(T0 + 4990 * S, T0 + 4990 * S);
	gw_correlator_judge(c, &late, &v);
	cr_expect(v.hints & GW_HINT_CAPTURE_LOSS);
	gw_correlator_free(c);
}
