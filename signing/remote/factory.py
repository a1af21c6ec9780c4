"""The adapter for a configured service."""

from __future__ import annotations

from .approval import ApprovalProvider
from .base import Kind, Provider, ProviderConfig
from .csc import CscProvider


def make_provider(config: ProviderConfig) -> Provider:
    return CscProvider(config) if config.kind == Kind.CSC else ApprovalProvider(config)
