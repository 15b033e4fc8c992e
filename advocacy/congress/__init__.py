"""Congress.gov: bill citations, the API client and the normalised data it returns."""
