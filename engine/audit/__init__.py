"""The audit log: the hash chains every state change appends to, one per agency and one for the
installation (chain), the signed checkpoints of their heads (checkpoints) and their journal
outside the database (anchors), checking them
(verification), refusals that must be on record though their transaction is rolled back
(refusals), what an auditor reads of their agencies' cases (auditing) and the dossier they take
away (dossier).

``chain``, ``checkpoints``, ``anchors``, ``verification`` and ``refusals`` are foundation: they import only
engine.core and engine.models. ``auditing`` and ``dossier`` read the records of the other
packages and may import them.
"""
