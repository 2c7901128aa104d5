/* names/text.c — how a name read off the wire becomes text: the one place that
 * decides case, escaping and the length bound, so that DNS, SNI and HTTP names
 * of the same host compare equal. */
#include "names_internal.h"

void gw__name_text_init(struct gw__name_text *t, char *out, size_t size)
{
	t->out = size ? out : NULL;
	t->cap = size == 0 ? 0 : size - 1;
	if (t->cap > GW_NAME_MAX)
		t->cap = GW_NAME_MAX;
	t->len = 0;
	t->overflow = size == 0;
}

static void put(struct gw__name_text *t, char ch)
{
	if (t->len >= t->cap) {
		t->overflow = true;
		return;
	}
	t->out[t->len++] = ch;
}

void gw__name_text_byte(struct gw__name_text *t, uint8_t b, bool escape_dot)
{
	if (b >= 'A' && b <= 'Z') {
		put(t, (char)(b - 'A' + 'a'));
	} else if (b > 0x20 && b < 0x7f && b != '\\' && !(escape_dot && b == '.')) {
		put(t, (char)b);
	} else {
		put(t, '\\');
		put(t, (char)('0' + b / 100));
		put(t, (char)('0' + b / 10 % 10));
		put(t, (char)('0' + b % 10));
	}
}

bool gw__name_text_finish(struct gw__name_text *t)
{
	/* A dot written as text is always a separator (a dot inside a label is
	 * \046): trailing ones are stripped, so "a.." is "a" and ".." nothing. */
	while (t->len > 0 && t->out[t->len - 1] == '.')
		t->len--;
	bool whole = !t->overflow && t->len > 0;
	if (t->out)
		t->out[whole ? t->len : 0] = '\0';
	return whole;
}
