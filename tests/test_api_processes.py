"""``GET /api/v1/processes/{id}``: a client learns a process's start form from the API rather
than guessing it, and the form's messages are Vietnamese throughout."""

from __future__ import annotations

from tests.conftest import Api


def test_a_process_comes_with_its_start_form(api: Api) -> None:
    r = api.get("vn_clerk", "/api/v1/processes/vn_five_step")
    assert r.status_code == 200, r.get_json()
    found = r.get_json()
    assert (found["id"], found["agency"], found["can_start"], found["starts_on_message"]) == (
        "vn_five_step", "vanninh,vanninh_tckh,vanninh_xa", True, False)
    form = found["start_form"]
    assert {"subject", "number_symbol", "document_date"} <= set(form["properties"])

    # The form is the one the API checks a new case against.
    data = {name: "x" for name in form.get("required", [])}
    data.update(channel="electronic", doc_type="CV", document_date="25/02/2026")
    r = api.post("vn_clerk", "/api/v1/cases", {"process": "vn_five_step", "data": data})
    assert r.status_code == 422
    assert r.get_json()["fields"]["document_date"] == "Không đúng định dạng ngày (năm-tháng-ngày, ví dụ 2026-03-05)."

    # Another agency's process is not found; a liên thông process starts on a message.
    assert api.get("btl_clerk", "/api/v1/processes/vn_five_step").status_code == 404
    agency = api.get("tckh_head", "/api/v1/processes/vn_lienthong_agency").get_json()
    assert (agency["can_start"], agency["starts_on_message"], agency["start_form"]) == (False, True, None)
    assert api.get("vn_clerk", "/api/v1/processes/no_such_process").status_code == 404
