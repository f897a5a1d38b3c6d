#!/usr/bin/env python3
"""Compare two folders of outputs (e.g. `make demo` before and after a change), column by column and geometry by
geometry.

    python3 scripts/compare_outputs.py BEFORE_DIR AFTER_DIR [--ignore-styles]

GeoPackages: every table listed in gpkg_contents, every row in fid order, every column (geometry blobs compared
byte for byte), and the layer_styles rows (their XML with the attributes of each element sorted). Other files (HTML, CSV, QML, TIFF): byte for byte. Exit status 1 when
anything differs, with the first differences printed.
"""
import argparse
import os
import sqlite3
import sys
import xml.etree.ElementTree as ET


def canonical_xml(text):
    """Style XML with the attributes of every element sorted: each QGIS process writes them in its own order
    (Qt's hash seed), so two identical styles differ byte for byte."""
    try:
        root = ET.fromstring(text)
    except (ET.ParseError, TypeError):
        return text
    for element in root.iter():
        element.attrib = dict(sorted(element.attrib.items()))
    return ET.tostring(root, encoding="unicode")


def short(value):
    if isinstance(value, bytes):
        return "<blob of %d bytes>" % len(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def tables(path):
    with sqlite3.connect("file:%s?mode=ro" % path, uri=True) as db:
        names = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'layer_styles'").fetchone():
            names.append("layer_styles")
        return names


def rows(path, table):
    with sqlite3.connect("file:%s?mode=ro" % path, uri=True) as db:
        columns = [r[1] for r in db.execute('PRAGMA table_info("%s")' % table)]
        if table == "layer_styles":
            columns = [c for c in columns if c not in ("id", "update_time")]
        order = "fid" if "fid" in columns else ", ".join('"%s"' % c for c in columns)
        data = db.execute('SELECT %s FROM "%s" ORDER BY %s' % (
            ", ".join('"%s"' % c for c in columns), table, order)).fetchall()
        if table == "layer_styles":
            data = [tuple(canonical_xml(v) if c.lower() in ("styleqml", "stylesld") else v for c, v in zip(columns, row))
                    for row in data]
        return columns, data


def compare_gpkg(before, after, ignore_styles, problems):
    names_b, names_a = tables(before), tables(after)
    if names_b != names_a:
        problems.append("%s: tables %s != %s" % (after, names_b, names_a))
    for table in sorted(set(names_b) & set(names_a)):
        if table == "layer_styles" and ignore_styles:
            continue
        cols_b, rows_b = rows(before, table)
        cols_a, rows_a = rows(after, table)
        if cols_b != cols_a:
            problems.append("%s %s: columns %s != %s" % (after, table, cols_b, cols_a))
            continue
        if len(rows_b) != len(rows_a):
            problems.append("%s %s: %d rows != %d" % (after, table, len(rows_b), len(rows_a)))
        for row_b, row_a in zip(rows_b, rows_a):
            if row_b != row_a:
                diff = [(c, b, a) for c, b, a in zip(cols_b, row_b, row_a) if b != a]
                problems.append("%s %s row %r: %s" % (after, table, row_b[0], [
                    (c, short(b), short(a)) for c, b, a in diff][:4]))
                break
    return len(names_b)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--ignore-styles", action="store_true")
    args = parser.parse_args()
    problems = []
    sidecar = ("-wal", "-shm", "-journal")   # SQLite's files beside a database being read
    files_b = sorted(n for n in os.listdir(args.before) if not n.endswith(sidecar))
    files_a = sorted(n for n in os.listdir(args.after) if not n.endswith(sidecar))
    if files_b != files_a:
        problems.append("files differ: only before %s, only after %s" % (
            sorted(set(files_b) - set(files_a)), sorted(set(files_a) - set(files_b))))
    checked = 0
    for name in sorted(set(files_b) & set(files_a)):
        before, after = os.path.join(args.before, name), os.path.join(args.after, name)
        if name.endswith(".gpkg"):
            checked += compare_gpkg(before, after, args.ignore_styles, problems)
        elif os.path.isfile(before):
            with open(before, "rb") as b, open(after, "rb") as a:
                if b.read() != a.read():
                    problems.append("%s: bytes differ" % after)
            checked += 1
    for line in problems[:40]:
        print(line)
    print("%d tables and files compared, %d differences" % (checked, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
