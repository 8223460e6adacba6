"""service_layer layer of the rewards service."""
