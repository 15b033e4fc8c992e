"""Office contacts, interactions with offices and commitments to cosponsor."""
