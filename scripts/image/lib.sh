# Shared helpers of the image scripts: progress lines with timings, idempotent apt installs.
# Sourced, not run. <IMAGE_T0> is the start of the whole run.
IMAGE_T0=${IMAGE_T0:-$(date +%s.%N)}
STAGE_NAME=''
STAGE_T0=''

elapsed () { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# stage <name>: closes the previous stage (prints its time) and opens the next one.
stage () {
  stage_end
  STAGE_NAME="$1"; STAGE_T0=$(date +%s.%N)
  echo "==> [$(elapsed "$IMAGE_T0")s] $STAGE_NAME"
}
stage_end () {
  [ -n "$STAGE_NAME" ] && echo "    done: $STAGE_NAME in $(elapsed "$STAGE_T0")s"
  STAGE_NAME=''
}
note () { echo "    $*"; }
die () { echo "image: $*" >&2; exit 1; }

# need_debs <pkg>...: installs the missing ones (apt-get update once, only when needed).
need_debs () {
  local missing=''
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && return 0
  note "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# register_qemu_aarch64: mounts binfmt_misc and registers qemu-aarch64-static with the F
# flag (the kernel opens the interpreter now, so it also works inside a chroot).
register_qemu_aarch64 () {
  local bm=/proc/sys/fs/binfmt_misc
  [ -e "$bm/register" ] || mount -t binfmt_misc binfmt_misc "$bm"
  [ -e "$bm/qemu-aarch64" ] && return 0
  local magic='\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
  local mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  echo ":qemu-aarch64:M::$magic:$mask:/usr/bin/qemu-aarch64-static:OCF" > "$bm/register"
}
