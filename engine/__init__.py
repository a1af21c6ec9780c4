"""The domain and services of the platform: people, process definitions, cases, audit.

Nothing in this package imports Flask: the web UI, the JSON API and the CLI are thin
entry points that open a transaction and call the services here.
"""
