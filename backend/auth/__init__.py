"""Who a caller is: accounts, memberships, one-time codes, tokens."""
