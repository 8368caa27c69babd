/* A model's narrative as plain text.
 *
 * The system prompt asks for plain text, but a model may answer in
 * Markdown anyway, which reports, `horizon explain` and `jobs show` would
 * show as raw "**" and "#".  hz_plain_text removes the Markdown a chat
 * model writes, in place, and never adds anything (the result is escaped
 * like any text where it is shown: the narrative is untrusted); blank
 * lines left are at most one in a row:
 *
 * - per line: a heading's "#" marks ("## Summary" -> "Summary"), a quote's
 *   ">" (followed by a space: ">5%" and ">= 3" are comparisons), a bullet's "*" or "+" (-> "- ", the plain-text bullet), a
 *   thematic break ("---", "***") and a table's separator row ("|---|")
 *   go, and so do a table row's outer bars ("| a | b |" -> "a | b");
 * - inline: strong and emphasis delimiters ("**text**", "__text__",
 *   "*text*") and code spans ("`text`") lose their marks, the text kept;
 *   a link "[text](url)" becomes "text (url)"; an escaped character
 *   ("\*", "\_") is itself, its backslash gone.
 *
 * Delimiters count only in pairs on one line around text that does not
 * start or end with a space, and a single "*" only when no letter or digit
 * is outside it, so that "A*B*C", "2 * 3 * 4", "sales_total_usd" and a
 * lone "*" stay as they are.  Returns s. */
#ifndef HZ_LLM_PLAIN_TEXT_H
#define HZ_LLM_PLAIN_TEXT_H

char *hz_plain_text(char *s);

#endif
