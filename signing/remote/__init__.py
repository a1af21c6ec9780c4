"""Ký số từ xa: the leader's key stays with a remote signing service (a CA's cloud HSM) and they
approve each signature on their phone. The platform prepares the PDF and the bytes to sign as for
a USB token (:mod:`signing.pades.split`), sends their hash to the service, and embeds the value it
returns; nothing here talks to the database.

Two kinds of service, one interface (:class:`~signing.remote.base.Provider`):

* :mod:`signing.remote.csc`: the Cloud Signature Consortium API v1 (credentials/list, info,
  authorize, signatures/signHash), through pyHanko's CSC signer;
* :mod:`signing.remote.approval`: a service where the signer approves a hash in the phone app and
  the platform asks later for the outcome (VNPT SmartCA, Viettel MySign style).
"""

from __future__ import annotations

from .base import Credential, Outcome, Provider, ProviderConfig, State, Submitted
from .factory import make_provider

__all__ = ["Credential", "Outcome", "Provider", "ProviderConfig", "State", "Submitted", "make_provider"]
