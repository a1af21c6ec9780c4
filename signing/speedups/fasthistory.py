"""Two of pyHanko's walks over a historical revision, without a call per number or name, and
the hash of the paths its difference analysis files every reference under.

pyHanko's difference analysis looks at the signed revision and each later one through a
``HistoricalResolver``, which copies every object it hands out (``_subsume_object``) and walks
object graphs to find new references (``_collect_indirect_references``). Both recurse into every
value, though a number, name, string, boolean or null holds no reference and is handed out as it
is. An embedded font's ``/W`` array alone has hundreds of numbers, and an issued document has
four such fonts, so those calls were ~20% of its validation (cProfile, 2026-12-04).

These versions do what pyHanko 0.38's do, step for step, but skip the call for such plain values
of exactly pyHanko's primitive types (a value without ``container_ref``, on which pyHanko raises,
still goes through pyHanko's code); every other object goes through the same steps as in pyHanko.

Before comparing a signed revision with the next, the analysis lists every path from the trailer
to every reference of the signed revision (``HistoricalResolver._load_reverse_xref_cache``) in
sets of ``RawPdfPath``, whose ``__hash__`` builds a tuple of ``(isinstance(x, int), x)`` for
every step of the path at every call (~4% of validating a B-LT issued document, A/B in one
process, 2026-12-07). :func:`path_hash` hashes the path's own tuple instead. pyHanko's ``__eq__`` is kept:
two paths it calls equal have equal steps, so equal tuples and equal hashes, which is all a set
needs (the hash value itself differs from pyHanko's, as a string's does from one process to the
next; nothing depends on the order of these sets).

Installed only on the pyHanko version they were checked against (setup.cfg pins it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, RawPdfPath

# exactly these classes (not subclasses): pyHanko's _subsume_object returns them unchanged and
# _collect_indirect_references finds nothing in them
_PLAIN = frozenset({generic.NumberObject, generic.FloatObject, generic.NameObject, generic.TextStringObject,
                    generic.ByteStringObject, generic.BooleanObject, generic.NullObject})
_pyhanko_subsume = HistoricalResolver._subsume_object
_pyhanko_collect = HistoricalResolver._collect_indirect_references
_pyhanko_path_hash = RawPdfPath.__hash__


def _plain(value: Any) -> bool:
    return type(value) in _PLAIN and value.container_ref is not None


def subsume_object(self: HistoricalResolver, obj: Any) -> Any:
    """pyHanko's ``HistoricalResolver._subsume_object``: a copy of ``obj`` whose references
    resolve in this revision. Plain dictionaries and arrays are copied here, as pyHanko does;
    everything else (streams, encrypted objects, references) by pyHanko."""
    kind = type(obj)
    if kind is not generic.DictionaryObject and kind is not generic.ArrayObject:
        return obj if _plain(obj) else _pyhanko_subsume(self, obj)
    container_ref = obj.get_container_ref()
    container_ref = generic.Reference(idnum=container_ref.idnum, generation=container_ref.generation, pdf=self)
    result: generic.DictionaryObject | generic.ArrayObject
    if kind is generic.DictionaryObject:
        result = generic.DictionaryObject(
            {k: v if _plain(v) else self._subsume_object(v) for k, v in obj.items()})
    else:
        result = generic.ArrayObject(v if _plain(v) else self._subsume_object(v) for v in obj)
    result.container_ref = container_ref
    return result


def collect_indirect_references(self: HistoricalResolver, obj: Any, seen: set[generic.Reference],
                                since_revision: int | None = None) -> None:
    """pyHanko's ``HistoricalResolver._collect_indirect_references``, the same steps, without a
    call for the plain values of a dictionary or an array."""
    if isinstance(obj, generic.IndirectObject):
        ref = obj.reference
        if ref in seen:
            return
        relevant = since_revision is None or self.reader.xrefs.get_introducing_revision(ref) >= since_revision
        if relevant:
            seen.add(ref)
        elif since_revision is not None:
            return  # older objects hold no newer references: pyHanko does not go into them either
        obj = self(ref)
    values: Iterable[Any]
    if isinstance(obj, generic.DictionaryObject):
        values = obj.values()
    elif isinstance(obj, generic.ArrayObject):
        values = obj
    else:
        return
    for v in values:
        if type(v) not in _PLAIN:
            self._collect_indirect_references(v, seen, since_revision)


def path_hash(self: RawPdfPath) -> int:
    """``RawPdfPath.__hash__``, consistent with pyHanko's ``RawPdfPath.__eq__``."""
    return hash(self.path)


def install() -> None:
    """Make pyHanko's historical resolver use these walks, and its paths this hash (``signing``
    does, on the pyHanko version they were checked against). Idempotent."""
    HistoricalResolver._subsume_object = subsume_object  # type: ignore[method-assign]
    HistoricalResolver._collect_indirect_references = collect_indirect_references  # type: ignore[method-assign]
    RawPdfPath.__hash__ = path_hash  # type: ignore[method-assign]


def installed() -> bool:
    return (HistoricalResolver._subsume_object is subsume_object
            and HistoricalResolver._collect_indirect_references is collect_indirect_references
            and RawPdfPath.__hash__ is path_hash)
