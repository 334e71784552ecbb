#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H
/* libcrypto (OpenSSL 3, Debian libssl-dev): digests, HMAC, random bytes, constant-time compare. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#endif
