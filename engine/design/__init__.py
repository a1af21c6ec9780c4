"""The process designer: drafts of diagrams, their validation and deployment (designer), the
difference between two versions (process_diff) and the layout of a diagram for display
(bpmn_layout).

May import: engine.core, engine.models, engine.org, engine.audit, engine.workflow.
"""
