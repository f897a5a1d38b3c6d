#!/usr/bin/env bash
# Refresh the translations of the plugin: i18n/ocs_toolbox_<lang>.ts from the Python sources, then the .qm.
#
#   bash scripts/i18n.sh            update the .ts files, compile the .qm files, print a summary
#   bash scripts/i18n.sh --strict   same, but fail when a string is untranslated or a placeholder differs
#
# Steps, per language (LANGS below):
# 1. pylupdate5 -noobsolete over every .py of the plugin (tests/, scripts/, .build/ excluded): new strings
#    are added, existing translations kept, strings gone from the code dropped.
# 2. Fix-up (Python below). pylupdate5 files the literals passed to a module-level helper such as
#    `def tr(text): return QCoreApplication.translate("OcsAlgorithm", text)` under the context
#    "@default", while at run time they are looked up under "OcsAlgorithm". Each such message is moved to
#    the context that the `tr` helper of its own source file names (base.py → OcsAlgorithm,
#    styling.py → OcsStyling). Translations lost by pylupdate5 in that move are restored from the .ts as it
#    was before step 1. Messages are sorted by location so that re-running gives the same file.
# 3. lrelease compiles the .qm that plugin.install_translator() loads.
#
# Idempotent: running it twice in a row leaves the files unchanged.
# Tools: pylupdate5 (Debian package pyqt5-dev-tools) and lrelease (qttools5-dev-tools), installed with
# apt-get when missing (as root, or through sudo).
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
LANGS=(fr)
STRICT=0
for arg in "$@"; do
  case $arg in
    --strict) STRICT=1 ;;
    -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "i18n: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'i18n: %s\n' "$*"; }
die() { printf 'i18n: ERROR: %s\n' "$*" >&2; exit 1; }

apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  say "installing $*"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

find_lrelease() {
  local candidate
  for candidate in /usr/lib/qt5/bin/lrelease /usr/lib/x86_64-linux-gnu/qt5/bin/lrelease \
                   "$(command -v lrelease-qt5 || true)" "$(command -v lrelease || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

command -v pylupdate5 >/dev/null 2>&1 || apt_install pyqt5-dev-tools
command -v pylupdate5 >/dev/null 2>&1 || die "pylupdate5 not found (Debian package pyqt5-dev-tools)"
LRELEASE=$(find_lrelease) || { apt_install qttools5-dev-tools; LRELEASE=$(find_lrelease); } \
  || die "lrelease not found (Debian package qttools5-dev-tools)"
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)

cd "$REPO"
mkdir -p i18n
mapfile -t SOURCES < <(find . \( -path ./tests -o -path ./scripts -o -path ./.build -o -path ./.git \) -prune \
                         -o -type f -name '*.py' -print | sed 's|^\./||' | LC_ALL=C sort)
[ "${#SOURCES[@]}" -gt 0 ] || die "no Python source found under $REPO"
say "${#SOURCES[@]} Python files"

status=0
for lang in "${LANGS[@]}"; do
  ts=i18n/ocs_toolbox_${lang}.ts
  qm=i18n/ocs_toolbox_${lang}.qm
  snapshot=$(mktemp)
  trap 'rm -f "$snapshot"' EXIT
  [ -f "$ts" ] && cp "$ts" "$snapshot"

  PYTHONWARNINGS=ignore pylupdate5 -noobsolete "${SOURCES[@]}" -ts "$ts"

  "$PYTHON" - "$ts" "$snapshot" "$lang" "$STRICT" <<'PY' || status=1
"""Fix-up of a .ts written by pylupdate5 (see the header of scripts/i18n.sh)."""
import os
import re
import sys
import xml.etree.ElementTree as ET

ts_path, snapshot_path, lang, strict = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
ts_dir = os.path.dirname(os.path.abspath(ts_path))
LANGUAGE = {"fr": "fr_FR"}.get(lang, lang)
HELPER = re.compile(r"^def tr\([^)]*\):[^\n]*\n(?:[ \t]+[^\n]*\n){0,6}?[ \t]+return\s+QCoreApplication\.translate\("
                    r"\s*[\"']([^\"']+)[\"']", re.MULTILINE)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def parse(path):
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    return ET.parse(path).getroot()


def key(message):
    return message.findtext("source"), message.findtext("comment")


def translation_of(message):
    node = message.find("translation")
    if node is None:
        return "", "unfinished"
    return node.text or "", node.get("type", "finished")


_helper_contexts = {}


def helper_context(filename):
    """Context named by the module-level `def tr(...)` helper of ``filename`` (relative to the .ts)."""
    if filename not in _helper_contexts:
        path = os.path.normpath(os.path.join(ts_dir, filename))
        context = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                match = HELPER.search(handle.read())
            context = match.group(1) if match else None
        _helper_contexts[filename] = context
    return _helper_contexts[filename]


