"""Checks the app's module graph: which top-level modules each file imports
(`crate::name`), with no cycle among them, and no import from a lower layer
into a higher one. Prints the graph; exits 1 on a violation."""

import pathlib
import re
import sys

# From the bottom up; a module may import only modules of a lower rank
# (or its own). The engine is a crate of its own, re-exported by lib.rs.
RANKS = {
    "error": 0, "clock": 0,
    "model": 1,
    "store": 2,
    "state": 3,
    "auth": 4,
    "passwords": 5,
    "commit": 6, "columns": 6,
    "api": 7,
    "pages": 8,
}
ENGINE = {"digest", "domain", "history", "import", "pace", "sheet"}


def main(root: pathlib.Path) -> int:
    edges: dict[str, set[str]] = {name: set() for name in RANKS}
    problems = []
    for path in sorted(root.rglob("*.rs")):
        parts = path.relative_to(root).with_suffix("").parts
        module = parts[0]
        if module in ("lib", "main"):
            continue
        if module not in RANKS:
            problems.append(f"{path}: the module `{module}` has no layer in scripts/module-graph.py")
            continue
        text = path.read_text()
        for used in sorted(set(re.findall(r"\bcrate::([a-z_]+)", text))):
            if used == module or used in ENGINE:
                continue
            if used not in RANKS:
                problems.append(f"{path}: imports `crate::{used}`, which has no layer")
                continue
            edges[module].add(used)
            if RANKS[used] >= RANKS[module]:
                problems.append(f"{path}: `{module}` imports `{used}`, which is not below it")
    for module, used in edges.items():
        print(f"{module:10} → {', '.join(sorted(used)) or '-'}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1])))
