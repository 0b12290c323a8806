/* libFuzzer entry for the configuration language (tests/fuzz/fuzz_config.c calls it). */
#ifndef MGMTSEC_CONFIG_FUZZ_H
#define MGMTSEC_CONFIG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Runs data as command lines through a session (help and completion on every line too), then
 * parses it as a configuration file; when that succeeds, checks the round trip
 * render -> parse -> render and aborts on any difference. Returns 0.
 */
int cfg_fuzz_one(const uint8_t *data, size_t len);

#endif
