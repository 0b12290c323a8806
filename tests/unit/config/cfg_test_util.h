/* Helpers shared by the config unit tests. */
#ifndef CFG_TEST_UTIL_H
#define CFG_TEST_UTIL_H

#include <stdbool.h>
#include <time.h>

#include "config/session.h"
#include "util/strbuf.h"

/* Fixed clock for deterministic history and headers (2023-11-14 22:13:20 UTC). */
time_t t_clock(void);
void t_clock_set(time_t t);

/* Runs every line of script through s, transcript style: "PROMPT" LINE, then out, then err.
 * Returns the number of lines that failed. */
int t_run_script(struct cfg_session *s, const char *script, struct strbuf *transcript);
/* Runs one line; returns its rc; out/err reset first. */
int t_exec(struct cfg_session *s, const char *line, struct strbuf *out, struct strbuf *err);
/* Reads a file into a malloc'd string (NULL on error). */
char *t_read_file(const char *path);
/* "$MGMTSEC_SOURCE/rel" */
const char *t_src_path(const char *rel, char *buf, size_t len);

/* A fixture for cmocka: an empty database with the fixed clock and one session in
 * configuration mode. A test's own fixture may start with a struct cfg_fx and a setup of its
 * own, and still use cfg_fx_teardown. */
struct cfg_fx {
	struct cfg_db *db;
	struct cfg_session *s;
	struct strbuf out, err;
};
int cfg_fx_setup(void **state);
int cfg_fx_teardown(void **state);
/* t_exec of one line in the fixture's session. */
int cfg_fx_ex(struct cfg_fx *f, const char *line);

#endif
