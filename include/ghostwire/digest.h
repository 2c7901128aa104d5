/* digest.h — the message digest common code needs (SHA-1, for Community IDs),
 * from the platform's crypto library: OpenSSL (src/core/digest_openssl.c) or
 * the system's own where meson picks another (src/os/<os>/). */
#ifndef GHOSTWIRE_DIGEST_H
#define GHOSTWIRE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "ghostwire/err.h"

#define GW_SHA1_LEN 20

/* SHA-1 of data[0..len) into out: 0, or -1 if the library failed. */
int gw_sha1(const void *data, size_t len, uint8_t out[GW_SHA1_LEN]) GW_MUST_CHECK;

#endif
