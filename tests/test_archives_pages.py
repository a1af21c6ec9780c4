"""The archives page (/archives) through the Flask test client: the clerk sees the record due for
hand-over and downloads its package from the page; the expired record is listed for destruction
from the page's form, reviewed by the office chief, approved by the director and carried out by
the clerk, each on the same page; the minutes are linked; a specialist is refused the page."""

from __future__ import annotations

import io
import re
import zipfile

from engine.archives import schema
from engine.core.platform import Platform
from tests.conftest import Api
from tests.test_archives import _document, _record
from tests.test_ui_records import _client as client_for
from tests.test_ui_records import _post as post


def test_the_archives_page_hands_over_and_destroys(api: Api, platform: Platform) -> None:
    docs = [_document(api, n, f"Van ban so {n}") for n in (1, 2, 3)]
    handed = _record(api, "05.PCD", "10 năm", "2024-06-30", [d for d, _ in docs[:2]])
    expired = _record(api, "01.HH", "5 năm", "2015-06-30", [docs[2][0]])
    clerk = client_for(platform, "btl_clerk")
    page = clerk.get("/archives").get_data(as_text=True)
    due = page.split('data-testid="handover-due"')[1].split("</table>")[0]
    links = dict((int(i), href) for href, i in re.findall(r'href="(/archives/records/(\d+)/package)"', due))
    assert set(links) == {handed, expired} and "000.99.01.H26.2024.05.PCD" in due  # neither handed over yet
    download = clerk.get(links[handed])
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "attachment" in download.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert schema.errors("mets", archive.read("000.99.01.H26.2024.05.PCD/METS.xml")) == []

    listed = page.split('data-testid="expired"')[1].split("</table>")[0]
    assert f'value="{expired}"' in listed and f'value="{handed}"' not in listed
    assert post(clerk, "/archives/destructions", {"record_id": str(expired), "reason": "Hết thời hạn bảo quản"}
                ).status_code == 302
    list_id = re.findall(r'data-list="(\d+)"', clerk.get("/archives").get_data(as_text=True))[0]
    chief, director = client_for(platform, "btl_office_chief"), client_for(platform, "btl_director")
    assert post(director, f"/archives/destructions/{list_id}/approve", {"agree": "1"}).status_code == 302
    assert 'data-status="proposed"' in clerk.get("/archives").get_data(as_text=True)  # out of order: refused
    assert post(chief, f"/archives/destructions/{list_id}/review", {"agree": "1", "note": "Đồng ý"}).status_code == 302
    assert post(director, f"/archives/destructions/{list_id}/approve", {"agree": "1"}).status_code == 302
    assert post(clerk, f"/archives/destructions/{list_id}/carry-out",
                {"backups_note": "Bản sao lưu đêm trên máy chủ dự phòng, xoay vòng 30 ngày"}).status_code == 302
    after = clerk.get("/archives").get_data(as_text=True)
    assert 'data-status="destroyed"' in after
    minutes = re.search(rf'href="(/archives/destructions/{list_id}/minutes.pdf)"', after)
    assert minutes is not None and clerk.get(minutes[1]).data.startswith(b"%PDF")
    assert client_for(platform, "btl_spec_khnv").get("/archives").status_code == 403
