"""service_layer layer of the planning service."""
