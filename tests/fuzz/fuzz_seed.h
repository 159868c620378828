/*
 * fuzz_seed.h - the dahdi fuzz targets' seeds: kept as C arrays in each target and written into
 * $FUZZ_SEED_DIR (the corpus directory `make fuzz` passes) when the fuzzer starts.
 */
#ifndef FUZZ_SEED_H
#define FUZZ_SEED_H

#include <stdio.h>
#include <stdlib.h>

/* write seed number i of target tag: $FUZZ_SEED_DIR/seed-<tag>-<i> (nothing without the variable) */
static inline void fuzz_seed_write(const char *tag, size_t i, const void *b, size_t n)
{
	const char *dir = getenv("FUZZ_SEED_DIR");
	char path[512];
	FILE *fp;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/seed-%s-%zu", dir, tag, i);
	fp = fopen(path, "wb");
	if (!fp)
		return;
	fwrite(b, 1, n, fp);
	fclose(fp);
}

#endif
