/* What sending a raw dataset to an LLM would cost: the exact token count of
 * a whole file (tiktoken BPE), for comparison with the narrative prompts
 * (bench/llm_tokens.sh).
 *
 *   bench_llm_tokens FILE RANKS.tiktoken [ENCODING] [PROMPT_TOKENS]
 *
 * The file is tokenised in ~1 MB pieces cut after a newline (the split
 * patterns never join text across a line start, so the count equals the
 * count of the whole text).  Prints bytes, tokens, the conservative
 * estimate, throughput and, given PROMPT_TOKENS, the ratio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/common.h"
#include "llm/tokenizer.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_llm_tokens FILE RANKS.tiktoken "
                        "[ENCODING] [PROMPT_TOKENS]\n");
        return 2;
    }
    const char *enc = argc > 3 ? argv[3] : "cl100k_base";
    hz_tokenizer *t = NULL;
    hz_error err;
    double t0 = hz_now();
    if (hz_tokenizer_load(enc, argv[2], &t, &err) != HZ_OK) {
        fprintf(stderr, "bench_llm_tokens: %s\n", err.msg);
        return 3;
    }
    double load_s = hz_now() - t0;
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        fprintf(stderr, "bench_llm_tokens: cannot open %s\n", argv[1]);
        return 3;
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap + 65536);
    size_t bytes = 0, tokens = 0, est = 0;
    t0 = hz_now();
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len == 0)
            break;
        size_t cut = len;
        if (got > 0 && len == cap) {
            while (cut > 0 && buf[cut - 1] != '\n')
                cut--;
            if (cut == 0)
                cut = len;
        }
        tokens += hz_tokenizer_count(t, buf, cut);
        est += hz_token_estimate(buf, cut);
        bytes += cut;
        memmove(buf, buf + cut, len - cut);
        len -= cut;
        if (got == 0 && len == 0)
            break;
    }
    double s = hz_now() - t0;
    fclose(f);
    printf("file: %s\n", argv[1]);
    printf("bytes: %zu\n", bytes);
    printf("tokens (%s, exact): %zu\n", enc, tokens);
    printf("tokens (estimate): %zu\n", est);
    printf("tokenizer: %.2f s to load ranks, %.2f s to count (%.1f MB/s)\n",
           load_s, s, (double)bytes / 1e6 / s);
    if (argc > 4) {
        double p = atof(argv[4]);
        if (p > 0)
            printf("raw dataset / prompt: %.0f / %.0f = %.0fx fewer tokens "
                   "in the prompt\n",
                   (double)tokens, p, (double)tokens / p);
    }
    free(buf);
    hz_tokenizer_free(t);
    return 0;
}
