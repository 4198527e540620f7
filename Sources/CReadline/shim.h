// GNU readline for the nanoatoms shell. Swift 6's strict concurrency refuses direct use of
// readline's mutable globals, so these small setters and getters reach them from C.
#include <stdio.h>
#include <stdlib.h>
#include <readline/readline.h>
#include <readline/history.h>

static inline void nanoatoms_rl_set_completer(rl_completion_func_t *f) { rl_attempted_completion_function = f; }
static inline void nanoatoms_rl_set_append_character(int c) { rl_completion_append_character = c; }
static inline void nanoatoms_rl_set_completion_over(int over) { rl_attempted_completion_over = over; }
static inline void nanoatoms_rl_set_name(const char *name) { rl_readline_name = name; }
static inline const char *nanoatoms_rl_line_buffer(void) { return rl_line_buffer; }
static inline void nanoatoms_rl_set_catch_signals(int on) { rl_catch_signals = on; }
static inline void nanoatoms_rl_set_word_breaks(const char *chars) { rl_completer_word_break_characters = (char *)chars; }
static inline void nanoatoms_rl_set_quote_characters(const char *chars) { rl_completer_quote_characters = chars; }
static inline void nanoatoms_rl_set_filename_quoting_desired(int on) { rl_filename_quoting_desired = on; }
// Multi-line entries kept whole in the history file: each entry is written after a
// "#<time>" line, and the lines up to the next such line are read back as one entry.
static inline void nanoatoms_history_keep_multiline_entries(void) {
    history_comment_char = '#';
    history_write_timestamps = 1;
    history_multiline_entries = 1;
}
// Abandon the line being edited (Ctrl-C): a fresh, empty prompt on a new line.
static inline void nanoatoms_rl_abandon_line(void) {
    fputs("^C\n", stdout);
    rl_on_new_line();
    rl_replace_line("", 0);
    rl_redisplay();
}
