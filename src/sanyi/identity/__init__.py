"""Identity: user accounts, roles, login sessions and API tokens, login throttling."""
