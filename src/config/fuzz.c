/* Fuzz entry (see fuzz.h). */
#include "config/fuzz.h"
#include "config/persist.h"
#include "config/render.h"
#include "config/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run_lines(struct cfg_db *db, const char *text)
{
	struct cfg_session *s = cfg_session_new(db, "fuzz", false);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	if (!s)
		return;
	cfg_session_exec(s, "configure", &out, &err);
	char *copy = strdup(text);
	for (char *save = NULL, *l = copy ? strtok_r(copy, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		cfg_help(s, l, &out);
		cfg_complete(s, l, &out);
		cfg_session_exec(s, l, &out, &err);
		sb_reset(&out);
		sb_reset(&err);
	}
	cfg_session_exec(s, "show configuration", &out, &err);
	cfg_session_exec(s, "commit", &out, &err);
	cfg_session_exec(s, "show running-config", &out, &err);
	free(copy);
	sb_free(&out);
	sb_free(&err);
	cfg_session_free(s);
}

static struct cfg *parse_text(struct cfg_db *db, const char *text, size_t len)
{
	struct strbuf err = STRBUF_INIT;
	FILE *f = fmemopen((void *)text, len, "r");
	struct cfg *c = f ? cfg_parse_stream(db, "fuzz", f, &err) : NULL;
	if (f)
		fclose(f);
	sb_free(&err);
	return c;
}

static void round_trip(struct cfg_db *db, const struct cfg *c)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	cfg_render(c, CFG_RENDER_FILE, &a);
	struct cfg *again = a.len ? parse_text(db, sb_str(&a), a.len) : NULL;
	if (a.len && !again)
		abort(); /* the renderer produced text the parser refuses */
	if (again)
		cfg_render(again, CFG_RENDER_FILE, &b);
	if (a.len != b.len || memcmp(sb_str(&a), sb_str(&b), a.len))
		abort();
	cfg_free(again);
	sb_free(&a);
	sb_free(&b);
}

int cfg_fuzz_one(const uint8_t *data, size_t len)
{
	char *text = malloc(len + 1);
	struct cfg_db *db = cfg_db_new(NULL);
	if (!text || !db)
		goto out;
	memcpy(text, data, len);
	text[len] = '\0';
	run_lines(db, text);
	struct cfg *c = parse_text(db, text, len);
	if (c)
		round_trip(db, c);
	cfg_free(c);
out:
	cfg_db_free(db);
	free(text);
	return 0;
}
