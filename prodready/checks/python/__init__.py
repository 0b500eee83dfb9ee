"""Rule logic for the python family; one module per rule."""
