"""Write a batch's merged print PDF in a slim process of its own: `python -I merge.py < plan.json`.

Run as a script (see advocacy.letters.tasks.merge_letters), not imported into the app: the process imports only
the standard library and pikepdf, so its peak memory is the merge's own, not the job worker's (WeasyPrint, Flask,
SQLAlchemy and the fonts already take about 130 MiB there). The plan on standard input is
`{"out": PATH, "letters": [{"file": PATH, "own": N | null, "total": N}, ...]}`, in order. Letters that end with
the batch's shared signatories part give their own pages; the shared pages come from one letter per page
numbering, so that the merged PDF holds the shared part's objects once, not per letter. pikepdf (qpdf) copies
the pages; each letter is closed once its streams' data is copied too (about half the memory of keeping every
letter open until the merged PDF is written, same bytes); the objects are written in compressed object streams,
as the letters' own are. It prints `{"pages": N, "peak_kib": N}`.
"""

from __future__ import annotations

import json
import resource
import sys
from contextlib import ExitStack
from typing import cast

import pikepdf


def _take_stream_data(pdf: pikepdf.Pdf, start: int) -> None:
    """Give the streams copied into `pdf` since object `start` their own (still encoded) data, so that the letter
    they came from can be closed: qpdf would otherwise keep every letter open, parsed, until the merged PDF is
    written. The bytes written are the same."""
    objects = pdf.objects
    for index in range(start, len(objects)):
        obj = objects[index]
        if isinstance(obj, pikepdf.Stream):
            # a stream's /Filter is a name or an array of names, its /DecodeParms a dictionary or an array
            filters = cast("pikepdf.Name | pikepdf.Array | None", obj.get("/Filter"))
            parms = cast("pikepdf.Dictionary | pikepdf.Array | None", obj.get("/DecodeParms"))
            obj.write(obj.read_raw_bytes(), filter=filters, decode_parms=parms)


def merge(plan: dict) -> int:
    """Write plan["out"] from plan["letters"] in order, one letter open at a time; return its page count."""
    with ExitStack() as stack:
        merged = stack.enter_context(pikepdf.Pdf.new())
        shared: dict[tuple[int, int], pikepdf.Pdf] = {}  # kept open: the shared pages are copied from them
        for letter in plan["letters"]:
            source = pikepdf.Pdf.open(letter["file"])
            own, total = letter["own"], letter["total"] or len(source.pages)
            start = len(merged.objects)
            if own is None or own >= total:
                merged.pages.extend(source.pages)
            else:
                merged.pages.extend(source.pages[:own])
                first = shared.setdefault((own, total), source)
                merged.pages.extend(first.pages[own:total])
                if first is source:
                    stack.enter_context(source)
                    continue
            _take_stream_data(merged, start)
            source.close()
        merged.save(plan["out"], deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return len(merged.pages)


def peak_kib() -> int:
    """This process's peak resident memory in KiB: VmHWM, which starts afresh at exec (ru_maxrss on Linux keeps
    the peak of the process that started it, counted before exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    plan = json.load(sys.stdin)
    pages = merge(plan)
    json.dump({"pages": pages, "peak_kib": peak_kib()}, sys.stdout)


if __name__ == "__main__":
    main()
