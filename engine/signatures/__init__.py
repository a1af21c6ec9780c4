"""Digital signatures in the procedures: the keys the platform holds, the leader's and the
agency's signatures and their verification (signatures), what the leader's signature is made of
(drafting), certificates registered to people (certificates), and what binds a signature to its
case and signer (binding). Under the 2025
rules (Circular 15/2025/TT-BKHCN): the status check, time-stamp and evidence of each signature
(long_term, evidence), the trust store (trust_store), each agency's TSA and policy
(signing_settings), the verification report (verification) and archive time-stamps (archive).

The cryptography itself is in the top-level ``signing`` package; this package decides who signs
what, when. May import: engine.core, engine.models, engine.org, engine.audit, engine.documents,
signing.
"""
