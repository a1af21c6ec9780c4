"""The web entry point: the JSON API and the pages, over the services in ``engine``."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from engine.config import Settings
from engine.errors import DomainError, InvalidData
from engine.platform import Platform


def create_app(platform: Platform | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    platform = platform or Platform.from_settings(Settings.from_env())
    # Uploads are checked against the configured limit as they stream; this only stops
    # a request far beyond it before it is read.
    app.config["MAX_CONTENT_LENGTH"] = platform.settings.max_upload_bytes + 1024 * 1024
    app.extensions["qlvb"] = platform

    from . import api, api_documents, api_registers, api_search

    app.register_blueprint(api.bp)
    app.register_blueprint(api_documents.bp)
    app.register_blueprint(api_registers.bp)
    app.register_blueprint(api_search.bp)

    @app.get("/")
    def index() -> str:
        """The landing page: what the platform is and where its API lives."""
        return render_template("index.html")

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError) -> Any:
        body: dict[str, Any] = {"error": err.message}
        if isinstance(err, InvalidData):
            body["fields"] = err.fields
        return jsonify(body), err.status

    @app.errorhandler(StaleDataError)
    def stale(_err: StaleDataError) -> Any:
        return jsonify({"error": "Hồ sơ vừa được người khác cập nhật, vui lòng tải lại."}), 409

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        return jsonify({"error": err.description or err.name}), err.code

    return app
