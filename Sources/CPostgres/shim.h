#ifndef CPOSTGRES_SHIM_H
#define CPOSTGRES_SHIM_H
#include <libpq-fe.h>

/* The PG_DIAG_* field codes are character-literal macros Swift cannot import. */
static inline int CPostgres_DIAG_SQLSTATE(void) { return PG_DIAG_SQLSTATE; }
static inline int CPostgres_DIAG_CONSTRAINT_NAME(void) { return PG_DIAG_CONSTRAINT_NAME; }
#endif
