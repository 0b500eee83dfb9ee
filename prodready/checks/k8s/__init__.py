"""Rule logic for the k8s family; one module per rule."""
