"""Chứng thư số của tôi: the certificates registered to me, and the enrollment of the one on my
USB token through my sign agent (engine.signatures.certificates): the page's script reads the certificate from
the agent, asks for the enrollment request, has the agent sign it once I typed my PIN there (my
confirmation, and the proof that the token holds the key), and sends the signature back."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, request
from flask_babel import gettext

from engine.signatures import certificates, signatures
from webui.common.context import platform, signing_desk
from webui.common.pageutil import render, staff

bp = Blueprint("certificate_settings", __name__)


@bp.get("/settings/certificates")
def show() -> Any:
    with staff(write=False) as (db, user, _now):
        return render("settings/certificates.html", db, user,
                      registered=[certificates.describe(c) for c in certificates.of_user(db, user.id)],
                      agent_port=platform().settings.sign_agent_port)


@bp.post("/settings/certificates/enrollment-request")
def enrollment_request() -> Any:
    """Given the certificate the agent read (JSON ``{"certificate": base64 DER}``), the request
    the agent is to sign."""
    given = request.get_json(silent=True)
    certificate = given.get("certificate") if isinstance(given, dict) else None
    with staff(write=False) as (_db, user, now):
        return jsonify(certificates.enrollment_request(user, certificate, now)), 201


@bp.post("/settings/certificates")
def enroll() -> Any:
    """The certificate, the request the agent signed and its signature (JSON): registered."""
    given = request.get_json(silent=True)
    keys = signing_desk(signatures.Credentials()).keys
    with staff(write=True) as (db, user, now):
        row = certificates.enroll_with_token(db, keys, user, given, now)
        registered = certificates.describe(row)
    flash(gettext("Đã đăng ký chứng thư số của %(name)s.", name=registered["subject_name"]), "success")
    return jsonify(registered), 201
