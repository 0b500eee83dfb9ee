"""Rule logic for the docker family; one module per rule."""
