/* Output that is whole or absent, and text that is valid UTF-8.
 *
 * hz_outfile_open() gives a FILE to write to.  A regular file is written
 * to a temporary file in the same directory, then hz_outfile_commit()
 * checks every write (the stream's error flag, fflush, fsync, fclose) and
 * renames it over the target: the target is either the complete new
 * output or, on any failure, untouched (and the temporary file removed).
 * Standard output ("-" or NULL) and special files (/dev/full, a pipe)
 * are written directly and checked the same way: a full disk or a closed
 * pipe is an error (EPIPE needs SIGPIPE ignored, as the horizon command
 * does). */
#ifndef HORIZON_OUTFILE_H
#define HORIZON_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_outfile hz_outfile;

/* Open path (NULL or "-": standard output).  HZ_EIO with a message
 * naming the directory when no temporary file can be made there. */
HZ_API hz_status hz_outfile_open(const char *path, hz_outfile **out,
                                 hz_error *err);
/* The stream to write to. */
HZ_API FILE *hz_outfile_stream(hz_outfile *o);
/* "standard output" or the path, for messages. */
HZ_API const char *hz_outfile_name(const hz_outfile *o);
/* Finish: check, flush, sync and rename into place; o is freed.  On
 * failure nothing new is left at the path (an old file stays as it was)
 * and err says why ("could not write out.csv: No space left on device"). */
HZ_API hz_status hz_outfile_commit(hz_outfile *o, hz_error *err);
/* Give up: the temporary file is removed; o is freed (NULL allowed). */
HZ_API void hz_outfile_abort(hz_outfile *o);

/* True when s[0..n) is valid UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF). */
HZ_API bool hz_utf8_valid(const char *s, size_t n);
/* A malloc'd copy of the NUL-terminated s with every byte that does not
 * start a valid UTF-8 sequence replaced by U+FFFD; *nbad (may be NULL)
 * is increased by the number replaced.  NULL on ENOMEM. */
HZ_API char *hz_utf8_sanitize(const char *s, size_t *nbad);
/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when the
 * byte at s does not start one. */
HZ_API size_t hz_utf8_seq(const unsigned char *s, size_t n);
/* The length of s cut to at most max bytes without splitting a UTF-8
 * character: strlen(s) when that fits, else max moved back to the start
 * of the character it falls in (a cut never leaves half a character, so
 * a title, a name or a message cut to a size stays valid UTF-8). */
HZ_API size_t hz_utf8_cut(const char *s, size_t max);
/* The code point of the character at s (at most n bytes) when a reader
 * must see it by its number ("[U+202E]") rather than have it act: a bidi
 * embedding, override or isolate (U+202A..U+202E, U+2066..U+2069: a
 * name's right-to-left override reversed what followed it, "total 1.68K"
 * read "K86.1 latot") or a C1 control (U+0080..U+009F: U+009B starts a
 * terminal's escape sequence); 0 for any other.  Every place text meets
 * a reader (an HTML report, a terminal, a log, an LLM prompt) shows
 * these so. */
HZ_API unsigned hz_utf8_hidden(const char *s, size_t n);
/* s into out (n bytes, always terminated, cut only between characters)
 * as a reader may see it: the characters of hz_utf8_hidden as "[U+XXXX]",
 * control characters but tab (and newline when newline is true) in caret
 * notation (a newline "^J", ESC "^[", DEL "^?"), and a byte that is not
 * valid UTF-8 as U+FFFD.  Holds all of s when n >= 4 * strlen(s) + 1.
 * Returns out. */
HZ_API const char *hz_text_visible(const char *s, char *out, size_t n,
                                   bool newline);

#ifdef __cplusplus
}
#endif
#endif
