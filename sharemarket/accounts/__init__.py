"""Accounts: users, log in, API tokens, profiles, password reset, GDPR export and erasure."""
