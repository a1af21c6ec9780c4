"""What a person is told after a decision: the act, in the words of the button they pressed
(Đã trình, Đã trả lại để sửa, Đã ký số), the document, and who holds it now, by name and
position; or that the case has ended."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from webui.common.pageutil import person_text


def act_of(label: str | None) -> str:
    """The button's label as a done act: "Duyệt và trình" -> "duyệt và trình"."""
    if not label:
        return gettext("xử lý")
    return label[0].lower() + label[1:] if not label[:2].isupper() else label


def after_decision(label: str | None, title: str, holding: dict[str, Any]) -> str:
    done = gettext("Đã %(act)s: %(title)s.", act=act_of(label), title=title)
    if holding["finished"]:
        now = gettext("Hồ sơ đã kết thúc.")
    elif not holding["steps"]:
        now = gettext("Hồ sơ đang chờ bước tự động (hẹn giờ hoặc văn bản liên thông).")
    else:
        where = "; ".join(f"{s['title']} – {', '.join(person_text(p) for p in s['people'])}" for s in holding["steps"])
        now = gettext("Văn bản đang ở: %(where)s.", where=where)
    return f"{done} {now}"
