"""The JSON API at /api/v1: public reads, token-authenticated writes, OpenAPI 3.1 document."""
