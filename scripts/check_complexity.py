"""`make lint`: no function or method in advocacy/ above cyclomatic complexity 15 (radon's measure).

radon's grades put 11-20 in one band (C), so `radon cc -n C` cannot express the limit; this prints each
function over it, worst first, and fails if there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path

from radon.complexity import cc_visit

LIMIT = 15
ROOT = Path(__file__).resolve().parents[1]


def too_complex(package: Path) -> list[tuple[int, str]]:
    found = []
    for path in sorted(package.rglob("*.py")):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > LIMIT:
                name = f"{block.classname}.{block.name}" if getattr(block, "classname", None) else block.name
                found.append((block.complexity, f"{path.relative_to(ROOT)}:{block.lineno} {name}"))
    return sorted(found, reverse=True)


def main() -> int:
    found = too_complex(ROOT / "advocacy")
    for complexity, where in found:
        print(f"{where}: cyclomatic complexity {complexity} > {LIMIT}")
    if found:
        print(f"{len(found)} functions over {LIMIT}: split them (one job per function)")
        return 1
    print(f"complexity: no function over {LIMIT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
