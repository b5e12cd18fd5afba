"""Adapters to the outside world: settings, the database, logging and the audit log."""
