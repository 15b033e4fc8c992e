"""City endorsements: invitations, the signing flow, review and receipts (staff side)."""
