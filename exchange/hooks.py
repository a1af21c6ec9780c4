"""The exchange's part in the engine's steps (:mod:`engine.hooks`): a document issued or
recalled goes to the recipients of other installations, the milestones of a case send their
statuses back, a liên thông message to another installation's agency travels as a package, and
the register's "Nơi nhận" shows each recipient's latest status.

Every process that runs the engine with the exchange installs these when it starts:
``webui.create_app`` and the ``qlvb`` command group (so ``qlvb serve`` and ``qlvb worker``)."""

from __future__ import annotations

from engine import hooks

from . import forwarding, milestones, sending, statuses


def install() -> None:
    hooks.document_issued.register(sending.queue_issued)
    hooks.document_recalled.register(sending.queue_recall)
    hooks.case_moved.register(milestones.reached)
    hooks.message_forwarded.register(forwarding.forward)
    hooks.message_replied.register(forwarding.reply)
    hooks.recipient_statuses.register(statuses.latest)
    hooks.TASK_PROPERTIES[milestones.PROPERTY] = milestones.parse
