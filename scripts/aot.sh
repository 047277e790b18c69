# Sourced by ./ale: the JDK 25 AOT cache (JEP 483/514/515) that lets the CLI start in a fraction
# of the time a cold JVM takes. One cache per (jar content, JDK), built once in the background by
# scripts/aot-build and used by every later run; a cache that cannot be made never breaks a run:
# the run goes on without one and the reason is in the cache directory's build.log.
#
# ALE_AOT: auto (default: use the cache, start building it when missing), off (never use or build
# one), wait (build it now, in the foreground, when missing: benchmarks and first-run scripts).
# ALE_AOT_DIR: where caches live (default: $XDG_CACHE_HOME/ale/aot, else ~/.cache/ale/aot).

# Flags every JVM of the launcher gets: an AOT cache is only used by a JVM started with the
# options it was trained with, so the training runs take these too.
ALE_JAVA_OPTS=(--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC)

ale_aot_base() {
  echo "${ALE_AOT_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/ale/aot}"
}

# The cache key of a jar: the first 16 hex digits of its SHA-256 and the JDK's version. Hashing the
# 26 MB jar costs ~60 ms, so the hash is remembered next to the file's identity (device, inode,
# size, mtime) and recomputed only when that changes.
ale_aot_key() { # jar -> key on stdout
  local jar="$1" base stamp id line hash jdk
  base="$(ale_aot_base)"
  stamp="$base/jar-hash"
  id="$(stat -L -c '%d:%i:%s:%Y' "$jar")" || return 1
  hash=""
  if [ -f "$stamp" ]; then
    read -r line <"$stamp" || true
    [ "${line% *}" = "$id" ] && hash="${line##* }"
  fi
  if [ -z "$hash" ]; then
    hash="$(sha256sum "$jar" | cut -c1-16)" || return 1
    printf '%s %s\n' "$id" "$hash" >"$stamp.$$" && mv -f "$stamp.$$" "$stamp"
  fi
  jdk="$(ale_release_value "$JAVA_HOME/release" JAVA_RUNTIME_VERSION)"
  jdk="${jdk//[^A-Za-z0-9.]/_}"
  echo "$hash-${jdk:-jdk}"
}

# Sets ALE_AOT_FLAGS to the JVM flags that use the jar's cache, or to nothing (no cache yet, or
# ALE_AOT=off). Starts the background build when the cache is missing and has not failed before.
ale_aot_flags() { # jar
  local jar="$1" base key dir
  ALE_AOT_FLAGS=()
  case "${ALE_AOT:-auto}" in
    off|0|no|false) return 0 ;;
    auto|wait) ;;
    *) echo "ale: ALE_AOT=${ALE_AOT} is not one of auto, off, wait; running without the AOT cache" >&2; return 0 ;;
  esac
  base="$(ale_aot_base)"
  [ -d "$base" ] || mkdir -p "$base" 2>/dev/null || return 0
  key="$(ale_aot_key "$jar" 2>/dev/null)" || return 0
  dir="$base/$key"
  if [ ! -f "$dir/ale.aot" ] && [ ! -f "$dir/failed" ]; then
    mkdir -p "$dir" 2>/dev/null || return 0
    if [ "${ALE_AOT:-auto}" = wait ]; then
      echo "ale: building the AOT cache (once per build of ALE; log: $dir/build.log) ..." >&2
      "$root/scripts/aot-build" "$jar" "$dir" </dev/null >>"$dir/build.log" 2>&1 || true
    else
      # detached: the user's command does not wait for it, and a Ctrl-C of it does not stop the build
      (setsid "$root/scripts/aot-build" "$jar" "$dir" </dev/null >>"$dir/build.log" 2>&1 &)
    fi
  fi
  # A cache the JVM cannot map (another JDK build, a changed jar) is ignored by it (AOTMode=auto);
  # its complaints are silenced because the key above already says when a cache fits.
  [ -f "$dir/ale.aot" ] || return 0
  ALE_AOT_FLAGS=(-XX:AOTCache="$dir/ale.aot" -Xlog:aot=off,cds=off)
  # marks the cache as in use (a redirection, no fork): scripts/aot-build keeps caches used lately,
  # so two checkouts of different builds sharing this directory do not delete each other's
  : 2>/dev/null >"$dir/used" || true
  [ -f "$dir/native/libsqlitejdbc.so" ] &&
    ALE_AOT_FLAGS+=(-Dorg.sqlite.lib.path="$dir/native" -Dorg.sqlite.lib.name=libsqlitejdbc.so)
  return 0
}
