/* test_cursor.c — the bounded cursor: every load fails at the end and leaves
 * the cursor where it was. */
#include <criterion/criterion.h>

#include "ghostwire/cursor.h"

Test(cursor, loads_stop_at_the_end)
{
	const uint8_t b[] = {1, 2, 3};
	struct gw_cursor c = gw_cursor_make(b, sizeof b);
	uint16_t v16;
	uint32_t v32;
	uint8_t v8;
	cr_expect_not(gw_cursor_be32(&c, &v32));
	cr_expect_eq(gw_cursor_left(&c), 3);
	cr_assert(gw_cursor_be16(&c, &v16));
	cr_expect_eq(v16, 0x0102);
	cr_expect_not(gw_cursor_be16(&c, &v16));
	cr_expect_not(gw_cursor_le16(&c, &v16));
	cr_assert(gw_cursor_u8(&c, &v8));
	cr_expect_eq(v8, 3);
	cr_expect_not(gw_cursor_u8(&c, &v8));
	cr_expect_not(gw_cursor_skip(&c, 1));
	cr_expect(gw_cursor_skip(&c, 0));
}

Test(cursor, endianness)
{
	const uint8_t b[] = {1, 2, 3, 4};
	struct gw_cursor c = gw_cursor_make(b, sizeof b);
	uint32_t v;
	cr_assert(gw_cursor_le32(&c, &v));
	cr_expect_eq(v, 0x04030201);
	c = gw_cursor_make(b, sizeof b);
	cr_assert(gw_cursor_be32(&c, &v));
	cr_expect_eq(v, 0x01020304);
}

Test(cursor, sub_cursor_and_bytes)
{
	const uint8_t b[] = {1, 2, 3, 4, 5};
	struct gw_cursor c = gw_cursor_make(b, sizeof b), sub;
	cr_expect_not(gw_cursor_sub(&c, 6, &sub));
	cr_assert(gw_cursor_sub(&c, 2, &sub));
	cr_expect_eq(gw_cursor_left(&sub), 2);
	cr_expect_eq(gw_cursor_left(&c), 3);
	uint8_t out[4];
	cr_expect_not(gw_cursor_bytes(&c, out, 4));
	cr_assert(gw_cursor_bytes(&c, out, 3));
	cr_expect_eq(out[2], 5);
}
