"""Telegram delivery: the Application and its handlers, sending with retries, the runner and the reminder job."""
