"""Documents: parsing, cleaning and metadata, passages, storing and revising."""
