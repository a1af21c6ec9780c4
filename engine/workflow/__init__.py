"""Running the agencies' procedures: BPMN definitions (safe loading, validation, versioned
deployment, the spec cache), cases and their steps, the serialized state, timers and deadlines
(when a task is due: ``deadlines`` owns the rule), lanes resolved to people (roles), task forms,
actions a completed task triggers, the sandbox and budgets for a diagram's scripts, replay
of a case's history, and the surgery operators' repairs make on a workflow.

May import: engine.core, engine.models, engine.org, engine.documents, engine.registry,
engine.signatures, engine.office (actions are where a procedure reaches the documents), engine.audit.
"""
