#!/usr/bin/env bash
# QGIS 3.40 LTR leg of the test suite (issue #7).
#
# The host has Debian 12 with QGIS 3.22; QGIS 3.40 LTR comes from Debian 13
# "trixie", installed into a chroot under .build/trixie.
#
#   bash scripts/qgis340.sh build        build the chroot if it is missing or half-built
#   bash scripts/qgis340.sh test         build if needed, then run tests/unit and
#                                        tests/qgis + tests/cli like `make test-unit test-qgis`
#   bash scripts/qgis340.sh test ARGS..  build if needed, then one pytest run (QGIS leg
#                                        options) on ARGS instead: test files or folders,
#                                        also outside the checkout, and pytest options
#   bash scripts/qgis340.sh shell [CMD]  a shell (or CMD) in the chroot, same mounts/env as tests
#   bash scripts/qgis340.sh status       say whether the chroot is ready, its QGIS and size
#   bash scripts/qgis340.sh clean        remove the chroot
#
# Needs root (debootstrap, chroot, mount). Network: Debian's mirror and PyPI.
# Environment: OCS_TRIXIE_MIRROR (default http://deb.debian.org/debian).
#
# How it stays safe and idempotent:
# - .build/trixie/.ready is written last and holds a stamp of the recipe below;
#   a chroot without it (interrupted build) or with another stamp is wiped and rebuilt.
# - The script re-executes itself in a private mount namespace (unshare -m), so
#   every mount it makes vanishes with it, even on SIGKILL, and is never seen by
#   the host (a `make clean` elsewhere cannot delete through a bind mount). An
#   EXIT trap unmounts as well (and is all there is when unshare is unavailable).
# - Nothing is deleted while anything is still mounted under .build/trixie.
# - A lock (.build/trixie.lock) serialises concurrent runs.
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
SELF=$REPO/scripts/qgis340.sh
BUILD=$REPO/.build
ROOT=$BUILD/trixie
READY=$ROOT/.ready
LOG=$BUILD/trixie-build.log
LOCK=$BUILD/trixie.lock
SUITE=trixie
MIRROR=${OCS_TRIXIE_MIRROR:-http://deb.debian.org/debian}
APT_PACKAGES="qgis python3-qgis qgis-providers python3-venv python3-gdal gdal-bin poppler-utils"
# pytest-qgis 5 reads the ini key qgis_gui_enabled (2.x: qgis_qui_enabled); see run_tests.
PYTEST_PIN="pytest==9.0.3 pytest-qgis==5.0.2"
VENV=/opt/venv                       # inside the chroot
HOST_CA=/etc/ssl/certs/ca-certificates.crt
CHROOT_CA=/usr/local/share/ocs/host-ca.crt   # inside the chroot, for pip (PIP_CERT)
STAMP="recipe=1 suite=$SUITE packages=$APT_PACKAGES pins=$PYTEST_PIN"
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf 'QGIS 3.40 leg: %s\n' "$*"; }
die() { printf 'QGIS 3.40 leg: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount); run it as root or with sudo"

# ---------------------------------------------------------------- namespace
# Re-run in a private mount namespace; the mounts then die with the process.
if [ -z "${OCS340_IN_NS:-}" ]; then
    if unshare --mount --propagation private true 2>/dev/null; then
        OCS340_IN_NS=1 exec unshare --mount --propagation private bash "$SELF" "$@"
    fi
    OCS340_IN_NS=host   # no unshare here: mounts live in the host namespace, the trap cleans up
    export OCS340_IN_NS
fi

mkdir -p "$BUILD"
exec 9>"$LOCK"
if ! flock -n 9; then
    say "waiting for another qgis340.sh run (lock $LOCK)"
    flock 9
fi

# ---------------------------------------------------------------- mounts
MOUNTS=()          # mount points made by this run, unmounted in reverse order
TMP_HOST=""        # per-run temp dir (host path, inside $ROOT/tmp)
QGIS_SETTINGS_PRESET=1
PG_DIR=""          # the host's throwaway PostgreSQL/PostGIS cluster of this run (tests/pgcluster.py)
HOST_PY=/usr/bin/python3

# Mount points at or under $ROOT, deepest first (mountinfo escapes spaces as \040).
mounts_under_root() {
    local mp
    while read -r _ _ _ _ mp _; do
        mp=$(printf '%b' "$mp")
        case "$mp" in "$ROOT" | "$ROOT"/*) printf '%s\n' "$mp" ;; esac
    done </proc/self/mountinfo | sort -r
}

release_mounts() {   # unmount whatever is under $ROOT (ours or left by a killed run)
    local i mp
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null || true
    done
    MOUNTS=()
    for _ in 1 2 3; do
        mp=$(mounts_under_root)
        [ -n "$mp" ] || return 0
        while IFS= read -r i; do
            umount "$i" 2>/dev/null || umount -l "$i" 2>/dev/null || true
        done <<<"$mp"
    done
    [ -z "$(mounts_under_root)" ]
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    release_mounts || printf 'QGIS 3.40 leg: WARNING: still mounted under %s:\n%s\n' "$ROOT" "$(mounts_under_root)" >&2
    if [ -n "$TMP_HOST" ] && [ -z "$(mounts_under_root)" ]; then rm -rf "$TMP_HOST"; fi
    if [ -n "$PG_DIR" ]; then "$HOST_PY" "$REPO/tests/pgcluster.py" stop "$PG_DIR" || true; fi
    # pytest-qgis 5 keeps QGIS settings in <rootdir>/.qgis-settings: do not leave it behind.
    if [ "$QGIS_SETTINGS_PRESET" = 0 ]; then rm -rf "$REPO/.qgis-settings"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

do_mount() {   # do_mount MOUNTPOINT mount-args...
    local mp=$1; shift
    mkdir -p "$mp"
    mount "$@" "$mp"
    MOUNTS+=("$mp")
}

mount_system() {   # /proc, /dev (+ private /dev/shm, /dev/pts), /sys read-only
    do_mount "$ROOT/proc" -t proc proc
    do_mount "$ROOT/dev" --bind /dev           # not --rbind: host submounts stay out
    do_mount "$ROOT/dev/shm" -t tmpfs -o mode=1777,nosuid,nodev tmpfs
    do_mount "$ROOT/dev/pts" -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts 2>/dev/null || true
    do_mount "$ROOT/sys" --bind /sys
    mount -o remount,bind,ro "$ROOT/sys" 2>/dev/null || true
}

# Run a command in the chroot with a clean environment (nothing of the host's
# venv, PATH, PIP_* or PYTHON* leaks in).
in_chroot() {
    chroot "$ROOT" /usr/bin/env -i PATH="$CHROOT_PATH" HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

# ---------------------------------------------------------------- build
is_ready() {
    [ -f "$READY" ] && [ "$(cat "$READY")" = "$STAMP" ] &&
        [ -x "$ROOT$VENV/bin/python" ] && [ -x "$ROOT/usr/bin/qgis_process" ]
}

wipe_root() {
    [ -e "$ROOT" ] || return 0
    release_mounts || die "cannot unmount everything under $ROOT; not deleting it:
$(mounts_under_root)"
    rm -rf --one-file-system "$ROOT"
}

ensure_debootstrap() {
    command -v debootstrap >/dev/null && return 0
    say "installing the host's debootstrap package"
    apt-get update -q >>"$LOG" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >>"$LOG" 2>&1 ||
        die "apt-get install debootstrap failed (see $LOG)"
}

step() {   # step "what" cmd...: output to the log, its tail on failure
    local t0=$SECONDS
    say "$1 ..."
    shift
    if ! "$@" >>"$LOG" 2>&1; then
        tail -n 40 "$LOG" >&2
        die "failed: $* (full log: $LOG)"
    fi
    say "    done in $((SECONDS - t0)) s"
}

build() {
    if is_ready; then
        say "chroot ready ($ROOT)"
        return 0
    fi
    local t0=$SECONDS
    : >"$LOG"
    if [ -e "$ROOT" ]; then
        say "discarding an incomplete or outdated chroot in $ROOT"
    fi
    wipe_root
    ensure_debootstrap
    local keyring=()
    [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
        keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
    step "debootstrap --variant=minbase $SUITE (about 30 s)" \
        debootstrap --variant=minbase "${keyring[@]}" "$SUITE" "$ROOT" "$MIRROR"

    mount_system
    rm -f "$ROOT/etc/resolv.conf"
    cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"   # start no services
    chmod 755 "$ROOT/usr/sbin/policy-rc.d"
    step "apt-get update" in_chroot apt-get update -q
    # shellcheck disable=SC2086  # word splitting of the lists is wanted
    step "apt-get install $APT_PACKAGES (1.5 to 3 min, the chroot ends at about 1.9 GB)" \
        in_chroot apt-get install -y -q --no-install-recommends $APT_PACKAGES
    in_chroot apt-get clean
    rm -rf "$ROOT"/var/lib/apt/lists/*

    [ -f "$HOST_CA" ] || die "no $HOST_CA on the host (needed by pip in the chroot)"
    mkdir -p "$ROOT$(dirname "$CHROOT_CA")"
    cp -L "$HOST_CA" "$ROOT$CHROOT_CA"
    step "venv $VENV (--system-site-packages)" \
        in_chroot python3 -m venv --system-site-packages "$VENV"
    # shellcheck disable=SC2086  # word splitting of the lists is wanted
    step "pip install $PYTEST_PIN" \
        in_chroot PIP_CERT="$CHROOT_CA" PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
        "$VENV/bin/pip" install -q $PYTEST_PIN
    step "checking imports" in_chroot QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -c \
        'import sys, pytest, pytest_qgis; from qgis.core import Qgis; from osgeo import gdal; sys.path.append("/usr/share/qgis/python/plugins"); import processing; print(Qgis.QGIS_VERSION)'
    release_mounts || die "cannot unmount under $ROOT"
    rm -rf "${ROOT:?}"/tmp/* "$ROOT"/root/.cache   # crssync leftovers of the postinst, pip cache
    printf '%s\n' "$STAMP" >"$READY"
    say "chroot built in $((SECONDS - t0)) s, $(du -sh --one-file-system "$ROOT" | cut -f1) in $ROOT"
}

# ---------------------------------------------------------------- test
CHROOT_ENV=()

# The PostGIS tests (issue #17) need a real server. The chroot has none: one is started on the host (Debian's
# postgresql-15 and postgresql-15-postgis-3, installed by `make deps`) in a throwaway cluster under the host's
# /tmp, and the tests in the chroot reach it over TCP on 127.0.0.1 (the chroot shares the host's network) through
# OCS_TEST_PG; the EXIT trap stops it and removes it. When it cannot start, the tests that need it fail with the
# reason (OCS_TEST_PG_ERROR); they are never skipped.
start_postgis() {
    local out
    if out=$("$HOST_PY" "$REPO/tests/pgcluster.py" start 2>&1); then
        PG_DIR=$(printf '%s\n' "$out" | sed -n 1p)
        CHROOT_ENV+=("OCS_TEST_PG=$(printf '%s\n' "$out" | sed -n 2p)")
        say "PostgreSQL/PostGIS for the PostGIS tests: $(printf '%s\n' "$out" | sed -n 2p) (cluster $PG_DIR)"
    else
        CHROOT_ENV+=("OCS_TEST_PG_ERROR=$(printf '%s' "$out" | tr '\n' ' ')")
        say "WARNING: no PostgreSQL/PostGIS on the host, the PostGIS tests will fail: $out"
    fi
}
prepare_run() {   # mounts + per-run temp dir + environment for tests and shell
    mount_system
    # The checkout at the same absolute path, so .build/plugins/ocs_toolbox and
    # every absolute path the tests compute stay valid. Not --rbind (no loop into
    # .build/trixie's own mounts).
    do_mount "$ROOT$REPO" --bind "$REPO"
    [ -d "$REPO/.qgis-settings" ] || QGIS_SETTINGS_PRESET=0

    rm -rf "$ROOT"/tmp/ocs340.*   # left by a killed run (we hold the lock)
    TMP_HOST=$(mktemp -d "$ROOT/tmp/ocs340.XXXXXX")
    local t=${TMP_HOST#"$ROOT"}
    mkdir -p "$TMP_HOST"/{home,config,cache,data,tmp,qgis-config,plugins}
    mkdir -m 700 "$TMP_HOST/run"
    ln -s "$REPO" "$TMP_HOST/plugins/ocs_toolbox"
    CHROOT_ENV=(
        PATH="$VENV/bin:$CHROOT_PATH" LANG=C.UTF-8 LC_ALL=C.UTF-8
        HOME="$t/home" XDG_CONFIG_HOME="$t/config" XDG_CACHE_HOME="$t/cache"
        XDG_DATA_HOME="$t/data" XDG_RUNTIME_DIR="$t/run" TMPDIR="$t/tmp"
        QGIS_CUSTOM_CONFIG_PATH="$t/qgis-config"
        QT_QPA_PLATFORM=offscreen
        QGIS_PLUGINPATH="$t/plugins"
        OCS_QGIS_PROCESS=/usr/bin/qgis_process
        PYTHONDONTWRITEBYTECODE=1
    )
    local v
    for v in CI PYTEST_ADDOPTS; do
        [ -n "${!v:-}" ] && CHROOT_ENV+=("$v=${!v}")
    done
    start_postgis
    return 0
}

# Run in the chroot, in $1 as working directory, with the test environment.
in_test_env() {
    local dir=$1; shift
    chroot "$ROOT" /usr/bin/env -i -C "$dir" "${CHROOT_ENV[@]}" "$@"
}

# Make test paths given on the command line absolute, and visible in the chroot
# (bind-mounted read-only at the same path) when they lie outside the checkout.
EXTRA_ARGS=()
map_extra_args() {
    local a p d
    for a in "$@"; do
        case "$a" in -*) EXTRA_ARGS+=("$a"); continue ;; esac
        p=${a%%::*}                       # path[::test_name]
        if [ ! -e "$p" ]; then EXTRA_ARGS+=("$a"); continue; fi
        EXTRA_ARGS+=("$(realpath "$p")${a#"$p"}")
        p=$(realpath "$p")
        case "$p" in "$REPO" | "$REPO"/*) continue ;; esac
        if [ -d "$p" ]; then d=$p; else d=$(dirname "$p"); fi
        mountpoint -q "$ROOT$d" && continue
        if [ -d "$ROOT$d" ] && [ -n "$(ls -A "$ROOT$d")" ]; then
            die "$a: $d exists in the chroot and is not empty; put the test elsewhere"
        fi
        do_mount "$ROOT$d" --bind "$d"
        mount -o remount,bind,ro "$ROOT$d" 2>/dev/null || true
    done
}

run_tests() {
    local t0=$SECONDS
    prepare_run
    map_extra_args "$@"

    local qgis_version qp
    qgis_version=$(in_test_env / python -c 'from qgis.core import Qgis; print(Qgis.QGIS_VERSION)' 2>/dev/null | tail -n 1) ||
        die "cannot import qgis.core in the chroot"
    # qgis_process must run headless too (this is what the CLI tests call).
    qp=$(in_test_env / /usr/bin/qgis_process --version 2>&1) ||
        { printf '%s\n' "$qp" >&2; die "/usr/bin/qgis_process --version failed in the chroot"; }
    say "QGIS $qgis_version, $(in_test_env / python -c 'import platform, pytest, pytest_qgis.plugin as _, importlib.metadata as m; print("Python", platform.python_version(), "| pytest", pytest.__version__, "| pytest-qgis", m.version("pytest-qgis"))')"
    say "qgis_process: $(printf '%s' "$qp" | grep -m1 -i 'qgis' || true)"
    case "$qgis_version" in 3.40.*) ;; *) say "WARNING: expected QGIS 3.40.x, got $qgis_version" ;; esac

    # The same invocations as the Makefile's test-unit and test-qgis (keep in step),
    # with pytest-qgis 5's ini key: its pytest.ini spells the 2.x one, qgis_qui_enabled.
    local common=(python -m pytest -p no:cacheprovider -c "$REPO/pytest.ini" --rootdir="$REPO")
    local qgis_opts=(-o qgis_gui_enabled=false)
    local rc=0 rc_unit=0 rc_qgis=0
    if [ $# -gt 0 ]; then
        say "pytest ${EXTRA_ARGS[*]}"
        in_test_env "$BUILD" "${common[@]}" "${qgis_opts[@]}" "${EXTRA_ARGS[@]}" || rc_qgis=$?
    else
        say "tests/unit"
        in_test_env "$BUILD" "${common[@]}" -p no:qgis "$REPO/tests/unit" || rc_unit=$?
        say "tests/qgis tests/cli"
        in_test_env "$BUILD" "${common[@]}" "${qgis_opts[@]}" "$REPO/tests/qgis" "$REPO/tests/cli" || rc_qgis=$?
    fi
    [ "$rc_unit" = 0 ] && [ "$rc_qgis" = 0 ] || rc=1
    if [ "$rc" = 0 ]; then
        say "Tests passed on QGIS $qgis_version ($((SECONDS - t0)) s)"
    else
        say "Tests FAILED on QGIS $qgis_version (pytest exit codes: unit=$rc_unit qgis=$rc_qgis; $((SECONDS - t0)) s)"
    fi
    return "$rc"
}

# ---------------------------------------------------------------- main
cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    build)
        build
        ;;
    test)
        build
        run_tests "$@"
        ;;
    shell)
        build
        prepare_run
        if [ $# -gt 0 ]; then in_test_env "$REPO" "$@"; else in_test_env "$REPO" TERM="${TERM:-dumb}" bash -i; fi
        ;;
    status)
        if is_ready; then
            say "ready: $ROOT ($(du -sh --one-file-system "$ROOT" | cut -f1))"
        elif [ -e "$ROOT" ]; then
            say "incomplete or outdated: $ROOT (the next build rebuilds it)"; exit 1
        else
            say "absent: $ROOT"; exit 1
        fi
        ;;
    clean)
        wipe_root
        say "removed $ROOT"
        ;;
    *)
        sed -n '2,/^set -Eeuo/p' "$SELF" | sed '$d; s/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
