/* Token counting for LLM prompts: exact tiktoken BPE, or a documented
 * conservative estimate.
 *
 * Exact mode loads a standard .tiktoken rank file (one "BASE64 RANK" line
 * per token) for cl100k_base or o200k_base, splits text with the encoding's
 * pre-tokenisation pattern (PCRE2, UTF + UCP) and applies byte-pair merges
 * exactly as OpenAI's tiktoken does.  Special tokens are never recognised:
 * text is encoded as ordinary text (encode_ordinary).
 *
 * Estimate mode (no rank file configured), per text:
 *     ceil(A / 3) + sum over digit runs of ceil(run / 3) + P + U
 * where A counts ASCII letters and spaces before a letter, P other ASCII
 * bytes (punctuation, control, other spaces), U bytes >= 0x80.  English words average ~4-5 bytes a
 * token with their leading space, digit runs are split into groups of at
 * most 3, and a punctuation byte or a UTF-8 byte is never less than a
 * token's share, so the estimate over-counts prose, numbers and JSON
 * (roughly 1.2-2x); the test suite checks that it never under-counts the
 * prompt corpus.  Strings of one-letter words ("a b c") are outside its
 * scope.
 *
 * A loaded tokenizer is read-only and may be shared between threads. */
#ifndef HZ_TOKENIZER_H
#define HZ_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"

typedef struct hz_tokenizer hz_tokenizer;

/* Load the ranks of encoding `name` ("cl100k_base" or "o200k_base", which
 * selects the split pattern) from rank_path.  Fails with HZ_EIO when the
 * file cannot be read, HZ_EPARSE naming the line when it is malformed,
 * HZ_EINVAL for an unknown encoding name. */
hz_status hz_tokenizer_load(const char *name, const char *rank_path,
                            hz_tokenizer **out, hz_error *err);

/* From the environment: HZ_TIKTOKEN_FILE (path of the .tiktoken file) and
 * HZ_TIKTOKEN_ENCODING (default: derived from the file name, else
 * cl100k_base).  *out is NULL (estimate mode) when HZ_TIKTOKEN_FILE is
 * unset; an error when it is set but unusable. */
hz_status hz_tokenizer_from_env(hz_tokenizer **out, hz_error *err);

void hz_tokenizer_free(hz_tokenizer *t); /* NULL allowed */

/* Encoding name, or "estimate" for t == NULL. */
const char *hz_tokenizer_name(const hz_tokenizer *t);

/* Number of tokens of text[0..len).  t == NULL: the conservative
 * estimate.  Invalid UTF-8 with an exact tokenizer also falls back to the
 * estimate . */
size_t hz_tokenizer_count(const hz_tokenizer *t, const char *text, size_t len);

/* Token ids of text (exact mode only).  *ids is malloc'ed (free() it).
 * HZ_EINVAL when t is NULL or the text is not valid UTF-8. */
hz_status hz_tokenizer_encode(const hz_tokenizer *t, const char *text,
                              size_t len, uint32_t **ids, size_t *n,
                              hz_error *err);

/* The documented estimate above. */
size_t hz_token_estimate(const char *text, size_t len);

#endif
