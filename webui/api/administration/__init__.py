"""Administrators' and operators' JSON API: approvals, exchange agreements, the incident desk and version moves."""
