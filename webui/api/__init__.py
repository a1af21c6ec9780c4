"""The JSON API (``/api``): one module per area (workflow: tokens, processes, cases and tasks;
documents, records, registers, reports...; the ``signing`` room: certificates and ký số từ xa),
each a blueprint of thin views over ``engine``'s services, registered with their request and
response shapes (``webui.contract.route.api_route``); ``util`` is what the views share (the Bearer
user, one transaction around a service call).
May import ``webui.contract``, ``webui.common`` and ``engine``; never ``webui.pages``."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> tuple[Blueprint, ...]:
    from . import (
        approvals,
        conversations,
        delegations,
        documents,
        exchange,
        info,
        notifications,
        records,
        registers,
        reports,
        search,
        workflow,
    )
    from .signing import certificates, remote_signing

    return (workflow.bp, certificates.bp, exchange.bp, documents.bp, notifications.bp, conversations.bp,
            records.bp, reports.bp, registers.bp, search.bp, approvals.bp, delegations.bp, info.bp,
            remote_signing.bp)
