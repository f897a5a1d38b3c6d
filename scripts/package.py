#!/usr/bin/env python3
"""Zip the plugin for the QGIS plugin manager (make package): the files git tracks, less what is meant for the
developers only, under the folder ocs_toolbox/.

    python3 scripts/package.py [--output ocs_toolbox.zip]

Left out: tests/, scripts/, bench/, .ci/, BENCHMARKS.md, Makefile, pytest.ini and the dot files. Kept: the plugin's
Python packages, resources/ (tables, styles, help, models, icon), i18n/ (with the compiled .qm), docs/ (the method
notes the help texts cite), README, CHANGELOG, LICENSE, metadata.txt.
"""
import argparse
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEFT_OUT_FOLDERS = ("tests/", "scripts/", "bench/", ".ci/", ".build/")
LEFT_OUT_FILES = ("BENCHMARKS.md", "Makefile", "pytest.ini", ".gitignore")


def tracked_files():
    """The files git tracks (as they are in the working tree), else every file below the root."""
    try:
        listing = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], check=True, capture_output=True).stdout
        return sorted(name for name in listing.decode("utf-8").split("\0") if name)
    except (OSError, subprocess.CalledProcessError):
        found = []
        for folder, _dirs, files in os.walk(ROOT):
            for name in files:
                found.append(os.path.relpath(os.path.join(folder, name), ROOT).replace(os.sep, "/"))
        return sorted(found)


def shipped(name):
    if name.startswith(LEFT_OUT_FOLDERS) or name in LEFT_OUT_FILES:
        return False
    if "__pycache__" in name or name.endswith(".pyc"):
        return False
    return not any(part.startswith(".") for part in name.split("/"))


def build(output):
    names = [n for n in tracked_files() if shipped(n) and os.path.isfile(os.path.join(ROOT, n))]
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(os.path.join(ROOT, name), "ocs_toolbox/" + name)
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=os.path.join(ROOT, "ocs_toolbox.zip"))
    args = parser.parse_args()
    names = build(args.output)
    print("%s: %d files" % (args.output, len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
