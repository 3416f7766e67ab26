"""Code shared by the four SAP services.

Each service installs this package and builds on it for settings, token
verification, the error format, request ids, logging and health checks, so
that none of them carries its own copy.
"""
