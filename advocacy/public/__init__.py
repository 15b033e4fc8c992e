"""Public pages: the campaign page, signing, confirmation, verification (no login)."""
