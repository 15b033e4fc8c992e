"""Benchmark: comparing two 40-page bill texts section by section (target: under 300 ms).

The two versions are generated from real structure: the sections of the real GPO XML fixtures
(tests/fixtures/texts, H.R. 8205 and the campaign bills: sections, subsections, paragraphs, clauses, quoted
blocks) are repeated with words drawn from their own vocabulary until the bill has ~40 printed pages
(GPO bill pages hold ~250 words: 10,000+ words). The "reported" version then drops 4 sections, adds 4, moves
3 (renumbering every section after a dropped one) and rewords ~5 % of the words of 20 sections: the work a
committee substitute does. Both are parsed from XML with the app's own parser.

Prints the median and worst of 7 cold comparisons (the per-pair cache cleared each time), next to a baseline
measured in the same run: one difflib word diff over the whole text (no alignment: what a plain diff costs).
Exits 1 if the median misses the target.

    .venv/bin/python benchmarks/texts.py [--pages 40] [--runs 7]
    .venv/bin/python benchmarks/texts.py --old BILLS-118hr4366rh.xml --new BILLS-118hr4366eh.xml   # real files
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advocacy.bills.texts import _words, compare_sections, parse_document  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"
WORDS_PER_PAGE = 250
TARGET_MS = 300.0


def _real_sections() -> list[dict]:
    sections = []
    for name in ("BILLS-118hr8205ih.xml", "BILLS-117hr4526ih.xml", "BILLS-118hr8205rh.xml"):
        sections += parse_document((FIXTURES / name).read_bytes()).sections
    return sections


def _block_xml(block: dict, words: list[str], rng: random.Random) -> str:
    tag = {0: "text", 1: "subsection", 2: "paragraph", 3: "subparagraph", 4: "clause", 5: "subclause"}.get(
        block["level"], "item"
    )
    length = max(6, len(block["text"].split()))
    text = " ".join(rng.choice(words) for _ in range(length)) + "."
    if tag == "text":
        return f"<text>{escape(text)}</text>"
    head = f"<header>{escape(block['heading'])}</header>" if block.get("heading") else ""
    return f"<{tag}><enum>{escape(block['enum'])}</enum>{head}<text>{escape(text)}</text></{tag}>"


def generate_bill(pages: int, seed: int = 2024) -> list[dict]:
    """Sections (as the parser returns them) of a generated bill of about `pages` printed pages."""
    rng = random.Random(seed)
    real = _real_sections()
    words = [w for s in real for w in _words(s) if w.isalpha()]
    body, total, number = [], 0, 0
    while total < pages * WORDS_PER_PAGE:
        template = rng.choice(real)
        number += 1
        heading = f"{template['heading']} {number}"
        blocks = "".join(_block_xml(b, words, rng) for b in template["blocks"] or [{"level": 0, "text": "x " * 40}])
        body.append(f"<section><enum>{number}.</enum><header>{escape(heading)}</header>{blocks}</section>")
        total += sum(max(6, len(b["text"].split())) for b in template["blocks"]) or 40
    xml = f'<?xml version="1.0"?><bill><legis-body>{"".join(body)}</legis-body></bill>'
    return parse_document(xml.encode()).sections


def amend(sections: list[dict], seed: int = 7) -> list[dict]:
    """A committee substitute: 4 sections dropped, 4 added, 3 moved, 20 reworded (~5 % of their words)."""
    import copy

    rng = random.Random(seed)
    new = copy.deepcopy(sections)
    for _ in range(4):
        new.pop(rng.randrange(len(new)))
    for index in range(4):
        extra = copy.deepcopy(rng.choice(sections))
        extra["heading"] = f"New requirement {index}"
        new.insert(rng.randrange(len(new)), extra)
    for _ in range(3):
        new.insert(rng.randrange(len(new)), new.pop(rng.randrange(len(new))))
    vocabulary = [w for s in sections[:20] for w in _words(s) if w.isalpha()]
    for section in rng.sample(new, 20):
        for block in section["blocks"]:
            tokens = block["text"].split()
            for _ in range(max(1, len(tokens) // 20)):
                tokens[rng.randrange(len(tokens))] = rng.choice(vocabulary)
            block["text"] = " ".join(tokens)
    for position, section in enumerate(new, start=1):
        section["number"] = str(position)
    return new


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--old", type=Path, help="compare two real text files (GPO XML or formatted text) instead")
    parser.add_argument("--new", type=Path)
    args = parser.parse_args()

    if args.old and args.new:
        old = parse_document(args.old.read_bytes(), url=str(args.old)).sections
        new = parse_document(args.new.read_bytes(), url=str(args.new)).sections
    else:
        old = generate_bill(args.pages)
        new = amend(old)
    old_words = [w for s in old for w in _words(s)]
    new_words = [w for s in new for w in _words(s)]
    print(
        f"old: {len(old)} sections, {len(old_words):,} words (~{len(old_words) // WORDS_PER_PAGE} pages); "
        f"new: {len(new)} sections, {len(new_words):,} words"
    )

    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        comparison = compare_sections(old, new)
        timings.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
    baseline = (time.perf_counter() - start) * 1000

    median = statistics.median(timings)
    print(f"result: {comparison.summary}")
    print(f"section-aligned comparison: median {median:.0f} ms, worst {max(timings):.0f} ms over {args.runs} runs")
    print(
        f"baseline, one whole-text difflib word diff (no alignment): {baseline:.0f} ms ({median / max(baseline, 1e-6):.2f}x)"
    )
    ok = median < TARGET_MS
    print(f"target < {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
