/* fuzz/fuzz_timeline.c — libFuzzer target over the socket timeline reader: the
 * bytes are a timeline file, read through fmemopen to its end. Every record
 * read is written back with the writer, which must accept all the reader
 * accepted, and the copy read again must give the very same values. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINE      (8 << 10)
#define MAX_SOCKETS   8
#define MAX_PROCESSES 8

static void check(bool ok, const char *what, const struct gw_err *err)
{
	if (!ok) {
		fprintf(stderr, "fuzz_timeline: %s: %s\n", what, err ? err->msg : "");
		abort();
	}
}

static bool same_set(const struct gw_sockset *a, const struct gw_sockset *b)
{
	return a->n_socks == b->n_socks && a->n_procs == b->n_procs &&
	       (!a->n_socks || !memcmp(a->socks, b->socks, a->n_socks * sizeof *a->socks)) &&
	       (!a->n_procs || !memcmp(a->procs, b->procs, a->n_procs * sizeof *a->procs));
}

/* Reader output is zeroed before it is filled, so padding compares equal. */
static bool same_record(const struct gw_tl_record *a, const struct gw_tl_record *b)
{
	return a->type == b->type && a->ts_us == b->ts_us && same_set(&a->set, &b->set) &&
	       same_set(&a->removed, &b->removed) &&
	       !memcmp(&a->query, &b->query, sizeof a->query) && a->found == b->found &&
	       !memcmp(a->event, b->event, sizeof a->event) && a->pid == b->pid &&
	       a->ppid == b->ppid && !memcmp(&a->addr, &b->addr, sizeof a->addr) &&
	       a->since_us == b->since_us && a->drops == b->drops;
}

/* The version is not compared: the writer writes its own, and reads older ones. */
static bool same_header(const struct gw_tl_header *a, const struct gw_tl_header *b)
{
	return !strcmp(a->host, b->host) && !strcmp(a->source, b->source) &&
	       a->started_us == b->started_us && a->n_local == b->n_local &&
	       !memcmp(a->local, b->local, sizeof a->local);
}

static FILE *open_bytes(char *buf, size_t size)
{
	return fmemopen(buf, size, "r");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A heap copy of exactly the input, so ASan sees any overread. */
	char *input = malloc(size ? size : 1);
	if (!input)
		return 0;
	memcpy(input, data, size);
	FILE *f = size ? open_bytes(input, size) : NULL;
	struct gw_tl_header h, h2;
	struct gw_timeline_reader *r, *r2;
	struct gw_err err = {0};
	if (!f || gw_timeline_reader_open_stream(f, "fuzz", MAX_LINE, &h, &r, &err) < 0) {
		free(input);
		return 0;
	}

	/* First pass: read everything, writing each record to a copy. */
	char *copy = NULL;
	size_t copy_len = 0;
	FILE *out = open_memstream(&copy, &copy_len);
	struct gw_timeline_writer *w;
	check(out && gw_timeline_writer_open_stream(out, "copy", &h, &w, &err) == 0,
	      "writer refused the header", &err);
	struct gw_tl_record rec, rec2;
	gw_tl_record_init(&rec, MAX_SOCKETS, MAX_PROCESSES);
	gw_tl_record_init(&rec2, MAX_SOCKETS, MAX_PROCESSES);
	size_t n = 0;
	while (gw_timeline_read(r, &rec, &err) == 1) {
		check(gw_timeline_write(w, &rec, &err) == 0, "writer refused a record", &err);
		n++;
	}
	gw_timeline_reader_close(r);
	check(gw_timeline_writer_close(w, &err) == 0, "writer close", &err);

	/* Second pass: the original and the copy, side by side. */
	f = open_bytes(input, size);
	FILE *back = open_bytes(copy, copy_len);
	check(f && back, "fmemopen", NULL);
	check(gw_timeline_reader_open_stream(f, "fuzz", MAX_LINE, &h, &r, &err) == 0, "reopen",
	      &err);
	check(gw_timeline_reader_open_stream(back, "copy", 0, &h2, &r2, &err) == 0,
	      "reader refused the writer's header", &err);
	check(same_header(&h, &h2), "header changed in the copy", NULL);
	for (size_t i = 0; i < n; i++) {
		check(gw_timeline_read(r, &rec, &err) == 1, "reread", &err);
		check(gw_timeline_read(r2, &rec2, &err) == 1, "reader refused the writer's record",
		      &err);
		check(same_record(&rec, &rec2), "record changed in the copy", NULL);
	}
	check(gw_timeline_read(r2, &rec2, &err) == 0, "copy longer than the original", &err);
	gw_timeline_reader_close(r);
	gw_timeline_reader_close(r2);
	gw_tl_record_fini(&rec);
	gw_tl_record_fini(&rec2);
	free(copy);
	free(input);
	return 0;
}