root = parse(ts_path)
contexts = {}            # name -> {key: message}
for context in root.findall("context"):
    name = context.findtext("name")
    bucket = contexts.setdefault(name, {})
    for message in context.findall("message"):
        bucket[key(message)] = message

# 1. Messages pylupdate5 filed under @default: move them to the context of their file's tr() helper.
left_in_default = {}
for message_key, message in list(contexts.pop("@default", {}).items()):
    by_context = {}
    for location in message.findall("location"):
        target = helper_context(location.get("filename"))
        by_context.setdefault(target or "@default", []).append(location)
    for target, locations in by_context.items():
        bucket = contexts.setdefault(target, {})
        existing = bucket.get(message_key)
        if existing is None:
            copy = ET.fromstring(ET.tostring(message))
            for location in copy.findall("location"):
                copy.remove(location)
            for index, location in enumerate(locations):
                copy.insert(index, location)
            bucket[message_key] = copy
        else:
            position = len(existing.findall("location"))
            for location in locations:
                existing.insert(position, location)
                position += 1
        if target == "@default":
            left_in_default[message_key] = locations

# 2. Restore translations that pylupdate5 could not carry over (moved messages) from the snapshot.
previous, by_source = {}, {}
snapshot = parse(snapshot_path)
if snapshot is not None:
    for context in snapshot.findall("context"):
        name = context.findtext("name")
        for message in context.findall("message"):
            text, kind = translation_of(message)
            if text and kind != "obsolete" and kind != "vanished":
                previous[(name, key(message))] = (text, kind)
                by_source.setdefault(key(message), set()).add(text)
restored = 0
for name, bucket in contexts.items():
    for message_key, message in bucket.items():
        text, kind = translation_of(message)
        old = previous.get((name, message_key))
        # Keep what pylupdate5 kept; fill what it left empty or guessed (unfinished) from the same text.
        if kind == "finished" or (text and (old is None or text != old[0])):
            continue
        node = message.find("translation")
        if node is None:
            node = ET.SubElement(message, "translation")
        if old is not None:
            node.text, kind = old
            if kind == "finished":
                node.attrib.pop("type", None)
            else:
                node.set("type", kind)
            restored += 1
        elif len(by_source.get(message_key, ())) == 1:
            node.text = next(iter(by_source[message_key]))      # same text in another context: to review
            node.set("type", "unfinished")
            restored += 1


# 3. Write back, sorted, in pylupdate5's layout.
def esc(text, attribute=False):
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("'", "&apos;")
    return text.replace('"', "&quot;") if attribute else text


def location_key(message):
    locations = message.findall("location")
    if not locations:
        return ("~", 0, message.findtext("source") or "")
    first = locations[0]
    return (first.get("filename"), int(first.get("line") or 0), message.findtext("source") or "")


lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
         '<TS version="2.1" language="%s" sourcelanguage="en">' % LANGUAGE]
summary, problems = [], []
for name in sorted(contexts):
    bucket = contexts[name]
    if not bucket:
        continue
    lines += ["<context>", "    <name>%s</name>" % esc(name)]
    finished = 0
    for message in sorted(bucket.values(), key=location_key):
        lines.append("    <message>")
        for location in message.findall("location"):
            lines.append('        <location filename="%s" line="%s"/>' % (
                esc(location.get("filename"), True), location.get("line")))
        source = message.findtext("source") or ""
        lines.append("        <source>%s</source>" % esc(source))
        comment = message.findtext("comment")
        if comment:
            lines.append("        <comment>%s</comment>" % esc(comment))
        text, kind = translation_of(message)
        if kind == "finished":
            lines.append("        <translation>%s</translation>" % esc(text))
        else:
            lines.append('        <translation type="%s">%s</translation>' % (kind, esc(text)))
        lines.append("    </message>")
        if kind == "finished" and text:
            finished += 1
        else:
            problems.append("%s [%s] %s" % ("unfinished" if text else "untranslated", name, source))
        if text and sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
            problems.append("placeholders differ [%s] %s" % (name, source))
    lines.append("</context>")
    summary.append("%s %d/%d" % (name, finished, len(bucket)))
lines.append("</TS>")
with open(ts_path, "w", encoding="utf-8") as handle:
    handle.write("\n".join(lines) + "\n")

print("i18n: %s: translated per context: %s" % (os.path.basename(ts_path), ", ".join(summary)))
if restored:
    print("i18n: %d translation(s) restored after a context move" % restored)
for message_key, locations in left_in_default.items():
    problems.append("no context (module-level call without a tr() helper) %s: %s" % (
        ", ".join("%s:%s" % (l.get("filename"), l.get("line")) for l in locations), message_key[0]))
for problem in problems:
    print("i18n:   " + problem)
sys.exit(1 if strict and problems else 0)
PY

  "$LRELEASE" -silent "$ts" -qm "$qm" || die "lrelease failed on $ts"
  say "wrote $ts and $qm"
  rm -f "$snapshot"
  trap - EXIT
done
exit $status
