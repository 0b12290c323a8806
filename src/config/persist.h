/*
 * Parsing a whole configuration text (file form) into a model, without touching the db's
 * running configuration. Used by cfg_db_load() and the fuzzer.
 */
#ifndef MGMTSEC_CONFIG_PERSIST_H
#define MGMTSEC_CONFIG_PERSIST_H

#include <stdio.h>

#include "config/session.h"

/* Returns the validated configuration (caller frees), or NULL with "NAME:LINE: ..." errors. */
struct cfg *cfg_parse_stream(struct cfg_db *db, const char *name, FILE *f, struct strbuf *errors);

#endif
