#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The layering of src/, checked from the object files (nm): which folder's objects call
which folder's symbols. Prints the graph; fails when an edge points upward, i.e. from a folder
to one that is not below it in LAYERS, or when files of one folder call each other in a circle.

usage: check_layers.py [BUILD_DIR]   (default build)"""
import collections
import os
import subprocess
import sys

# Bottom first. A folder may use the folders before it in this list, never those after it.
# Folders on one line are peers: they may not use each other.
LAYERS = [
    ["lib"],
    ["llm"],  # the LLM view: read by the HTTP dissectors, wired by core and app
    ["appid"],  # identifiers, application names, risks: named by dissectors, core and rules
    ["capture", "dissect", "detect", "output", "policy", "api", "context"],
    ["lb"],  # the balancer's user-space half: reads CIDRs as policy does
    ["core"],
    ["app"],
    ["cli"],
]

def nm(path):
    out = subprocess.run(["nm", path], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, undefined

def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    root = os.path.join(build, "src")
    objs = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".o"):
                rel = os.path.relpath(os.path.join(d, f), root)
                if not os.path.exists(os.path.join("src", rel[:-2] + ".c")):
                    continue  # left from a file since moved or removed
                objs[rel] = nm(os.path.join(d, f))
    owner = {}
    for rel, (defined, _) in objs.items():
        for s in defined:
            owner[s] = rel
    rank = {}
    for i, row in enumerate(LAYERS):
        for name in row:
            rank[name] = i
    edges = collections.Counter()
    file_edges = collections.defaultdict(set)
    bad = []
    for rel, (_, undefined) in objs.items():
        src_dir = rel.split(os.sep)[0]
        for s in undefined:
            if s not in owner:
                continue
            dst = owner[s]
            dst_dir = dst.split(os.sep)[0]
            file_edges[rel].add(dst)
            if dst_dir == src_dir:
                continue
            edges[(src_dir, dst_dir)] += 1
            if src_dir not in rank or dst_dir not in rank or rank[dst_dir] >= rank[src_dir]:
                bad.append("%s -> %s (%s uses %s)" % (src_dir, dst_dir, rel, dst))
    print("layers (bottom first): " + " | ".join(", ".join(r) for r in LAYERS))
    for (a, b), n in sorted(edges.items()):
        print("  %-8s -> %-8s %3d symbols" % (a, b, n))
    # circles between files
    circles = set()
    for a, outs in file_edges.items():
        for b in outs:
            if a != b and a in file_edges.get(b, ()):
                circles.add(tuple(sorted((a, b))))
    for a, b in sorted(circles):
        bad.append("circle: %s <-> %s" % (a, b))
    if bad:
        print("layering: %d violations" % len(bad))
        for line in sorted(set(bad)):
            print("  " + line)
        return 1
    print("layering: no upward dependency, no circle")
    return 0

sys.exit(main())
