#include "cfg_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static time_t now_value = 1700000000;

time_t t_clock(void)
{
	return now_value;
}

void t_clock_set(time_t t)
{
	now_value = t;
}

int t_exec(struct cfg_session *s, const char *line, struct strbuf *out, struct strbuf *err)
{
	sb_reset(out);
	sb_reset(err);
	return cfg_session_exec(s, line, out, err);
}

int t_run_script(struct cfg_session *s, const char *script, struct strbuf *tr)
{
	char *copy = strdup(script);
	int failed = 0;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cfg_session_prompt(s, tr);
		sb_printf(tr, "%s\n", l);
		if (t_exec(s, l, &out, &err))
			failed++;
		sb_puts(tr, sb_str(&out));
		sb_puts(tr, sb_str(&err));
	}
	sb_free(&out);
	sb_free(&err);
	free(copy);
	return failed;
}

char *t_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct strbuf b = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append(&b, buf, n);
	fclose(f);
	if (!b.s)
		sb_puts(&b, "");
	return b.s;
}

const char *t_src_path(const char *rel, char *buf, size_t len)
{
	const char *src = getenv("MGMTSEC_SOURCE");
	snprintf(buf, len, "%s/%s", src ? src : ".", rel);
	return buf;
}

int cfg_fx_setup(void **state)
{
	struct cfg_fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->db = cfg_db_new(NULL);
	cfg_db_set_clock(f->db, t_clock);
	f->s = cfg_session_new(f->db, "tester", false);
	if (t_exec(f->s, "configure", &f->out, &f->err) != 0)
		return -1;
	*state = f;
	return 0;
}

int cfg_fx_teardown(void **state)
{
	struct cfg_fx *f = *state;
	cfg_session_free(f->s);
	cfg_db_free(f->db);
	sb_free(&f->out);
	sb_free(&f->err);
	free(f);
	return 0;
}

int cfg_fx_ex(struct cfg_fx *f, const char *line)
{
	return t_exec(f->s, line, &f->out, &f->err);
}
