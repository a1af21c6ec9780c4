"""Liên thông between agencies of one installation: BPMN messages from a case of one agency
to a case of another (case_messages), where a diagram's messages may go (message_routes) and
the exchange agreements that allow it (agreements).

May import: engine.core, engine.models, engine.org, engine.audit, engine.workflow.
"""
