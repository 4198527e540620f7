#!/usr/bin/env bash
# Drives the real nanoatoms shell in a pseudo-terminal (tmux): types statements, completes a
# command and a variable with Tab, recalls a line with Up, sees an error and goes on,
# abandons a line with Ctrl-C, completes an option's value, opens a bare path, leaves with
# Ctrl-D, finds its history (a multi-line entry whole) in the next session, leaves with quit.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -u
exe=${1:-.build/release/nanoatoms}
exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")
work=$(mktemp -d)
export XDG_STATE_HOME="$work/state"
socket="$work/tmux.sock"
passed=0; failed=0
t() { tmux -S "$socket" "$@"; }
screen() { t capture-pane -t s -p; }
expect() {  # expect NAME PATTERN: wait up to 10 s for PATTERN on the screen
    local name=$1 pattern=$2
    for _ in $(seq 1 100); do
        if screen | grep -qE -- "$pattern"; then echo "ok: $name"; passed=$((passed + 1)); return; fi
        sleep 0.1
    done
    echo "FAILED: $name (no '$pattern' on the screen)"; screen | sed 's/^/    | /'; failed=$((failed + 1))
}
start() { t new-session -d -s s -x 160 -y 50 "cd $work && $exe"; expect "$1" '^nano>'; }

start "the shell starts with a prompt"
t send-keys -t s 'set element Pt' Enter
t send-keys -t s 'particle = simulate natoms=13 seed=4' Enter
expect "a statement runs" 'nano> particle = simulate natoms=13 seed=4'
t send-keys -t s 'print parti' Tab
expect "Tab completes a variable" 'nano> print particle'
t send-keys -t s C-u
t send-keys -t s 'print particle.tru' Tab
expect "Tab completes a member" 'nano> print particle.truth'
t send-keys -t s C-u
t send-keys -t s 'expla' Tab
expect "Tab completes a command" 'nano> explain$'
t send-keys -t s 'recover' Enter
expect "explain teaches" 'recover: add weak atoms'
t send-keys -t s 'x = particle.truth.count' Enter
t send-keys -t s 'x' Enter
expect "a bare expression prints its value" '^13$'
t send-keys -t s 'y = partikle' Enter
expect "an error is shown with a suggestion" "unknown variable 'partikle' \(did you mean 'particle'\?\)"
t send-keys -t s 'z = [1,' Enter
expect "an open bracket asks for more" '^  \.\.\.'
t send-keys -t s '2]' Enter
t send-keys -t s 'print z.count x' Enter
expect "the shell went on after the error" '^2 13$'
# Ctrl-C during a long statement stops it and changes nothing (x keeps 13, i never exists).
t send-keys -t s 'for i in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30] { x = build (simulate natoms=561 snr=5 seed=i) }' Enter
sleep 1.5
t send-keys -t s C-c
expect "Ctrl-C interrupts a long statement" 'error: interrupted: the statement was stopped and changed nothing'
t send-keys -t s 'print x' Enter
expect "an interrupted statement changes no variable" '^13$'
t send-keys -t s 'print i' Enter
expect "a loop stopped by Ctrl-C binds nothing" "unknown variable 'i'"
t send-keys -t s 'this line is abandoned' C-c
expect "Ctrl-C abandons the line" '\^C'
t send-keys -t s Up Up
expect "Up recalls an earlier line" 'nano> x = particle.truth.count|nano> print z.count x'
t send-keys -t s C-u
t send-keys -t s 'plot particle kind=bi' Tab
expect "Tab completes an option's value from its allowed set" 'nano> plot particle kind=bins'
t send-keys -t s C-u
t send-keys -t s "save particle $work/p.mrc" Enter
t send-keys -t s "m = open $work/p.mrc" Enter
t send-keys -t s 'print m.nx' Enter
expect "a bare path needs no quotes, and open is load" '^[0-9]+$'
t send-keys -t s 'w = [1,' Enter
t send-keys -t s '2, 3]' Enter
t send-keys -t s C-d
for _ in $(seq 1 50); do t has-session -t s 2>/dev/null || break; sleep 0.1; done
if t has-session -t s 2>/dev/null; then echo "FAILED: Ctrl-D leaves"; failed=$((failed + 1)); else echo "ok: Ctrl-D leaves"; passed=$((passed + 1)); fi

if grep -q 'particle = simulate natoms=13 seed=4' "$XDG_STATE_HOME/nanoatoms/history" 2>/dev/null; then
    echo "ok: history is saved in the state folder"; passed=$((passed + 1))
else
    echo "FAILED: history is saved in the state folder"; failed=$((failed + 1))
fi
start "a second session starts"
t send-keys -t s Up
expect "history is there in the next session" 'nano> w = \[1,$'
expect "a multi-line entry comes back whole from the history" '^2, 3\]$'
t send-keys -t s Enter
t send-keys -t s 'print w.count' Enter
expect "the recalled multi-line entry runs as it was typed" '^3$'
t send-keys -t s 'quit' Enter
for _ in $(seq 1 50); do t has-session -t s 2>/dev/null || break; sleep 0.1; done
if t has-session -t s 2>/dev/null; then echo "FAILED: quit leaves"; failed=$((failed + 1)); else echo "ok: quit leaves"; passed=$((passed + 1)); fi
sleep 0.3
t kill-server 2>/dev/null
rm -rf "$work"
echo "shell: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
