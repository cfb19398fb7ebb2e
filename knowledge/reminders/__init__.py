"""Reminders: the clock, subscriptions, completion reports and the at-most-once ledger."""
