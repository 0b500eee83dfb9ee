"""Rule logic for the service family; one module per rule."""
