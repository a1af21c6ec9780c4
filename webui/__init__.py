"""The web entry point: the JSON API and the staff's pages, over the services in ``engine``."""

from __future__ import annotations

import os

from flask import Flask

from engine.config import Settings
from engine.platform import Platform


def create_app(platform: Platform | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    platform = platform or Platform.from_settings(Settings.from_env())
    app.extensions["qlvb"] = platform

    from . import (
        admin_pages,
        api,
        api_approvals,
        api_certificates,
        api_conversations,
        api_delegations,
        api_documents,
        api_exchange,
        api_info,
        api_notifications,
        api_records,
        api_registers,
        api_remote_signing,
        api_reports,
        api_search,
        apiinput,
        apiutil,
        approval_pages,
        audit_pages,
        auth,
        case_pages,
        certificate_settings,
        create,
        delegation_pages,
        designer,
        document_pages,
        errors,
        i18n,
        inbox,
        info_pages,
        intake_pages,
        lifecycle_pages,
        limits,
        message_pages,
        notices,
        notification_settings,
        pageutil,
        placement_pages,
        record_pages,
        register_pages,
        remote_signing_pages,
        report_pages,
        search_pages,
        security,
        statistics_pages,
        task_pages,
    )

    limits.init_app(app, platform.settings)  # first: before anything reads the body
    security.init_app(app, platform.settings.data_dir, platform.settings.token_ttl, os.environ,
                      platform.settings.sign_agent_port)
    i18n.init_app(app)
    pageutil.init_app(app)
    errors.register(app)
    apiinput.init_app(app)
    apiutil.init_app(app)

    for blueprint in (api.bp, api_certificates.bp, api_exchange.bp, api_documents.bp, api_notifications.bp,
                      api_conversations.bp, api_records.bp, api_reports.bp, api_registers.bp, api_search.bp, auth.bp,
                      inbox.bp, notices.bp, task_pages.bp, case_pages.bp, document_pages.bp, create.bp, designer.bp,
                      search_pages.bp, register_pages.bp, report_pages.bp, delegation_pages.bp, audit_pages.bp,
                      record_pages.bp, message_pages.bp, notification_settings.bp, certificate_settings.bp,
                      statistics_pages.bp, admin_pages.bp, intake_pages.bp, lifecycle_pages.bp, placement_pages.bp,
                      api_approvals.bp, approval_pages.bp, api_delegations.bp, api_info.bp, info_pages.bp,
                      remote_signing_pages.bp, api_remote_signing.bp):
        app.register_blueprint(blueprint)
    return app
