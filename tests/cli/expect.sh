# Shared by the CLI shell tests (sourced): pass/fail bookkeeping in $fails and
# `expect NAME RC PATTERN -- command...`, which runs the command and checks its exit code RC and
# that its stdout+stderr contain PATTERN (empty: any output).
fails=0
pass() { echo "ok   $1"; }
fail() {
  echo "FAIL $1"
  fails=$((fails + 1))
}
expect() {
  local name=$1 rc=$2 pattern=$3
  shift 4
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" -ne "$rc" ]; then
    fail "$name: exit $got, expected $rc; output: ${out:0:600}"
  elif [ -n "$pattern" ] && ! grep -q -- "$pattern" <<<"$out"; then
    fail "$name: output lacks '$pattern': ${out:0:600}"
  else
    pass "$name"
  fi
}
