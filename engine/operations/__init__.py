"""Operating running cases (vận hành): the incident desk (sự cố: every case with a failed step,
the error in Vietnamese, and its repairs — reassign an open task, retry the step, move the
case to another task of its diagram, cancel it) and moving running cases from one version
of their process to the next (a dry run, a batch of one transaction per case, and revert).
Every repair and move is one audit entry that ``qlvb audit replay`` makes again.

Owns: ``incidents`` (the desk's list and its repairs), ``orphans`` (open tasks whose people
all left, found by the worker), ``migration`` (versions), ``stranded`` (running cases nothing
can move, checked at start and repaired by ``qlvb cases repair``).
Failures are recorded where they happen (engine.audit.refusals); the changes to a workflow
no step makes are engine.workflow.surgery's, shared with the replay.

May import: engine.core, engine.models, engine.audit, engine.org, engine.office, engine.workflow.
"""
