"""Small, valid PDFs made in the tests (no binary fixtures in the repository)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def minimal_pdf(text: str = "Van ban thu nghiem", catalog: bytes = b"", extra: bytes = b"",
                contents: bytes = b"4 0 R") -> bytes:
    """One page of ``text``; ``catalog`` is added to the catalog's dictionary and ``extra``,
    if any, is a sixth object (the catalog may refer to it as ``6 0 R``)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " + contents + b" "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ] + ([extra] if extra else [])
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def page_tree_bomb(inflated: int = 512 * 1024 * 1024) -> bytes:
    """A small PDF (about 0.5 MB) whose page tree sits in an object stream that inflates to
    ``inflated`` bytes: any reader that follows /Pages must decompress all of it (issue 12)."""
    import zlib

    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    header = b"2 0 "
    packer = zlib.compressobj(9)
    packed = [packer.compress(header + pages)]
    blank = b" " * (1024 * 1024)
    for _ in range(max(inflated - len(header) - len(pages), 0) // len(blank)):
        packed.append(packer.compress(blank))
    packed.append(packer.flush())
    data = b"".join(packed)
    out = bytearray(b"%PDF-1.5\n")
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>")
    add(5, b"<< /Type /ObjStm /N 1 /First " + str(len(header)).encode() + b" /Filter /FlateDecode /Length "
        + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream")
    xref_at = len(out)
    rows = [(0, 0, 255), (1, offsets[1], 0), (2, 5, 0), (1, offsets[3], 0), (0, 0, 0), (1, offsets[5], 0),
            (1, xref_at, 0)]
    table = b"".join(bytes([kind]) + value.to_bytes(4, "big") + bytes([gen]) for kind, value, gen in rows)
    out.extend(b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 1] /Root 1 0 R /Length " + str(len(table)).encode()
               + b" >>\nstream\n" + table + b"\nendstream\nendobj\n")
    out.extend(f"startxref\n{xref_at}\n%%EOF\n".encode())
    return bytes(out)


def scanned_pdf() -> bytes:
    """A scan of a paper document: one A4 page that is only an image (no text layer), with lines
    where the text and the wet signature would be."""
    import io

    from PIL import Image, ImageDraw

    page = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    pen = ImageDraw.Draw(page)
    for y in range(420, 1300, 40):
        pen.line((150, y, 1090, y), fill=(40, 40, 40), width=3)
    pen.ellipse((780, 1380, 980, 1580), outline=(200, 0, 0), width=6)  # the red wet seal
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150.0)
    return out.getvalue()


def flate_bomb(inflated: int = 256 * 1024 * 1024) -> bytes:
    """A valid one-page PDF (about 0.25 MB) whose page's second content stream inflates to
    ``inflated`` zero bytes."""
    import zlib

    packer = zlib.compressobj(9)
    data = b"".join([*(packer.compress(bytes(1024 * 1024)) for _ in range(inflated // (1024 * 1024))),
                     packer.flush()])
    bomb = b"<< /Length " + str(len(data)).encode() + b" /Filter /FlateDecode >>\nstream\n" + data + b"\nendstream"
    return minimal_pdf(extra=bomb, contents=b"[4 0 R 6 0 R]")


def pages_pdf(*texts: str) -> bytes:
    """One page per text, joined by qpdf."""
    with tempfile.TemporaryDirectory(prefix="qlvb-pages-") as folder:
        names = []
        for number, text in enumerate(texts):
            path = Path(folder, f"{number}.pdf")
            path.write_bytes(minimal_pdf(text))
            names.append(str(path))
        target = Path(folder, "all.pdf")
        subprocess.run(["qpdf", "--empty", "--pages", *names, "--", str(target)], check=True)
        return target.read_bytes()
