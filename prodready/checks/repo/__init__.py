"""Rule logic for the repo family; one module per rule."""
