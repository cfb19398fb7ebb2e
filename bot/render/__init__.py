"""Replies rendered for a front end: Telegram HTML (html.py, deadlines.py) and terminal text (terminal.py).

Escaping of document text lives here and only here.
"""
