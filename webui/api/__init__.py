"""The JSON API (``/api``), in the same rooms as the pages: ``paper`` (documents, registers, records,
search, để biết), ``work`` (``workflow``: tokens, processes, cases and tasks; messages,
notifications), ``account``, ``administration`` and ``oversight``; one module per area, each a
blueprint of thin views over ``engine``'s services, registered with their request and response
shapes (``webui.contract.route.api_route``);
``util`` is what the views share (the Bearer user, one transaction around a service call).
May import ``webui.contract``, ``webui.common`` and ``engine``; never ``webui.pages``."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    from webui.api.account import certificates, delegations
    from webui.api.administration import approvals, exchange, operations, retention
    from webui.api.oversight import reports
    from webui.api.paper import archives, documents, info, records, registers, scans, search
    from webui.api.work import conversations, notifications, remote_signing, signing_status, workflow

    return (workflow.bp, certificates.bp, exchange.bp, exchange.packages_bp, documents.bp, notifications.bp,
            conversations.bp, records.bp, reports.bp, registers.bp, search.bp, approvals.bp, delegations.bp, info.bp,
            operations.bp, remote_signing.bp, signing_status.bp, scans.bp, archives.bp, retention.bp)
