#!/bin/sh
# A POSIX shell client of the exec-track sidecar (docs/clients.md): source it, then
#   et_start "name" [session]; et_line stdout "text"; et_metric loss 0.25 [step]; et_finish ok|"failed reason"
# Example: sh examples/exec-track.sh demo   (tracks a tiny loop as an execution)
# Needs exec-track on PATH or EXEC_TRACK_BIN.

# JSON string of $1 (backslash, quote and control characters escaped).
et_json() {
  printf '%s' "$1" | awk 'BEGIN { ORS = "" } { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "\\r"); if (NR > 1) print "\\n"; print }' | sed 's/^/"/; s/$/"/'
}

# Starts the sidecar on a FIFO kept open on fd 9. $1 name, $2 session (optional).
et_start() {
  ET_DIR=$(mktemp -d) && mkfifo "$ET_DIR/events" || return 1
  ${EXEC_TRACK_BIN:-exec-track} record --quiet < "$ET_DIR/events" > "$ET_DIR/replies" &
  ET_PID=$!
  exec 9> "$ET_DIR/events"
  printf '{"type":"start","protocol":1,"name":%s,"session":%s,"command":["sh","%s"]}\n' \
    "$(et_json "$1")" "$( [ -n "$2" ] && et_json "$2" || echo null)" "$0" >&9
}

# One line of output: $1 stdout|stderr, $2 the text.
et_line() { printf '{"type":"line","stream":"%s","text":%s}\n' "$1" "$(et_json "$2")" >&9; }

# One metric point: $1 key, $2 value, $3 step (optional).
et_metric() {
  printf '{"type":"metrics","values":{%s:%s}%s}\n' "$(et_json "$1")" "$2" "${3:+,\"step\":$3}" >&9
}

# Ends the execution: "ok", or anything else as the failure reason. Waits for the sidecar.
et_finish() {
  if [ "$1" = ok ]; then echo '{"type":"finish","ok":true}' >&9
  else printf '{"type":"finish","ok":false,"reason":%s}\n' "$(et_json "$1")" >&9; fi
  exec 9>&-
  wait "$ET_PID"
  cat "$ET_DIR/replies"
  rm -rf "$ET_DIR"
}

if [ "${1:-}" = demo ]; then
  et_start "shell demo"
  for step in 1 2 3; do
    et_line stdout "step $step"
    et_metric loss "0.$((10 - step))" "$step"
  done
  et_line stderr 'a "quoted" warning'
  et_finish ok
fi
