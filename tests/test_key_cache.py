"""Keys unlocked once per process (issue 19 item 4): the same file and password give the key
kept in memory, without decrypting the file again; a wrong password is still refused, a
replaced file is read anew, an entry lasts its time and the cache its size."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.demo import DEMO_PASSWORD
from engine.signatures.key_cache import UnlockedKeys
from engine.signatures.signatures import Keys
from signing.errors import WrongSecret
from signing.keys import KeySource, Pkcs12Key


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
