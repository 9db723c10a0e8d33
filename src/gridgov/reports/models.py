"""Periodic reports (Excel and PDF), subscriptions to them, and event exports (issue 13,
docs/decisions/0038)."""
