"""Small Vietnamese subsets of TrueType fonts, made once per process, for signature appearances.

pyHanko subsets the stamp font again for every signature (~200 ms with a full font) and
writes glyph widths in the font's own units, which spreads letters apart unless the font
has 1000 units per em. So each font is cut once to the letters an appearance can need and
rescaled to 1000 units per em; every signature then works on a file of a few kilobytes.
"""

from __future__ import annotations

import io
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import uharfbuzz as hb
from fontTools import subset, ttLib
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngine
from pyhanko.pdf_utils.font.opentype import CIDFontType2, GlyphAccumulator, _read_ps_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter

from signing.errors import SigningError

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
# Always in every subset, so that two signatures of the same person differ in no glyph (the time
# changes only digits) and the font program cut for the first serves them all.
_ALWAYS = "0123456789:/+-. "
_PROGRAMS: OrderedDict[tuple[Path, frozenset[int]], bytes] = OrderedDict()
_PROGRAMS_LOCK = threading.Lock()
_MAX_PROGRAMS = 256  # a few kilobytes each


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
    font.recalcTimestamp = False  # the same bytes in every process (not the time of the cut)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


class _ProgramFont(CIDFontType2):
    """A TrueType CID font whose embedded program is given, not re-saved from the parsed font."""

    program: bytes = b""  # deflated

    def set_font_file(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        stream = generic.StreamObject({generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode")},
                                      encoded_data=self.program)
        ref = writer.add_object(stream)
        self._font_descriptor[generic.pdf_name("/FontFile2")] = ref
        return ref


@dataclass(frozen=True)
class _Parsed:
    """A subset font parsed once per process: HarfBuzz's face and fontTools' tables, every table
    decompiled up front so that the threads signing at once only read them."""

    face: hb.Face
    tt: ttLib.TTFont
    ps_name: str


@lru_cache(maxsize=8)
def _parsed(path: Path) -> _Parsed:
    tt = ttLib.TTFont(io.BytesIO(subset_bytes(path)))
    tt.ensureDecompiled()
    tt.getGlyphOrder()
    tt["cmap"].buildReversed()
    if "CFF " in tt:  # embedded otherwise by pyHanko (CIDFontType0): not what _CachingAccumulator builds
        raise SigningError(f"Phông chữ {path} không phải TrueType.")
    return _Parsed(hb.Face(subset_bytes(path)), tt, _read_ps_name(tt))


class _CachingAccumulator(GlyphAccumulator):
    """pyHanko's glyph accumulator, which parses the font and cuts and saves its program for every
    signature (~50 ms a font, ~2.5 ms once the font is small); this one starts from the parsed
    font of :func:`_parsed` and keeps the program of each glyph set it has cut."""

    def __init__(self, writer: BasePdfFileWriter, path: Path, size: float) -> None:
        # GlyphAccumulator.__init__ (pyHanko 0.x) with the parsed font instead of parsing it again:
        # the same attributes, for a TrueType font (no CFF table) and pyHanko's defaults.
        parsed = _parsed(path)
        # pyHanko annotates an int; GlyphAccumulator passes its untyped size through, a float here.
        FontEngine.__init__(self, writer, parsed.ps_name, embedded_subset=True, font_size=size)  # type: ignore[arg-type]
        self.hb_font = hb.Font(parsed.face)
        self.tt = parsed.tt
        self._font_ref = writer.allocate_placeholder()
        self.cff_charset, self.use_raw_gids = None, True
        self.cidfont_obj = _ProgramFont(parsed.tt, parsed.ps_name, self.subset_prefix)
        self.features = None
        self.units_per_em = parsed.tt["head"].unitsPerEm
        self._glyphs = {}
        self._glyph_set = parsed.tt.getGlyphSet(preferCFF=True)
        self._cid_to_unicode = {}
        self._GlyphAccumulator__reverse_cmap = None
        self.ot_language_tag = self.ot_script_tag = self.writing_direction = self.bcp47_lang_code = None
        self._subset_created = self._write_prepared = False
        self._path = path
        self.shape(_ALWAYS, with_actual_text=False)

    def prepare_write(self) -> None:
        if self._write_prepared:
            return
        key = (self._path, frozenset(self._glyphs))
        with _PROGRAMS_LOCK:
            program = _PROGRAMS.get(key)
        if program is None:
            # Cutting changes the font it cuts: a copy of its own, never the shared one.
            self.tt = ttLib.TTFont(io.BytesIO(subset_bytes(self._path)))
            self._extract_subset()
            self.tt.recalcTimestamp = False
            out = io.BytesIO()
            self.tt.save(out)
            program = zlib.compress(out.getvalue())
            with _PROGRAMS_LOCK:
                _PROGRAMS[key] = program
                while len(_PROGRAMS) > _MAX_PROGRAMS:
                    _PROGRAMS.popitem(last=False)
        assert isinstance(self.cidfont_obj, _ProgramFont)
        self.cidfont_obj.program = program
        self._subset_created = True
        super().prepare_write()


@dataclass(frozen=True)
class Font:
    """A font file to embed, by path; its subset is computed on first use and kept."""

    path: Path

    def engine(self, writer: BasePdfFileWriter, size: float = 10) -> GlyphAccumulator:
        """A pyHanko font engine on the small subset, registered with ``writer``."""
        return _CachingAccumulator(writer, self.path, size)


APPEARANCE_FONTS = (NOTO_SANS, NOTO_SANS_BOLD, TIMES_SUBSTITUTE, TIMES_SUBSTITUTE_ITALIC)


def warm() -> int:
    """Cut and parse every appearance font now, before a server forks its workers: they inherit the
    subsets instead of each cutting them at its first signatures (2.7 CPU-s a process, issue 19).
    Returns how many fonts are ready; a missing font is left for its first use to report."""
    ready = 0
    for path in APPEARANCE_FONTS:
        if path.is_file():
            subset_bytes(path)
            _parsed(path)
            ready += 1
    return ready
