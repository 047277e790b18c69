# Sourced by ./ale, ./mvnw and ./run-tests: finds a JDK 25 and exports JAVA_HOME.
# Order: $JAVA_HOME if it is a JDK 25, then every JDK under /usr/lib/jvm.

ale_jdk_major() { # JAVA_HOME -> major version, or nothing
  local release="$1/release"
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
  local v
  v="$(ale_release_value "$release" JAVA_VERSION)"
  echo "${v%%[!0-9]*}"
}

# The value of KEY="..." in a JDK's release file, with no process started (every run of ./ale reads it).
ale_release_value() { # file key
  local k v
  while IFS='=' read -r k v; do
    if [ "$k" = "$2" ]; then v="${v#\"}"; echo "${v%\"}"; return 0; fi
  done <"$1"
}

ale_find_jdk() {
  local want=25 candidate
  if [ -n "${JAVA_HOME:-}" ] && [ "$(ale_jdk_major "$JAVA_HOME")" = "$want" ]; then
    return 0
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -d "$candidate" ] || continue
    if [ "$(ale_jdk_major "$candidate")" = "$want" ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  echo "ale: no JDK 25 found (JAVA_HOME=${JAVA_HOME:-unset}, nothing under /usr/lib/jvm)." >&2
  echo "ale: install one, e.g. Temurin 25 (apt: temurin-25-jdk from Adoptium's repository), or set JAVA_HOME." >&2
  return 3
}
