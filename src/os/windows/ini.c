/* os/windows/ini.c — ini_parse(), the one function of libinih that ghostwire
 * calls (src/cli/config.c), for the Windows build: Debian ships no mingw build
 * of libinih and its source is not in the archive mirror the build fetches
 * from. Follows libinih 55's defaults: "[section]", "name = value" or
 * "name: value", whole-line comments after ';' or '#', inline comments after
 * " ;", a UTF-8 BOM, indented continuation lines, and a line longer than
 * INI_MAX_LINE being an error. Returns 0, -1 (cannot open), -2 (no memory), or
 * the number of the first line in error (parsing goes on after it). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

#define LINE_MAX_BYTES 200 /* libinih's INI_MAX_LINE */
#define NAME_MAX_BYTES 50  /* libinih's MAX_SECTION / MAX_NAME */

static char *trim(char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Ends s at its first ';' that starts the text or follows white space. */
static void cut_inline_comment(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == ';' && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
}

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, NAME_MAX_BYTES, "%s", src);
}

int ini_parse_file(FILE *f, ini_handler handler, void *user)
{
	char line[LINE_MAX_BYTES + 2];
	char section[NAME_MAX_BYTES] = "", prev_name[NAME_MAX_BYTES] = "";
	int lineno = 0, error = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t len = strlen(line);
		bool too_long = len == sizeof line - 1 && line[len - 1] != '\n';
		if (too_long) { /* skip the rest of it */
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		char *start = line;
		if (lineno == 1 && (unsigned char)start[0] == 0xEF &&
		    (unsigned char)start[1] == 0xBB && (unsigned char)start[2] == 0xBF)
			start += 3;
		bool indented = *start && isspace((unsigned char)*start);
		start = trim(start);
		bool ok = !too_long;
		if (!ok || *start == ';' || *start == '#') {
			/* a comment, or the line in error */
		} else if (indented && *prev_name && *start) {
			cut_inline_comment(start);
			ok = handler(user, section, prev_name, trim(start)) != 0;
		} else if (*start == '[') {
			char *end = strchr(start + 1, ']');
			ok = end != NULL;
			if (ok) {
				*end = '\0';
				copy_name(section, start + 1);
				prev_name[0] = '\0';
			}
		} else if (*start) {
			cut_inline_comment(start);
			char *sep = start + strcspn(start, "=:");
			ok = *sep != '\0';
			if (ok) {
				*sep = '\0';
				char *value = sep + 1;
				copy_name(prev_name, trim(start));
				ok = handler(user, section, prev_name, trim(value)) != 0;
			}
		}
		if (!ok && !error)
			error = lineno;
	}
	return error;
}

int ini_parse(const char *filename, ini_handler handler, void *user)
{
	FILE *f = fopen(filename, "rb");
	if (!f)
		return -1;
	int r = ini_parse_file(f, handler, user);
	fclose(f);
	return r;
}
