/* json_line.h — one JSON value written as one line with a single write, for
 * the JSON-lines outputs (and whole JSON files saved atomically): jansson's json_dumpf calls fwrite once per token,
 * which was a fifth of a replay's time. */
#ifndef GHOSTWIRE_JSON_LINE_H
#define GHOSTWIRE_JSON_LINE_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Writes o (dumped with jansson's flags) and '\n' to out. 0, or -1 if o cannot
 * be dumped, memory runs out or the write fails (nothing partial is written
 * by this call then, unless the stream itself fails midway). */
int gw_json_write_line(FILE *out, const json_t *o, size_t flags);

/* Writes o as an indented JSON document to path.tmp, then renames that over
 * path: a crash leaves the old file or the new one, never half of one. 0, or
 * GW_EIO (GW_EINVAL for a path too long) with the path and the reason. */
struct gw_err;
int gw_json_save_file(const json_t *o, const char *path, struct gw_err *err);

/* Reads path as one JSON document whose "format" is format and "version"
 * version. NULL with GW_ENOENT (no file), GW_EIO, or GW_EFORMAT (not JSON:
 * the line; another format or version: which) in err, naming the path. */
json_t *gw_json_load_file(const char *path, const char *format, int version, struct gw_err *err);

/* A time as RFC 3339 UTC with microseconds (gw_clock_format_us), and back
 * from o's member key: 0, or -1 if it is missing or not such a time. */
json_t *gw_json_time(int64_t us);
int gw_json_get_time(const json_t *o, const char *key, int64_t *out);

#endif
