"""The historical resolver's copies and reference walks are the same with the fast versions as
with pyHanko's own, object for object, on every revision of an issued document."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader, RawPdfPath

from signing.speedups import fasthistory
from tests import signing_support as s


def _shape(obj: Any) -> Any:
    """Everything that matters of a copy: types, values, and where references resolve."""
    def ref(r: Any) -> Any:
        return None if r is None else (type(r).__name__, getattr(r, "idnum", None), getattr(r, "generation", None),
                                       id(getattr(r, "pdf", None)))
    if isinstance(obj, generic.IndirectObject):
        return "ref", obj.idnum, obj.generation, id(obj.get_pdf_handler())
    if isinstance(obj, dict):
        return type(obj).__name__, ref(obj.container_ref), {k: _shape(v) for k, v in obj.items()}, \
            getattr(obj, "encoded_data", None)
    if isinstance(obj, list):
        return type(obj).__name__, ref(obj.container_ref), [_shape(v) for v in obj]
    return type(obj).__name__, obj, ref(obj.container_ref)


def _objects(reader: PdfFileReader) -> list[generic.Reference]:
    refs = set()
    for revision in range(reader.xrefs.total_revisions):
        refs |= set(reader.xrefs.explicit_refs_in_revision(revision))
    return sorted(refs, key=lambda r: (r.idnum, r.generation))


@pytest.fixture(scope="module")
def issued() -> bytes:
    return s.fully_signed()


def _pyhanko(monkeypatch: pytest.MonkeyPatch, call: Any) -> Any:
    """``call()`` with pyHanko's own walks, recursion included."""
    with monkeypatch.context() as patch:
        patch.setattr(HistoricalResolver, "_subsume_object", fasthistory._pyhanko_subsume)
        patch.setattr(HistoricalResolver, "_collect_indirect_references", fasthistory._pyhanko_collect)
        return call()


def test_copies_as_pyhanko_makes_them(issued: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    reader = PdfFileReader(io.BytesIO(issued))
    compared = 0
    for revision in range(reader.xrefs.total_revisions):
        resolver = HistoricalResolver(reader, revision)
        for ref in _objects(reader):
            if reader.xrefs.get_historical_ref(ref, revision) is None:
                continue
            raw = reader.get_object(ref, revision, transparent_decrypt=False)
            ours = fasthistory.subsume_object(resolver, raw)
            theirs = _pyhanko(monkeypatch, lambda: resolver._subsume_object(raw))  # noqa: B023
            assert _shape(ours) == _shape(theirs), (revision, ref)
            compared += 1
    assert compared > 50


def test_plain_value_without_container_is_refused_as_by_pyhanko(issued: bytes) -> None:
    resolver = PdfFileReader(io.BytesIO(issued)).get_historical_resolver(0)
    with pytest.raises(generic.PdfReadError):
        fasthistory.subsume_object(resolver, generic.NumberObject(7))
    with pytest.raises(generic.PdfReadError):
        fasthistory.subsume_object(resolver, generic.ArrayObject([generic.NumberObject(7)]))


def test_dependencies_as_pyhanko_finds_them(issued: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    reader = PdfFileReader(io.BytesIO(issued))
    found = 0
    for revision in range(reader.xrefs.total_revisions):
        resolver = reader.get_historical_resolver(revision)
        for ref in _objects(reader):
            if reader.xrefs.get_historical_ref(ref, revision) is None:
                continue
            obj = generic.IndirectObject(ref.idnum, ref.generation, resolver)
            for since in (None, 0, revision):
                ours: set[generic.Reference] = set()
                theirs: set[generic.Reference] = set()
                fasthistory.collect_indirect_references(resolver, obj, ours, since)
                _pyhanko(monkeypatch, lambda: resolver._collect_indirect_references(obj, theirs, since))  # noqa: B023
                assert ours == theirs, (revision, ref, since)
                found += len(ours)
    assert found > 100


def _usages(reader: PdfFileReader, revision: int) -> dict[generic.Reference, set[tuple[Any, ...]]]:
    resolver = HistoricalResolver(reader, revision)
    resolver._load_reverse_xref_cache()
    assert resolver._indirect_object_access_cache is not None
    return {ref: {p.path for p in paths} for ref, paths in resolver._indirect_object_access_cache.items()}


def test_paths_to_references_as_pyhanko_lists_them(issued: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reverse lookup of the difference analysis (every path from the trailer to every
    reference, in sets of paths) is the same with the fast hash as with pyHanko's."""
    reader = PdfFileReader(io.BytesIO(issued))
    listed = 0
    for revision in range(reader.xrefs.total_revisions):
        ours = _usages(reader, revision)
        with monkeypatch.context() as patch:
            patch.setattr(RawPdfPath, "__hash__", fasthistory._pyhanko_path_hash)
            theirs = _usages(reader, revision)
        assert ours == theirs, revision
        listed += sum(len(paths) for paths in ours.values())
    assert listed > 100


def test_path_hash_agrees_with_pyhankos_equality() -> None:
    paths = [RawPdfPath("/Root", "/AcroForm", "/Fields", 0), RawPdfPath("/Root", "/AcroForm", "/Fields", 0),
             RawPdfPath("/Root", "/AcroForm", "/Fields", 1), RawPdfPath("/Root", "/Pages", "/Kids", 0, "/Annots"),
             RawPdfPath("/Root", "/Pages", "/Kids", 0, "/Annots"), RawPdfPath("/Root", "/Pages", "/Kids", "0"),
             RawPdfPath(), RawPdfPath(True), RawPdfPath(1)]
    for a in paths:
        for b in paths:
            if a == b:  # pyHanko's __eq__, kept
                assert fasthistory.path_hash(a) == fasthistory.path_hash(b)
    assert len(set(paths)) == len({tuple((isinstance(x, int), x) for x in p.path) for p in paths}) == 6


def test_installed() -> None:
    assert fasthistory.installed()
