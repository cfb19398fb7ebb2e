"""Hostile uploads against the bounded parse worker: outcome, time, and peak memory.

    python bench/bombs.py            # every bomb, default limits (512 MB, 120 s, 5 M characters)
    python bench/bombs.py --only txt_19mb

Peak memory is the largest resident set of this process plus all its descendants (the
forkserver and the upload's child), sampled every 10 ms from /proc: what the machine
running the bot would feel. Tests check behaviour; this checks the memory.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.documents.parsers import ParseError  # noqa: E402
from knowledge.documents.worker import ParseLimits, ParseWorker  # noqa: E402

MIB = 1024 * 1024
PARAGRAPH = "<w:p><w:r><w:t>Sở Khoa học và Công nghệ báo cáo.</w:t></w:r></w:p>".encode()
DOCUMENT_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>'
)


def _docx(parts: dict[str, Callable[[zipfile.ZipFile, str], None]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        for name, write in parts.items():
            write(archive, name)
    return buffer.getvalue()


def _streamed(size: int, unit: bytes, head: bytes = b"", tail: bytes = b"") -> Callable[[zipfile.ZipFile, str], None]:
    def write(archive: zipfile.ZipFile, name: str) -> None:
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(head)
            chunk = unit * max(1, MIB // len(unit))
            written = 0
            while written < size:
                member.write(chunk)
                written += len(chunk)
            member.write(tail)

    return write


def _document(size: int) -> Callable[[zipfile.ZipFile, str], None]:
    return _streamed(size, PARAGRAPH, DOCUMENT_XML, b"</w:body></w:document>")


def docx_19_headers() -> bytes:
    """19 header parts of about 10 MiB each: no part looks big (issue 12: 3.3 GB before)."""
    parts = {"word/document.xml": _document(1024)}
    parts.update({f"word/header{n}.xml": _streamed(10 * MIB - 1, b"<w:p/>") for n in range(19)})
    return _docx(parts)


def docx_declares_203_bytes() -> bytes:
    """A member declaring 203 bytes that inflates to 1 GiB (issue 12: 2.2 GB before "corrupt")."""
    data = bytearray(_docx({"word/document.xml": _document(1024), "word/header1.xml": _streamed(1024 * MIB, b"\0")}))
    name = b"word/header1.xml"
    local, central = data.index(name), data.rindex(name)
    data[local - 30 + 22 : local - 30 + 26] = (203).to_bytes(4, "little")
    data[central - 46 + 24 : central - 46 + 28] = (203).to_bytes(4, "little")
    return bytes(data)


def docx_190mb_document() -> bytes:
    """An 8.7 MB .docx whose document.xml is 190 MiB (issue 12: killed at 300 s, 2.3 GB)."""
    return _docx({"word/document.xml": _document(190 * MIB)})


def docx_60mb_document() -> bytes:
    """Just under the 64 MB inflate cap, varied text (no bomb ratio): python-docx parses it, the memory limit holds."""
    import random

    words = "chuyển đổi số tỉnh huyện xã dịch vụ công trực tuyến dữ liệu dân cư nền tảng báo cáo".split()
    rng = random.Random(12)
    paragraphs = b"".join(
        b"<w:p><w:r><w:t>" + " ".join(rng.choices(words, k=40)).encode() + b"</w:t></w:r></w:p>" for _ in range(2000)
    )

    def write(archive: zipfile.ZipFile, name: str) -> None:
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(DOCUMENT_XML)
            for _ in range(60 * MIB // len(paragraphs)):
                member.write(paragraphs)
            member.write(b"</w:body></w:document>")

    return _docx({"word/document.xml": write})


def txt_19mb() -> bytes:
    """19.5 MB of repeated sentences (issue 12: 291 s, 958 MB, 80,819 identical deadlines)."""
    sentence = "Sở Nội vụ hoàn thành báo cáo chuyển đổi số trước ngày 30/6/2026. ".encode()
    return sentence * (int(19.5 * MIB) // len(sentence))


BOMBS: dict[str, Callable[[], bytes]] = {
    "docx_19_headers": docx_19_headers,
    "docx_declares_203_bytes": docx_declares_203_bytes,
    "docx_190mb_document": docx_190mb_document,
    "docx_60mb_document": docx_60mb_document,
    "txt_19mb": txt_19mb,
}


def _tree_rss(root: int) -> int:
    """Proportional resident bytes (PSS) of ``root`` and every descendant, from /proc.

    PSS splits pages a fork shares among the processes sharing them, so the forkserver and
    its children are not counted twice for the same copy-on-write memory.
    """
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    total = 0
    for pid in parents:
        ancestor = pid
        while ancestor not in (0, 1) and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor != root:
            continue
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                total += next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measure(worker: ParseWorker, name: str, data: bytes) -> tuple[str, float, int]:
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(os.getpid()))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        prepared = worker.prepare_bytes(data, f"{name}.{name.split('_')[0]}", max_bytes=25 * MIB)
        outcome = f"accepted: {len(prepared.passages)} passages, {len(prepared.deadlines)} deadlines"
    except ParseError as exc:
        outcome = f"refused: {exc.user_message}"
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    return outcome, elapsed, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", choices=sorted(BOMBS))
    args = parser.parse_args()
    worker = ParseWorker(ParseLimits())
    measure(worker, "txt_warmup", "Khởi động.".encode())  # start the forkserver outside the measurements
    baseline = _tree_rss(os.getpid())
    print(f"limits {worker.limits}; bench + forkserver resident before: {baseline / MIB:.0f} MB")
    for name, build in BOMBS.items():
        if args.only and name != args.only:
            continue
        data = build()
        outcome, elapsed, peak = measure(worker, name, data)
        print(f"{name:<26} {len(data) / MIB:7.1f} MB upload  {elapsed:6.1f} s  peak {peak / MIB:6.0f} MB  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
