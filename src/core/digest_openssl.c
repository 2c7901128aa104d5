/* core/digest_openssl.c — include/ghostwire/digest.h through OpenSSL's EVP
 * interface (libcrypto), on every platform but those with their own. */
#include <openssl/evp.h>

#include "ghostwire/digest.h"

int gw_sha1(const void *data, size_t len, uint8_t out[GW_SHA1_LEN])
{
	unsigned dlen = 0;
	uint8_t md[EVP_MAX_MD_SIZE];
	if (!EVP_Digest(data, len, md, &dlen, EVP_sha1(), NULL) || dlen != GW_SHA1_LEN)
		return -1;
	for (size_t i = 0; i < GW_SHA1_LEN; i++)
		out[i] = md[i];
	return 0;
}
