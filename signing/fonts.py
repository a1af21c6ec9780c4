"""Small Vietnamese subsets of TrueType fonts, made once per process, for signature appearances.

pyHanko subsets the stamp font again for every signature (~200 ms with a full font) and
writes glyph widths in the font's own units, which spreads letters apart unless the font
has 1000 units per em. So each font is cut once to the letters an appearance can need and
rescaled to 1000 units per em; every signature then works on a file of a few kilobytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools import subset, ttLib
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from .errors import SigningError

NOTO_SANS = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
NOTO_SANS_BOLD = Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf")
# Metric-compatible with Times New Roman, which Decree 30 prescribes for the attachment stamp.
TIMES_SUBSTITUTE = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
TIMES_SUBSTITUTE_ITALIC = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf")

_VIETNAMESE = (
    "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
    + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))  # Latin Extended Additional: ạ ả ấ … ỹ
)
CHARSET = "".join(chr(c) for c in range(0x20, 0x7F)) + _VIETNAMESE + "–—…‘’“”°·×"
_UNITS_PER_EM = 1000


@lru_cache(maxsize=8)
def subset_bytes(path: Path) -> bytes:
    """The font at ``path`` cut to :data:`CHARSET` and rescaled to 1000 units per em."""
    try:
        font = ttLib.TTFont(path)
    except (OSError, ttLib.TTLibError) as err:
        raise SigningError(f"Không đọc được phông chữ {path}: {err}") from err
    if font["head"].unitsPerEm != _UNITS_PER_EM:
        scale_upem(font, _UNITS_PER_EM)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the PostScript name pyHanko reads
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # a FontForge timestamp fontTools cannot subset
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=CHARSET)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Font:
    """A font file to embed, by path; its subset is computed on first use and kept."""

    path: Path

    def engine(self, writer: BasePdfFileWriter, size: float = 10) -> GlyphAccumulator:
        """A pyHanko font engine on the small subset, registered with ``writer``."""
        return GlyphAccumulator(writer, io.BytesIO(subset_bytes(self.path)), size)
