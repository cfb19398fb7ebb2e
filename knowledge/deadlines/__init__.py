"""Deadlines: extraction from directives, storage, queries and labels."""
