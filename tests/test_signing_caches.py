"""Per-process caches of the signing path (issue 19 item 4). Keys unlocked once per process: the
same file and password give the key kept in memory, without decrypting the file again; a wrong
password is still refused, a replaced file is read anew, an entry lasts its time and the cache
its size. Fonts cut once, before the server forks its workers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.demo import DEMO_PASSWORD
from engine.signatures.key_cache import UnlockedKeys
from engine.signatures.signatures import Keys
from signing.errors import WrongSecret
from signing.keystore.keys import KeySource, Pkcs12Key


class Counting:
    """Pkcs12Key.from_file, counting the files it decrypts."""

    def __init__(self) -> None:
        self.loads = 0

    def __call__(self, path: Path, password: str) -> KeySource:
        self.loads += 1
        return Pkcs12Key.from_file(path, password)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _subject(source: KeySource) -> str:
    return str(source.certificate.subject.human_friendly)


def test_the_same_key_is_decrypted_once(demo_pki: Path) -> None:
    cache, load = UnlockedKeys(), Counting()
    path = demo_pki / "people" / "btl_director.p12"
    first = cache.get(path, DEMO_PASSWORD, load)
    assert cache.get(path, DEMO_PASSWORD, load) is first
    assert load.loads == 1


def test_a_wrong_password_is_refused_after_the_right_one_was_kept(demo_pki: Path) -> None:
    cache, load = UnlockedKeys(), Counting()
    path = demo_pki / "people" / "btl_director.p12"
    cache.get(path, DEMO_PASSWORD, load)
    with pytest.raises(WrongSecret):
        cache.get(path, "not-the-password", load)


def test_a_replaced_file_is_read_again(demo_pki: Path, tmp_path: Path) -> None:
    cache, load = UnlockedKeys(), Counting()
    path = tmp_path / "key.p12"
    shutil.copy(demo_pki / "people" / "btl_director.p12", path)
    before = cache.get(path, DEMO_PASSWORD, load)
    shutil.copy(demo_pki / "people" / "btl_deputy1.p12", path)  # another holder's key, same name
    after = cache.get(path, DEMO_PASSWORD, load)
    assert load.loads == 2 and _subject(after) != _subject(before)


def test_an_entry_lasts_its_time_and_the_cache_its_size(demo_pki: Path) -> None:
    clock, load = Clock(), Counting()
    cache = UnlockedKeys(ttl=60, max_entries=1, clock=clock)
    director, deputy = demo_pki / "people" / "btl_director.p12", demo_pki / "people" / "btl_deputy1.p12"
    cache.get(director, DEMO_PASSWORD, load)
    clock.now += 61
    cache.get(director, DEMO_PASSWORD, load)
    assert load.loads == 2  # expired: decrypted again
    cache.get(deputy, DEMO_PASSWORD, load)
    cache.get(director, DEMO_PASSWORD, load)
    assert load.loads == 4  # one entry at most: the deputy's pushed the director's out


def test_the_servers_keys_give_the_same_key_as_a_fresh_process(demo_pki: Path) -> None:
    keys = Keys(demo_pki, (demo_pki / "root.pem",))
    kept = keys.person("btl_director", DEMO_PASSWORD)
    fresh = Pkcs12Key.from_file(keys.person_file("btl_director", ".p12"), DEMO_PASSWORD)
    assert keys.person("btl_director", DEMO_PASSWORD) is kept
    assert kept.certificate.dump() == fresh.certificate.dump()
    assert keys.agency("btl", DEMO_PASSWORD) is keys.agency("btl", DEMO_PASSWORD)


def test_the_signature_fonts_are_cut_before_the_workers_fork() -> None:
    """What `qlvb serve` calls before forking: after it, no appearance font is cut again in a
    worker (the subsets are inherited), and each subset is the one a fresh process cuts."""
    import os

    from signing.pdf import fonts

    fonts.subset_bytes.cache_clear()
    assert fonts.warm() == len(fonts.APPEARANCE_FONTS)
    cut = fonts.subset_bytes.cache_info().misses
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: every font already there
        for path in fonts.APPEARANCE_FONTS:
            fonts.subset_bytes(path)
        os.write(write, str(fonts.subset_bytes.cache_info().misses).encode())
        os._exit(0)
    os.close(write)
    misses_in_child = int(os.read(read, 64).decode())
    os.waitpid(child, 0)
    assert misses_in_child == cut
    kept = _font(fonts.subset_bytes(fonts.NOTO_SANS))
    fonts.subset_bytes.cache_clear()
    fresh = _font(fonts.subset_bytes(fonts.NOTO_SANS))  # as a fresh process cuts it (its save time aside)
    assert kept.getGlyphOrder() == fresh.getGlyphOrder()
    assert kept.getBestCmap() == fresh.getBestCmap()
    assert kept["hmtx"].metrics == fresh["hmtx"].metrics


def _font(data: bytes) -> Any:
    import io

    from fontTools import ttLib

    return ttLib.TTFont(io.BytesIO(data))


def test_a_report_is_plain_data_and_its_json_no_deep_copy() -> None:
    """Issue 19: ``SignatureReport.to_json`` deep-copied pyHanko's parsed PDF through the field
    name (a pyHanko string object pointing into it), ~5 ms a report; now the name is a plain str
    and the JSON holds plain values, the same ones."""
    import dataclasses
    import json

    from signing.pades.verify import verify_pdf
    from tests import signing_support as s

    reports = verify_pdf(s.fully_signed(), [s.demo_pki().root.certificate])
    assert [r.field for r in reports] == ["LanhDao", "CoQuan"] and all(r.valid for r in reports)
    for report in reports:
        data = report.to_json()
        assert all(type(v) in (str, bool, type(None)) for v in data.values()), data
        assert data == {f.name: getattr(report, f.name) for f in dataclasses.fields(report)}
        assert json.loads(json.dumps(data, ensure_ascii=False)) == data
