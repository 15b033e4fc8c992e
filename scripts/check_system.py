"""Check the system libraries WeasyPrint needs before `make run` installs anything; print the one fix.

Runs with the system Python (no virtual environment yet) and imports nothing from the project. Exit status 0
when everything is there, 1 with the `apt-get install` line that adds what is missing.
"""

from __future__ import annotations

import ctypes.util
import sys
from collections.abc import Callable
from pathlib import Path

# (library name for ctypes.util.find_library, Debian/Ubuntu package that ships it, why)
LIBRARIES: tuple[tuple[str, str, str], ...] = (
    ("gobject-2.0", "libglib2.0-0", "GLib (Pango's base)"),
    ("pango-1.0", "libpango-1.0-0", "text layout of letters and receipts"),
    ("pangoft2-1.0", "libpangoft2-1.0-0", "Pango's font back end"),
    ("harfbuzz", "libharfbuzz0b", "text shaping"),
    ("harfbuzz-subset", "libharfbuzz-subset0", "font subsetting (about 4x faster PDFs)"),
    ("fontconfig", "libfontconfig1", "finding fonts"),
)
FONTS: tuple[tuple[str, str], ...] = (("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core"),)


def missing(
    find_library: Callable[[str], str | None] = ctypes.util.find_library,
    exists: Callable[[str], bool] = lambda path: Path(path).exists(),
) -> list[tuple[str, str]]:
    """(package, what it is for) of each missing library or font."""
    gaps = [(package, f"lib{name}: {why}") for name, package, why in LIBRARIES if not find_library(name)]
    gaps += [(package, f"{path}: the letters' font") for path, package in FONTS if not exists(path)]
    return gaps


def report(gaps: list[tuple[str, str]]) -> str:
    """The message `make run` prints: what is missing and the one command that installs it."""
    lines = ["WeasyPrint (PDF letters and receipts) needs system libraries that are missing:"]
    lines += [f"  - {what}" for _package, what in gaps]
    packages = " ".join(dict.fromkeys(package for package, _what in gaps))
    lines += ["", "Install them (Debian/Ubuntu), then run `make run` again:", f"  sudo apt-get install {packages}"]
    return "\n".join(lines)


def main() -> int:
    gaps = missing()
    if gaps:
        print(report(gaps), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
