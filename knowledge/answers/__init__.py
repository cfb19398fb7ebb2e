"""Answers: ranking, snippets, statistics and evaluation."""
