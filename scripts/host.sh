# Sourced by ./ale and ./run-tests: makes sure the host tools ALE uses are installed.
# As root it installs the missing Debian packages; otherwise it says which to install.

# gcc builds the sandboxes' resident init (ale-sandbox/src/main/c); without it every call takes the per-call path.
ALE_TOOLS="bwrap:bubblewrap ip:iproute2 nft:nftables setpriv:util-linux nsenter:util-linux mount:mount tar:tar sysctl:procps gcc:gcc"
# What the tests run inside sandboxes: ROME's acts (python reverse shell, curl to metadata,
# ssh tunnels) and benign work (a C build, git, a python HTTP server); and headless chromium,
# which loads `ale report`'s page and drives the console (Debian's packages install /usr/bin/chromium and
# /usr/bin/chromedriver, which Selenium talks to).
# ./run-tests adds them.
ALE_TEST_TOOLS="python3:python3 curl:curl ssh:openssh-client cc:gcc git:git node:nodejs chromium:chromium chromedriver:chromium-driver docker-registry:docker-registry skopeo:skopeo umoci:umoci busybox:busybox-static pytest-3:python3-pytest"

ale_missing_packages() {
  local pair tool pkg missing=""
  for pair in $ALE_TOOLS ${ALE_EXTRA_TOOLS:-}; do
    tool="${pair%%:*}"; pkg="${pair#*:}"
    if ! PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" command -v "$tool" >/dev/null 2>&1; then
      case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
    fi
  done
  echo "$missing"
}

ale_ensure_host_tools() {
  local missing
  missing="$(ale_missing_packages)"
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "ale: missing host tools; install them as root: apt-get install -y$missing" >&2
    return 3
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ale: missing packages$missing and no apt-get here; install them with your package manager" >&2
    return 3
  fi
  echo "ale: installing$missing (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! { apt-get install -y -qq $missing >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null; }; }; then
    echo "ale: apt-get install$missing failed; run it by hand to see why" >&2
    return 3
  fi
}

ale_require_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "ale: the local sandbox backend needs root (it makes network namespaces, cgroups and mounts," >&2
    echo "ale: then drops every sandbox to its own unprivileged uid); run it with sudo" >&2
    return 3
  fi
}
