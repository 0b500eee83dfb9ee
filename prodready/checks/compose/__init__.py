"""Rule logic for the compose family; one module per rule."""
