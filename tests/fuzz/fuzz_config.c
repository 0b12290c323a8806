/* libFuzzer harness for the configuration language: see src/config/fuzz.h. */
#include <stddef.h>
#include <stdint.h>

#include "config/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return cfg_fuzz_one(data, size);
}
