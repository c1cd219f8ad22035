"""Who may come in: signed shopper identities, proof limits, the action server's door (docs/security.md)."""
