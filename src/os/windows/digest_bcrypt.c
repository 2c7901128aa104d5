/* os/windows/digest_bcrypt.c — include/ghostwire/digest.h through the system's
 * Cryptography API: Next Generation (bcrypt.dll, Vista and later), so the
 * Windows build needs no OpenSSL. */
#include <windows.h>

#include <bcrypt.h>
#include <limits.h>
#include <stdbool.h>

#include "ghostwire/digest.h"

int gw_sha1(const void *data, size_t len, uint8_t out[GW_SHA1_LEN])
{
	if (len > ULONG_MAX)
		return -1;
	BCRYPT_ALG_HANDLE alg;
	if (!BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA1_ALGORITHM, NULL, 0)))
		return -1;
	BCRYPT_HASH_HANDLE h;
	bool ok = BCRYPT_SUCCESS(BCryptCreateHash(alg, &h, NULL, 0, NULL, 0, 0));
	if (ok) {
		ok = BCRYPT_SUCCESS(BCryptHashData(h, (PUCHAR)(uintptr_t)data, (ULONG)len, 0)) &&
		     BCRYPT_SUCCESS(BCryptFinishHash(h, out, GW_SHA1_LEN, 0));
		BCryptDestroyHash(h);
	}
	BCryptCloseAlgorithmProvider(alg, 0);
	return ok ? 0 : -1;
}
