"""Notifications: the in-app inbox, the e-mail outbox and the message texts."""
